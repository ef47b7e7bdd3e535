import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ExecutionStatus, ExecutionTriggerType as TriggerType, StepResult } from '@tributary/contracts';

export { EXECUTION_STATUSES } from '@tributary/contracts';
export type { ExecutionStatus, ExecutionTriggerType as TriggerType } from '@tributary/contracts';

@Entity('executions')
export class Execution {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId: string;

  @Column({ name: 'workflow_version', type: 'int' })
  workflowVersion: number;

  @Column({ type: 'text' })
  status: ExecutionStatus;

  @Column({ name: 'trigger_type', type: 'text' })
  triggerType: TriggerType;

  @Column({ type: 'jsonb', default: {} })
  payload: unknown;

  @Column({ type: 'jsonb', default: [] })
  steps: StepResult[];

  @Column({ type: 'jsonb', nullable: true })
  output: unknown;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'retry_of', type: 'uuid', nullable: true })
  retryOf: string | null;

  /** The queue job that carries this execution (shared by the executions accepted in one tick); null for sync runs. */
  @Column({ name: 'job_id', type: 'uuid', nullable: true })
  jobId: string | null;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'duration_ms', type: 'int', nullable: true })
  durationMs: number | null;
}
