import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { StepDefinition, TriggerDefinition, WorkflowPriority, WorkflowTool } from '@tributary/contracts';

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

  /** Flow control: at most this many executions running at once (null: no limit). Not versioned. */
  @Column({ name: 'concurrency_max', type: 'int', nullable: true })
  concurrencyMax: number | null;

  @Column({ type: 'text', default: 'normal' })
  priority: WorkflowPriority;

  /** JSON Schema of manual runs' and calls' payloads (null: any). Not versioned. */
  @Column({ name: 'input_schema', type: 'jsonb', nullable: true })
  inputSchema: Record<string, unknown> | null;

  /** Offered to MCP clients as a tool (null: not a tool). Not versioned. */
  @Column({ type: 'jsonb', nullable: true })
  tool: WorkflowTool | null;

  /** Test data pinned by step id: dry runs use it instead of running those steps. Not versioned. */
  @Column({ name: 'pin_data', type: 'jsonb', default: {} })
  pinData: Record<string, unknown>;

  /** The environment it runs in (which values `{{vars.NAME}}` read). Not versioned. */
  @Column({ type: 'text', default: 'production' })
  environment: string;

  /** The workflow whose promotion created this one (null: made by hand, or that one was deleted). */
  @Column({ name: 'promoted_from', type: 'uuid', nullable: true })
  promotedFrom: string | null;

  /** The lineage it belongs to (the first workflow's id; null: its own). One workflow per lineage and environment. */
  @Column({ name: 'lineage_id', type: 'uuid', nullable: true })
  lineageId: string | null;

  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
