import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { StepDefinition, TriggerDefinition } from '@tributary/contracts';

@Entity('workflows')
@Index(['tenantId', 'createdAt'])
export class Workflow {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'jsonb' })
  trigger: TriggerDefinition;

  @Column({ type: 'jsonb', default: [] })
  steps: StepDefinition[];

  /** Runs when an execution of this workflow fails (not versioned: it is where failures go, not what runs). */
  @Column({ name: 'error_workflow_id', type: 'uuid', nullable: true })
  errorWorkflowId: string | null;

  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
