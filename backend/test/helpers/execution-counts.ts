/** Executions of a workflow counted by status, read straight from PostgreSQL (what a test waits on). */
import pg from 'pg';

export async function statusCounts(databaseUrl: string, workflowId: string): Promise<Record<string, number>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query('SELECT status, count(*)::int AS n FROM executions WHERE workflow_id = $1 GROUP BY status', [workflowId]);
    return Object.fromEntries(rows.map((r: { status: string; n: number }) => [r.status, r.n]));
  } finally {
    await db.end();
  }
}
