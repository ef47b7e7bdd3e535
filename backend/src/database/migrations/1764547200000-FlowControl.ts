import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Flow control (SPEC "Workflow language v2"): a workflow's `concurrency.max`, `priority` and
 * `inputSchema` (settings of the workflow, not versioned, like its error workflow). An execution of a
 * workflow with a concurrency limit carries the limit it was accepted under, so the claim of every
 * other execution stays one indexed UPDATE; the queued executions of a limited workflow are found in
 * order of acceptance through their own partial index.
 */
export class FlowControl1764547200000 implements MigrationInterface {
  name = 'FlowControl1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflows ADD COLUMN concurrency_max int CHECK (concurrency_max BETWEEN 1 AND 10000)`);
    await q.query(`ALTER TABLE workflows ADD COLUMN priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal', 'low'))`);
    await q.query(`ALTER TABLE workflows ADD COLUMN input_schema jsonb`);
    await q.query(`ALTER TABLE executions ADD COLUMN concurrency_max int`);
    await q.query(`CREATE INDEX executions_limited_idx ON executions (workflow_id, status, created_at, id) WHERE concurrency_max IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions DROP COLUMN concurrency_max`);
    await q.query(`ALTER TABLE workflows DROP COLUMN input_schema, DROP COLUMN priority, DROP COLUMN concurrency_max`);
  }
}
