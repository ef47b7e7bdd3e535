import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';
import type { KongTemplateOptions, KongUseCase } from './kong-templates.js';
import type { KongDeclarativeConfig } from './kong-types.js';

/** A generated gateway pattern for one workflow, kept so the tenant's whole Kong config can be rebuilt and pushed. */
@Entity('kong_templates')
@Unique(['tenantId', 'workflowId', 'useCase'])
export class KongTemplateRecord {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId: string;

  @Column({ name: 'use_case', type: 'text' })
  useCase: KongUseCase;

  /** The public path on Kong's proxy; unique across the installation. */
  @Column({ type: 'text', unique: true })
  path: string;

  @Column({ type: 'jsonb', default: {} })
  options: KongTemplateOptions;

  @Column({ type: 'jsonb' })
  config: KongDeclarativeConfig;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
