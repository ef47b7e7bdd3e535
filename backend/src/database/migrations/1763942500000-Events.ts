import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Published events (immediate or scheduled) for the timeline, and the lookup of workflows with an
 * `event` trigger by topic.
 */
export class Events1763942500000 implements MigrationInterface {
  name = 'Events1763942500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE events (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      topic text NOT NULL,
      data jsonb NOT NULL DEFAULT '{}',
      publisher_id uuid REFERENCES users(id) ON DELETE SET NULL,
      deliver_at timestamptz,
      delivered_at timestamptz,
      -- Millisecond precision, so the ISO time in a page cursor is exact.
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
    )`);
    await q.query(`CREATE INDEX events_tenant_created_idx ON events (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX events_tenant_topic_created_idx ON events (tenant_id, topic, created_at DESC, id DESC)`);
    // Scheduled events not delivered yet: the reconciler's scan.
    await q.query(`CREATE INDEX events_pending_idx ON events (deliver_at) WHERE delivered_at IS NULL`);
    await q.query(`CREATE INDEX workflows_event_topic_idx ON workflows (tenant_id, (trigger->>'topic')) WHERE trigger->>'type' = 'event'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS workflows_event_topic_idx`);
    await q.query(`DROP TABLE events`);
  }
}
