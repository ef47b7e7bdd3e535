import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Variables and environments (docs/variables.md): workspace variables read as `{{vars.NAME}}`, with a
 * value per environment (and a default, stored under the environment `*`). A secret variable's values
 * are sealed (AES-256-GCM, bound to tenant, variable and environment), with a masked hint for
 * listings; a plain one's are text. A workflow runs in one environment (a setting, not versioned) and
 * belongs to a lineage: itself and the copies promotion made of it, at most one per environment. A
 * version may carry a note (`promoted from staging v3`). An execution records the environment it ran in.
 */
export class Variables1764892800000 implements MigrationInterface {
  name = 'Variables1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE variables (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,63}$'),
      secret boolean NOT NULL DEFAULT false,
      description text NOT NULL DEFAULT '',
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name)
    )`);
    await q.query(`CREATE TABLE variable_values (
      variable_id uuid NOT NULL REFERENCES variables(id) ON DELETE CASCADE,
      environment text NOT NULL CHECK (environment = '*' OR environment ~ '^[a-z][a-z0-9-]{0,31}$'),
      value text,
      hint text,
      key_id text,
      iv bytea,
      auth_tag bytea,
      ciphertext bytea,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (variable_id, environment),
      CHECK ((value IS NULL) <> (ciphertext IS NULL))
    )`);
    await q.query(`CREATE INDEX variable_values_key_idx ON variable_values (key_id) WHERE key_id IS NOT NULL`);
    await q.query(`ALTER TABLE workflows
      ADD COLUMN environment text NOT NULL DEFAULT 'production' CHECK (environment ~ '^[a-z][a-z0-9-]{0,31}$'),
      ADD COLUMN promoted_from uuid REFERENCES workflows(id) ON DELETE SET NULL,
      ADD COLUMN lineage_id uuid`);
    // One workflow per lineage and environment (a lineage is the workflow itself and its promoted copies).
    await q.query(`CREATE UNIQUE INDEX workflows_lineage_environment_idx ON workflows (COALESCE(lineage_id, id), environment)`);
    await q.query(`ALTER TABLE workflow_versions ADD COLUMN note text`);
    await q.query(`ALTER TABLE executions ADD COLUMN environment text NOT NULL DEFAULT 'production'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions DROP COLUMN environment`);
    await q.query(`ALTER TABLE workflow_versions DROP COLUMN note`);
    await q.query(`DROP INDEX workflows_lineage_environment_idx`);
    await q.query(`ALTER TABLE workflows DROP COLUMN lineage_id, DROP COLUMN promoted_from, DROP COLUMN environment`);
    await q.query(`DROP TABLE variable_values`);
    await q.query(`DROP TABLE variables`);
  }
}
