import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A workflow's error workflow: runs when one of its executions fails; unset when that workflow is deleted. */
export class ErrorWorkflows1764374400000 implements MigrationInterface {
  name = 'ErrorWorkflows1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflows ADD COLUMN error_workflow_id uuid REFERENCES workflows (id) ON DELETE SET NULL`);
    // Deleting a workflow nulls the references to it: one indexed lookup, not a scan.
    await q.query(`CREATE INDEX workflows_error_workflow_id_idx ON workflows (error_workflow_id) WHERE error_workflow_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflows DROP COLUMN error_workflow_id`);
  }
}
