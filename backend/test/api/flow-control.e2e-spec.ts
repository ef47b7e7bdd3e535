/**
 * Flow control (SPEC "Workflow language v2", workflow fields): `concurrency.max` across workers with
 * the others waiting in order of acceptance; `priority` high before normal before low; fair share
 * (one tenant's flood does not hold back another tenant's fresh run); `inputSchema` checked on manual
 * runs and sub-workflow calls.
 */
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { exited, spawnWorker } from '../helpers/processes.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { waitFor } from '../helpers/wait.js';

jest.setTimeout(180_000);

async function finishedOrder(databaseUrl: string, workflowIds: string[]): Promise<{ id: string; workflowId: string }[]> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT id, workflow_id AS "workflowId" FROM executions WHERE workflow_id = ANY($1) AND status = 'succeeded' ORDER BY started_at, finished_at`,
      [workflowIds],
    );
    return rows;
  } finally {
    await db.end();
  }
}

describe('flow control', () => {
  let t: TestApp;
  let token: string;
  let sink: Sink;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    t = await createTestApp({ RECONCILE_AFTER_MS: '1000' });
    token = (await t.register()).token;
    sink = await startSink();
  });
  afterEach(async () => {
    const alive = children.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of alive) c.kill('SIGTERM');
    await Promise.all(alive.map((c) => exited(c)));
  });
  afterAll(async () => {
    await sink?.close();
    await t?.close();
  });

  const create = async (body: Record<string, unknown>, as = token) => t.request('POST', '/api/workflows', { token: as, body: { name: 'flow', trigger: { type: 'webhook' }, ...body } });
  const fire = async (workflowId: string, body: unknown = {}) => (await t.request('POST', `/api/webhooks/${workflowId}`, { body })).body.executionId as string;

  it('concurrency.max: at most that many run at once across two workers, the others in order of acceptance', async () => {
    sink.delayMs.set('/limited', 300);
    const wf = await create({ concurrency: { max: 2 }, steps: [{ id: 'call', connector: 'http', action: 'request', input: { method: 'POST', url: `${sink.url}/limited`, body: { n: '{{n}}' } } }] });
    expect(wf.status).toBe(201);
    expect(wf.body.concurrency).toEqual({ max: 2 });
    for (let i = 0; i < 2; i++) children.push(spawnWorker({ ...t.env, WORKER_CONCURRENCY: '10' }));
    const N = 10;
    for (let n = 0; n < N; n++) await fire(wf.body.id, { n });
    await waitFor('all limited runs', async () => sink.deliveries.filter((d) => d.path === '/limited').length === N && (await finishedOrder(t.databaseUrl, [wf.body.id])).length === N, 60_000);
    const calls = sink.deliveries.filter((d) => d.path === '/limited');
    // Overlap: each call holds 300 ms; at any arrival, how many calls are still in flight.
    const overlap = calls.map((c) => calls.filter((o) => o.at <= c.at && o.at + 300 > c.at).length);
    expect(Math.max(...overlap)).toBeLessThanOrEqual(2);
    expect(Math.max(...overlap)).toBe(2);
    // In order of acceptance, pairwise (two slots start together).
    const order = calls.map((c) => c.body.n as number);
    for (let i = 2; i < order.length; i++) expect(order[i]).toBeGreaterThan(Math.min(order[i - 1], order[i - 2]));
    expect(order.slice(0, 2).sort()).toEqual([0, 1]);
  });

  it('priority: with the queue backed up, a high priority workflow runs before normal work, and low after it', async () => {
    const step = [{ id: 'x', connector: 'core', action: 'transform', input: { value: '{{n}}' } }];
    const normal = await create({ steps: step });
    const high = await create({ steps: step, priority: 'high' });
    const low = await create({ steps: step, priority: 'low' });
    expect(high.body.priority).toBe('high');
    // No worker yet: everything waits in the queue.
    const lowId = await fire(low.body.id, { n: 'low' });
    for (let i = 0; i < 40; i++) await fire(normal.body.id, { n: i });
    const highId = await fire(high.body.id, { n: 'high' });
    children.push(spawnWorker({ ...t.env, WORKER_CONCURRENCY: '1' }));
    const order = await waitFor('all to run', async () => {
      const o = await finishedOrder(t.databaseUrl, [normal.body.id, high.body.id, low.body.id]);
      return o.length === 42 ? o : undefined;
    }, 60_000);
    expect(order[0].id).toBe(highId);
    expect(order[order.length - 1].id).toBe(lowId);
  });

  it('fair share: a tenant with 3,000 queued executions does not hold back another tenant\'s fresh one', async () => {
    const flood = await create({ steps: [{ id: 'x', connector: 'core', action: 'transform', input: { value: '{{n}}' } }] });
    const other = (await t.register()).token;
    const fresh = await create({ steps: [{ id: 'y', connector: 'core', action: 'transform', input: { value: 'B' } }] }, other);
    for (let i = 0; i < 3000; i += 200) await Promise.all(Array.from({ length: 200 }, (_, k) => fire(flood.body.id, { n: i + k })));
    const b = await fire(fresh.body.id);
    children.push(spawnWorker({ ...t.env, WORKER_CONCURRENCY: '5' }));
    const order = await waitFor('all to run', async () => {
      const o = await finishedOrder(t.databaseUrl, [flood.body.id, fresh.body.id]);
      return o.length === 3001 ? o : undefined;
    }, 120_000, 500);
    // Tenant B's run went ahead of (nearly) the whole backlog: among the first 2 %.
    expect(order.findIndex((e) => e.id === b)).toBeLessThan(60);
  });

  it('inputSchema: a manual run or a sub-workflow call whose payload does not match is refused with the fields at fault', async () => {
    const schema = { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' }, plan: { enum: ['free', 'pro'] } } };
    const bad = await create({ trigger: { type: 'manual' }, steps: [], inputSchema: { type: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('inputSchema');
    const child = await create({ trigger: { type: 'manual' }, inputSchema: schema, steps: [{ id: 'hi', connector: 'core', action: 'transform', input: { value: 'hi {{email}}' } }] });
    expect(child.status).toBe(201);
    expect(child.body.inputSchema).toEqual(schema);
    const refused = await t.request('POST', `/api/workflows/${child.body.id}/run`, { token, body: { payload: { plan: 'gold' } } });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual(expect.arrayContaining([{ path: 'payload', message: "must have required property 'email'" }, { path: 'payload.plan', message: 'must be equal to one of the allowed values (free, pro)' }]));
    const badEmail = await t.request('POST', `/api/workflows/${child.body.id}/run`, { token, body: { payload: { email: 'not an address' } } });
    expect(badEmail.body.details).toEqual([{ path: 'payload.email', message: 'must match format "email"' }]);
    const ok = await t.request('POST', `/api/workflows/${child.body.id}/run`, { token, body: { payload: { email: 'a@b.c' } } });
    expect(ok.status).toBe(202);

    children.push(spawnWorker(t.env));
    const parent = await create({ trigger: { type: 'manual' }, steps: [{ id: 'sub', type: 'call', workflowId: child.body.id, input: { plan: 'pro' } }] });
    const run = await t.request('POST', `/api/workflows/${parent.body.id}/run`, { token, body: {} });
    const failed = await waitFor('the call to fail', async () => {
      const e = (await t.request('GET', `/api/executions/${run.body.executionId}`, { token })).body;
      return e.status === 'failed' ? e : undefined;
    }, 30_000);
    expect(failed.error).toMatch(/^Step "sub" failed: The sub-workflow's input does not match its inputSchema: payload: must have required property 'email'/);
  });
});
