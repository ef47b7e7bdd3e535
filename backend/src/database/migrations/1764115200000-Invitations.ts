import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Team management. Invitations to join a tenant: only the SHA-256 of the token is kept; an
 * invitation is pending until accepted, revoked or expired, and one email has at most one pending
 * invitation per tenant (inviting again replaces it). Removing a user must not rewrite history, so
 * the audit log keeps the id of a removed user instead of nulling it (its foreign key goes).
 */
export class Invitations1764115200000 implements MigrationInterface {
  name = 'Invitations1764115200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE invitations (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
      token_hash bytea NOT NULL UNIQUE,
      invited_by uuid REFERENCES users(id) ON DELETE SET NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      accepted_by uuid REFERENCES users(id) ON DELETE SET NULL,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX invitations_pending_email_idx ON invitations (tenant_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL`);
    await q.query(`CREATE INDEX invitations_tenant_created_idx ON invitations (tenant_id, created_at DESC, id DESC)`);
    await q.query(`ALTER TABLE audit_logs DROP CONSTRAINT audit_logs_user_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE audit_logs SET user_id = NULL WHERE user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = audit_logs.user_id)`);
    await q.query(`ALTER TABLE audit_logs ADD CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL`);
    await q.query(`DROP TABLE invitations`);
  }
}
