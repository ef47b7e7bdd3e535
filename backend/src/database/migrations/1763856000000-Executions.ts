import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Executions with their step results as one JSON array (one row write per run, not one per step),
 * indexed for the log views: by tenant and time, by status, by workflow.
 */
export class Executions1763856000000 implements MigrationInterface {
  name = 'Executions1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE executions (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      workflow_id uuid NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
      workflow_version int NOT NULL,
      status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
      trigger_type text NOT NULL,
      payload jsonb NOT NULL DEFAULT '{}',
      steps jsonb NOT NULL DEFAULT '[]',
      output jsonb,
      error text,
      attempts int NOT NULL DEFAULT 0,
      retry_of uuid REFERENCES executions(id) ON DELETE SET NULL,
      idempotency_key text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      duration_ms int
    )`);
    await q.query(`CREATE INDEX executions_tenant_created_idx ON executions (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX executions_tenant_status_idx ON executions (tenant_id, status, created_at DESC)`);
    await q.query(`CREATE INDEX executions_workflow_created_idx ON executions (workflow_id, created_at DESC)`);
    await q.query(`CREATE UNIQUE INDEX executions_idempotency_idx ON executions (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    // The reconciler's scan: queued executions waiting for a job.
    await q.query(`CREATE INDEX executions_queued_idx ON executions (created_at) WHERE status = 'queued'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE executions`);
  }
}
