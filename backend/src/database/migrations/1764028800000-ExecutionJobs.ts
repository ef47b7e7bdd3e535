import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks accepted in the same tick share one queue job. Each execution records the id of the job
 * that carries it, so the reconciler can re-add exactly that job (same id: a no-op while it exists)
 * instead of one job per execution.
 */
export class ExecutionJobs1764028800000 implements MigrationInterface {
  name = 'ExecutionJobs1764028800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions ADD COLUMN job_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions DROP COLUMN job_id`);
  }
}
