import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Engine v2 (SPEC "Durability contract"): executions may be `waiting` (parked on a durable wait,
 * holding no worker), may have a parent (a `call` step's child), and record their step results as
 * they go in an append-only log (one row per checkpoint: the delta since the last one), folded into
 * `executions.steps` when the run ends or parks. `execution_waits` holds every wait reached or
 * resumed early: the source of truth for timers (the sweep) and single-use resume tokens.
 */
export class DurableWaits1764460800000 implements MigrationInterface {
  name = 'DurableWaits1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions DROP CONSTRAINT IF EXISTS executions_status_check`);
    await q.query(`ALTER TABLE executions ADD CONSTRAINT executions_status_check
      CHECK (status IN ('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'))`);
    await q.query(`ALTER TABLE executions ADD COLUMN wait_due_at timestamptz`);
    await q.query(`ALTER TABLE executions ADD COLUMN parent_execution_id uuid REFERENCES executions (id) ON DELETE SET NULL`);
    // The timer sweep: waiting executions by due time (few rows; status changes already move index entries).
    await q.query(`CREATE INDEX executions_wait_due_idx ON executions (wait_due_at) WHERE status = 'waiting'`);
    await q.query(`CREATE INDEX executions_parent_idx ON executions (parent_execution_id) WHERE parent_execution_id IS NOT NULL`);

    await q.query(`CREATE TABLE execution_step_log (
      id bigserial PRIMARY KEY,
      execution_id uuid NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
      steps jsonb NOT NULL
    )`);
    await q.query(`CREATE INDEX execution_step_log_execution_idx ON execution_step_log (execution_id, id)`);

    await q.query(`CREATE TABLE execution_waits (
      execution_id uuid NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
      step_path text NOT NULL,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      step_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('duration', 'until', 'webhook', 'approval', 'call')),
      status text NOT NULL CHECK (status IN ('pending', 'resolved', 'rejected', 'expired')),
      due_at timestamptz,
      message text,
      child_execution_id uuid REFERENCES executions (id) ON DELETE SET NULL,
      output jsonb,
      resolved_by uuid,
      resolved_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (execution_id, step_path)
    )`);
    // The sweep of sub-workflow waits whose child finished (when the fast path was lost).
    await q.query(`CREATE INDEX execution_waits_call_idx ON execution_waits (child_execution_id) WHERE status = 'pending' AND kind = 'call'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE execution_waits`);
    await q.query(`DROP TABLE execution_step_log`);
    await q.query(`ALTER TABLE executions DROP COLUMN parent_execution_id, DROP COLUMN wait_due_at`);
    await q.query(`ALTER TABLE executions DROP CONSTRAINT executions_status_check`);
    await q.query(`ALTER TABLE executions ADD CONSTRAINT executions_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'))`);
  }
}
