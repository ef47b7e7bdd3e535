import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A running execution holds a lease that its process renews; `attempts` (raised by every claim) is
 * the fencing token its writes carry. When a lease lapses (the worker died, or lost the database)
 * the reconciler gives the run to another worker, which resumes after the last recorded step, and
 * the old holder's late writes are refused. The column is not indexed: an index on it (even partial,
 * on running rows) takes an entry at every claim and doubled the claim's and the completion's latency
 * in `make bench` (docs/benchmarks.md); the reconciler finds running rows through
 * executions_tenant_status_idx instead.
 */
export class ExecutionLeases1764201600000 implements MigrationInterface {
  name = 'ExecutionLeases1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions ADD COLUMN lease_expires_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions DROP COLUMN lease_expires_at`);
  }
}
