import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on with OpenID Connect, one identity provider per workspace:
 * - `sso_configs`: the provider (issuer, client id, the client secret sealed like every secret and
 *   bound to the tenant), which email domains may sign in, the role of users created on first
 *   sign-in, and `sso_only` (password sign-in refused for the workspace's users);
 * - `sso_states`: a sign-in in progress (state, PKCE verifier, nonce, where to send the browser
 *   back) until its callback: single use (DELETE … RETURNING), short lived.
 */
export class Sso1764806400000 implements MigrationInterface {
  name = 'Sso1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sso_configs (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        issuer text NOT NULL,
        client_id text NOT NULL,
        key_id text NOT NULL,
        iv bytea NOT NULL,
        auth_tag bytea NOT NULL,
        ciphertext bytea NOT NULL,
        allowed_domains text[] NOT NULL CHECK (cardinality(allowed_domains) > 0),
        default_role text NOT NULL DEFAULT 'viewer' CHECK (default_role IN ('viewer', 'editor')),
        sso_only boolean NOT NULL DEFAULT false,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Which workspace an email's domain signs in to: looked up on the login page.
    await q.query(`CREATE INDEX sso_configs_domains_idx ON sso_configs USING gin (allowed_domains)`);
    await q.query(`
      CREATE TABLE sso_states (
        state text PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        code_verifier text NOT NULL,
        nonce text NOT NULL,
        return_to text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX sso_states_expires_idx ON sso_states (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sso_states`);
    await q.query(`DROP TABLE sso_configs`);
  }
}
