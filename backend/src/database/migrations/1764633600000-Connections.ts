import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connections that never silently die (OAuth2, health):
 * - a credential is either fields the user typed (`fields`) or an OAuth2 connection (`oauth2`: its
 *   sealed fields are the client configuration, its tokens live in `credential_tokens`);
 * - each credential has a health: `ok`, `untested`, `needs_connect` (an OAuth2 connection the user
 *   has not authorised yet), `needs_reconnect` (the provider refused the refresh: nothing works until
 *   the user connects again), `error` (the last call failed on the credential), with the last
 *   success and the last error;
 * - `credential_tokens` holds the current token set of an OAuth2 connection, sealed like every
 *   secret (bound to the credential), with its expiry in the clear so a refresh ahead of expiry needs
 *   no decryption; the row is the refresh lock (SELECT … FOR UPDATE), shared by every process;
 * - `oauth_states` is a pending authorisation (state, PKCE verifier) until its callback, single use,
 *   short lived.
 */
export class Connections1764633600000 implements MigrationInterface {
  name = 'Connections1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credentials ADD COLUMN kind text NOT NULL DEFAULT 'fields' CHECK (kind IN ('fields', 'oauth2'))`);
    await q.query(
      `ALTER TABLE credentials ADD COLUMN status text NOT NULL DEFAULT 'untested' CHECK (status IN ('ok', 'untested', 'needs_connect', 'needs_reconnect', 'error'))`,
    );
    await q.query(`ALTER TABLE credentials ADD COLUMN last_success_at timestamptz, ADD COLUMN last_error_at timestamptz, ADD COLUMN last_error text`);
    await q.query(`
      CREATE TABLE credential_tokens (
        credential_id uuid PRIMARY KEY REFERENCES credentials(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        key_id text NOT NULL,
        iv bytea NOT NULL,
        auth_tag bytea NOT NULL,
        ciphertext bytea NOT NULL,
        expires_at timestamptz,
        version int NOT NULL DEFAULT 1,
        refreshed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE oauth_states (
        state text PRIMARY KEY,
        tenant_id uuid NOT NULL,
        credential_id uuid NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
        user_id uuid,
        code_verifier text NOT NULL,
        redirect_uri text NOT NULL,
        return_to text,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oauth_states`);
    await q.query(`DROP TABLE credential_tokens`);
    await q.query(`ALTER TABLE credentials DROP COLUMN last_error, DROP COLUMN last_error_at, DROP COLUMN last_success_at, DROP COLUMN status, DROP COLUMN kind`);
  }
}
