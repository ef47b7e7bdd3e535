import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pinned test data (issue "Builder v2", n8n's data pinning): outputs kept per step id on the workflow,
 * used instead of running those steps in dry runs. Not versioned: test data, not what runs.
 */
export class PinData1765152000000 implements MigrationInterface {
  name = 'PinData1765152000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflows ADD COLUMN pin_data jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflows DROP COLUMN pin_data`);
  }
}
