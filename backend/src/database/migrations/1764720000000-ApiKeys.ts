import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys for the public REST API. Only the SHA-256 of a key is kept (the secret is 32 random bytes,
 * so a fast hash is enough and keeps a key's request as cheap as a JWT's); `prefix` is its first
 * characters, for people to recognise it. A personal key belongs to its user (and goes with them); a
 * service key (`user_id` NULL) to the workspace. `last_used_at` is written at most once a minute per
 * key, and `last_audited_at` records when its last `auth.api_key` audit entry was written (at most
 * one an hour).
 */
export class ApiKeys1764720000000 implements MigrationInterface {
  name = 'ApiKeys1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('personal', 'service')),
      scope text NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
      prefix text NOT NULL,
      key_hash bytea NOT NULL,
      expires_at timestamptz,
      last_used_at timestamptz,
      last_audited_at timestamptz,
      revoked_at timestamptz,
      revoked_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT api_keys_owner_check CHECK ((kind = 'personal') = (user_id IS NOT NULL))
    )`);
    await q.query(`CREATE UNIQUE INDEX api_keys_key_hash_idx ON api_keys (key_hash)`);
    await q.query(`CREATE INDEX api_keys_tenant_created_idx ON api_keys (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX api_keys_user_created_idx ON api_keys (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
  }
}
