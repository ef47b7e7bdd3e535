import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * AI steps (docs/ai.md, docs/mcp.md): a workflow may be offered to MCP clients as a tool (`tool`:
 * enabled, name, description; an enabled tool's name is unique in its workspace), and an execution
 * records the tokens its model calls used (summed per workflow by the stats).
 */
export class AiSteps1765065600000 implements MigrationInterface {
  name = 'AiSteps1765065600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflows ADD COLUMN tool jsonb`);
    await q.query(`CREATE UNIQUE INDEX workflows_tool_name ON workflows (tenant_id, (tool->>'name')) WHERE (tool->>'enabled')::boolean`);
    await q.query(`ALTER TABLE executions ADD COLUMN tokens integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE executions DROP COLUMN tokens`);
    await q.query(`DROP INDEX workflows_tool_name`);
    await q.query(`ALTER TABLE workflows DROP COLUMN tool`);
  }
}
