/**
 * Engine v2 under faults (the "How it is checked"): a worker killed with SIGKILL in the
 * middle of a loop and of a parallel block repeats no completed step (the sink counts deliveries per
 * step key; only the step in flight may arrive twice); 1,000 executions parked on waits all resume
 * after Redis restarts empty (their delayed jobs gone: the PostgreSQL sweep is the source of truth);
 * an api killed while answering resume webhooks loses no resume (each run ends exactly once).
 */
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { exited, freePort, listening, spawnApi, spawnWorker, withOwnRedis, type OwnRedis } from '../helpers/processes.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { waitFor } from '../helpers/wait.js';
import { statusCounts } from '../helpers/execution-counts.js';

jest.setTimeout(240_000);

/** Deliveries per Idempotency-Key (one key per step of a run, the same on every attempt). */
function perKey(sink: Sink, prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of sink.deliveries) if (d.idempotencyKey?.startsWith(prefix)) counts.set(d.idempotencyKey, (counts.get(d.idempotencyKey) ?? 0) + 1);
  return counts;
}

describe('engine v2 under faults', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let token: string;
  let sink: Sink;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await withOwnRedis();
    t = await createTestApp({ REDIS_URL: redis.url, RECONCILE_AFTER_MS: '500', WAIT_DURABLE_AFTER_MS: '0' });
    token = (await t.register()).token;
    sink = await startSink();
  });
  afterEach(async () => {
    const alive = children.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of alive) c.kill('SIGKILL');
    await Promise.all(alive.map((c) => exited(c)));
  });
  afterAll(async () => {
    await sink?.close();
    await t?.close();
    await redis?.kill();
  });

  const post = (id: string, path: string) => ({ id, connector: 'http', action: 'request', input: { method: 'POST', url: `${sink.url}/${path}`, body: { n: '{{$index}}' } }, retry: { attempts: 1 } });
  const create = async (steps: unknown[]) => (await t.request('POST', '/api/workflows', { token, body: { name: 'faults', trigger: { type: 'webhook' }, steps } })).body;
  const status = async (id: string) => (await t.request('GET', `/api/executions/${id}`, { token })).body;

  async function killMidway(workflowId: string, deliveredBeforeKill: (prefix: string) => boolean) {
    const first = spawnWorker(t.env);
    children.push(first);
    const { executionId } = (await t.request('POST', `/api/webhooks/${workflowId}`, { body: { items: [1, 2, 3, 4, 5, 6] } })).body;
    await waitFor('the run to be half way', async () => deliveredBeforeKill(executionId), 60_000);
    first.kill('SIGKILL');
    await exited(first);
    const before = new Map(perKey(sink, executionId));
    children.push(spawnWorker(t.env));
    const done = await waitFor('the run to finish on the second worker', async () => {
      const e = await status(executionId);
      return e.status === 'succeeded' || e.status === 'failed' ? e : undefined;
    }, 90_000);
    return { executionId, done, before, after: perKey(sink, executionId) };
  }

  it('a worker killed mid-loop: every completed iteration step is delivered once; only the step in flight may repeat', async () => {
    sink.delayMs.set('/loop', 250);
    const wf = await create([{ id: 'each', type: 'loop', items: '{{items}}', steps: [post('send', 'loop')] }]);
    const { executionId, done, before, after } = await killMidway(wf.id, (id) => perKey(sink, id).size >= 3);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect([...after.keys()].sort()).toEqual(Array.from({ length: 6 }, (_, i) => `${executionId}:each[${i}].send`).sort());
    const repeated = [...after].filter(([, n]) => n > 1).map(([k]) => k);
    // At most the one in flight at the kill (delivered, its answer not yet recorded) arrives twice.
    expect(repeated.length).toBeLessThanOrEqual(1);
    for (const k of repeated) expect(before.has(k)).toBe(true);
    expect([...after.values()].every((n) => n <= 2)).toBe(true);
    expect(done.steps.find((s: { stepId: string }) => s.stepId === 'each').output).toHaveLength(6);
  });

  it('a worker killed mid parallel block: completed branch steps are not repeated', async () => {
    sink.delayMs.set('/pa', 300);
    sink.delayMs.set('/pb', 300);
    const branch = (p: string) => [post(`${p}1`, p), post(`${p}2`, p), post(`${p}3`, p)];
    const wf = await create([{ id: 'both', type: 'parallel', branches: [branch('pa'), branch('pb')] }]);
    const { executionId, done, before, after } = await killMidway(wf.id, (id) => perKey(sink, id).size >= 3);
    expect(done.status).toBe('succeeded');
    expect(after.size).toBe(6);
    const repeated = [...after].filter(([, n]) => n > 1).map(([k]) => k);
    // One step in flight per branch at most.
    expect(repeated.length).toBeLessThanOrEqual(2);
    for (const k of repeated) expect(before.has(k)).toBe(true);
    expect(done.steps.find((s: { stepId: string }) => s.stepId === 'both').output).toHaveLength(2);
    expect([...after.keys()].every((k) => k.startsWith(`${executionId}:both[`))).toBe(true);
  });

  it('1,000 executions parked on waits all resume after Redis restarts empty (the sweep re-queues them from PostgreSQL)', async () => {
    // One absolute due time for all (a relative one let the first runs resume before the last had
    // parked when a loaded machine took longer than the wait to accept and park 1,000 runs).
    const due = new Date(Date.now() + 45_000);
    const wf = await create([{ id: 'pause', type: 'wait', for: 'until', at: due.toISOString() }, { id: 'done', connector: 'core', action: 'transform', input: { value: 'resumed' } }]);
    children.push(spawnWorker(t.env));
    const N = 1000;
    for (let i = 0; i < N; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, N - i) }, () => t.request('POST', `/api/webhooks/${wf.id}`, { body: {} })));
    }
    await waitFor('all to park', async () => (await statusCounts(t.databaseUrl, wf.id)).waiting === N, due.getTime() - Date.now() - 2_000);
    // Redis restarts empty before any is due: every delayed job (their timers) is gone.
    await redis.start();
    expect(await statusCounts(t.databaseUrl, wf.id)).toEqual({ waiting: N });
    const counts = await waitFor('all to resume and finish', async () => {
      const c = await statusCounts(t.databaseUrl, wf.id);
      return c.succeeded === N ? c : undefined;
    }, 120_000, 500);
    expect(counts).toEqual({ succeeded: N });
  });

  it('an api killed while answering resume webhooks: every run resumes once (a resume retried after the restart answers 404 only when it had been taken)', async () => {
    const wf = await create([{ id: 'reply', type: 'wait', for: 'webhook' }, { id: 'done', connector: 'core', action: 'transform', input: { value: '{{steps.reply.n}}' } }]);
    children.push(spawnWorker(t.env));
    const N = 200;
    const ids: string[] = [];
    for (let i = 0; i < N; i += 50) ids.push(...(await Promise.all(Array.from({ length: 50 }, () => t.request('POST', `/api/webhooks/${wf.id}`, { body: {} })))).map((r) => r.body.executionId as string));
    await waitFor('all to park', async () => (await statusCounts(t.databaseUrl, wf.id)).waiting === N, 60_000);
    const urls = await Promise.all(ids.map(async (id) => new URL((await status(id)).waits[0].resumeUrl).pathname));

    const port = await freePort();
    const env = { ...t.env, PORT: String(port), HOST: '127.0.0.1' };
    const api = spawnApi(env);
    children.push(api);
    await listening(port, 'api', 30_000);
    const send = (path: string, n: number) =>
      fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) }).then(
        (r) => r.status,
        () => 0,
      );
    const answers = Promise.all(urls.map((u, i) => send(u, i)));
    await new Promise((r) => setTimeout(r, 30));
    api.kill('SIGKILL');
    const first = await answers;
    const api2 = spawnApi(env);
    children.push(api2);
    await listening(port, 'api', 30_000);
    // The caller retries what got no 202.
    const second = await Promise.all(urls.map((u, i) => (first[i] === 202 ? Promise.resolve(202) : send(u, i))));
    expect(second.every((s) => s === 202 || s === 404)).toBe(true);
    const counts = await waitFor('every run to finish', async () => {
      const c = await statusCounts(t.databaseUrl, wf.id);
      return c.succeeded === N ? c : undefined;
    }, 120_000, 500);
    expect(counts).toEqual({ succeeded: N });
    // Each run's wait output is its own body, taken once.
    const outputs = await Promise.all(ids.slice(0, 20).map(async (id) => (await status(id)).output));
    expect(outputs).toEqual(ids.slice(0, 20).map((_, i) => i));
  });
});
