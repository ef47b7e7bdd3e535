import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit you can use, and traces:
 * - `executions.trace_context`: the W3C traceparent of the span that accepted the execution (null:
 *   tracing was off); the worker continues that trace, and the execution page shows its trace id.
 *   Nullable without a default: adding it rewrites nothing.
 * - `audit_logs_created_idx`: the retention sweep (AUDIT_RETENTION_DAYS) finds old entries of every
 *   tenant, and those without one (failed sign-ins of unknown emails), without a scan.
 */
export class AuditTrace1764979200000 implements MigrationInterface {
  name = 'AuditTrace1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions ADD COLUMN trace_context text`);
    await q.query(`CREATE INDEX audit_logs_created_idx ON audit_logs (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_logs_created_idx`);
    await q.query(`ALTER TABLE executions DROP COLUMN trace_context`);
  }
}
