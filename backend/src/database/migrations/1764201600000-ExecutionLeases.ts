import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A running execution holds a lease that its process renews; `attempts` (raised by every claim) is
 * the fencing token its writes carry. When a lease lapses (the worker died, or lost the database)
 * the reconciler gives the run to another worker, which resumes after the last recorded step, and
 * the old holder's late writes are refused. The partial index keeps that scan to running rows.
 */
export class ExecutionLeases1764201600000 implements MigrationInterface {
  name = 'ExecutionLeases1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions ADD COLUMN lease_expires_at timestamptz`);
    await q.query(`CREATE INDEX executions_running_lease_idx ON executions (lease_expires_at) WHERE status = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX executions_running_lease_idx`);
    await q.query(`ALTER TABLE executions DROP COLUMN lease_expires_at`);
  }
}
