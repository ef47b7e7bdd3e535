import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's state: API consumers (their key sealed for Kong's declarative config, and hashed for
 * lookup), usage per consumer, route and day (written in batches), and the Kong patterns generated
 * per workflow (one per use case; regenerating replaces it).
 */
export class ApiConsumers1763942400000 implements MigrationInterface {
  name = 'ApiConsumers1763942400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE api_consumers (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      username text NOT NULL,
      plan text NOT NULL,
      groups text[] NOT NULL DEFAULT '{}',
      key_credential_id uuid NOT NULL,
      key_hash bytea NOT NULL UNIQUE,
      key_hint text NOT NULL,
      key_ciphertext bytea NOT NULL,
      key_iv bytea NOT NULL,
      key_auth_tag bytea NOT NULL,
      key_key_id text NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      key_rotated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, username)
    )`);
    await q.query(`CREATE INDEX api_consumers_tenant_created_idx ON api_consumers (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE TABLE consumer_usage (
      consumer_id uuid NOT NULL REFERENCES api_consumers(id) ON DELETE CASCADE,
      route text NOT NULL,
      day date NOT NULL,
      count bigint NOT NULL,
      PRIMARY KEY (consumer_id, route, day)
    )`);
    await q.query(`CREATE TABLE kong_templates (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      workflow_id uuid NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
      use_case text NOT NULL CHECK (use_case IN ('protocol_bridge', 'webhook_handler', 'smart_aggregator', 'federated_security', 'usage_tracking')),
      path text NOT NULL,
      options jsonb NOT NULL DEFAULT '{}',
      config jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, workflow_id, use_case)
    )`);
    // One Kong installation serves every tenant: a public path belongs to one route only.
    await q.query(`CREATE UNIQUE INDEX kong_templates_path_idx ON kong_templates (path)`);
    await q.query(`CREATE INDEX kong_templates_tenant_created_idx ON kong_templates (tenant_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE kong_templates`);
    await q.query(`DROP TABLE consumer_usage`);
    await q.query(`DROP TABLE api_consumers`);
  }
}
