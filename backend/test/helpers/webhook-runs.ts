/**
 * Webhooks under load for topology tests (poolers, failovers): a two-step workflow whose output
 * names its input, the webhooks' answers, and whether each accepted execution really ran, read from
 * the executions table (the source of truth) rather than through the api under test.
 */
import pg from 'pg';
import type { TestApp } from './app.js';
import { waitFor } from './wait.js';

/** Each run records two steps and answers `{ n, greeting: 'hello <n>' }` for a payload `{ n }`. */
export const ECHO_WORKFLOW = {
  name: 'echo n',
  trigger: { type: 'webhook' },
  steps: [
    { id: 'greet', connector: 'core', action: 'transform', input: { value: 'hello {{n}}' } },
    { id: 'echo', connector: 'core', action: 'transform', input: { value: { n: '{{n}}', greeting: '{{steps.greet}}' } } },
  ],
};

export interface WebhookAnswer {
  n: number;
  status: number;
  executionId?: string;
  text: string;
}

/** Posts `{ n }` for each n at once. */
export async function fireWebhooks(t: TestApp, workflowId: string, ns: number[]): Promise<WebhookAnswer[]> {
  return Promise.all(
    ns.map(async (n) => {
      const res = await t.request('POST', `/api/webhooks/${workflowId}`, { body: { n } });
      return { n, status: res.status, executionId: res.body?.executionId as string | undefined, text: res.text };
    }),
  );
}

export const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/**
 * Waits until none of the accepted (202) executions is queued or running, then describes each that
 * did not succeed with both steps recorded and its own output: an empty list when all ran.
 */
export async function runsThatFailed(t: TestApp, answers: WebhookAnswer[], timeoutMs: number): Promise<string[]> {
  const accepted = answers.filter((a) => a.status === 202);
  const ids = accepted.map((a) => a.executionId!);
  const db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  try {
    type Row = { id: string; status: string; error: string | null; steps: { stepId: string; status: string }[]; output: { n?: unknown; greeting?: unknown } | null };
    const rows = await waitFor(
      `${ids.length} accepted executions to finish`,
      async () => {
        const { rows } = await db.query<Row>('SELECT id, status, error, steps, output FROM executions WHERE id = ANY($1::uuid[])', [ids]);
        return rows.length === ids.length && rows.every((r) => r.status !== 'queued' && r.status !== 'running') ? rows : undefined;
      },
      timeoutMs,
      250,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return accepted.flatMap(({ n, executionId }) => {
      const r = byId.get(executionId!)!;
      const steps = r.steps.map((s) => `${s.stepId}:${s.status}`).join(',');
      const ok = r.status === 'succeeded' && steps === 'greet:succeeded,echo:succeeded' && r.output?.n === n && r.output?.greeting === `hello ${n}`;
      return ok ? [] : [`n=${n} ${r.id}: ${r.status} [${steps}] ${r.error ?? JSON.stringify(r.output)}`];
    });
  } finally {
    await db.end();
  }
}
