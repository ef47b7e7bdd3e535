/** A separate worker process serving /metrics and /health on WORKER_METRICS_PORT, scraped while it runs executions. */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { exited, freePort, spawnWorker } from '../helpers/processes.js';
import { parseExposition, sampleValue, type Scrape } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait.js';

const METRICS_TOKEN = 'worker-metrics-token-for-tests';

describe('worker /metrics and /health', () => {
  let t: TestApp;
  let token: string;
  let worker: ChildProcess;
  let base: string;
  const children: ChildProcess[] = [];

  const scrape = async (): Promise<Scrape> => {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    return parseExposition(await res.text());
  };

  async function webhookWorkflow(name: string, steps: unknown[]): Promise<string> {
    const res = await t.request('POST', '/api/workflows', { token, body: { name, trigger: { type: 'webhook' }, steps } });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function trigger(workflowId: string, body: unknown = {}): Promise<string> {
    const res = await t.request('POST', `/api/webhooks/${workflowId}`, { body });
    expect(res.status).toBe(202);
    return res.body.executionId;
  }

  const finished = (id: string) =>
    waitFor(`execution ${id} to finish`, async () => {
      const r = await t.request('GET', `/api/executions/${id}`, { token });
      return ['succeeded', 'failed'].includes(r.body.status) ? (r.body.status as string) : undefined;
    }, 30_000);

  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN });
    ({ token } = await t.register());
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    worker = spawnWorker({ ...t.env, WORKER_METRICS_PORT: String(port), HOST: '127.0.0.1' });
    children.push(worker);
    await waitFor('the worker metrics server', async () => (await fetch(`${base}/health`).catch(() => undefined))?.status === 200, 20_000, 100);
  });
  afterAll(async () => {
    for (const c of children) {
      c.kill('SIGKILL');
      await exited(c);
    }
    await t?.close();
  });

  it('answers /health with what the worker depends on, and /metrics only with METRICS_TOKEN', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      queueBackend: 'redis',
      executionsInProgress: 0,
      concurrency: 10,
      checks: { postgres: { status: 'up', latencyMs: expect.any(Number) }, redis: { status: 'up', latencyMs: expect.any(Number) } },
    });

    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' });
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-0000000000' } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseExposition(await ok.text());
    expect(m.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(sampleValue(m, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // Event-loop delay (prom-client's monitorEventLoopDelay, reset at each scrape): make soak plots it.
    expect(m.types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect(sampleValue(m, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThan(0);
    expect(m.types.get('tributary_executions_finished_total')).toBe('counter');
    expect(m.types.get('tributary_step_duration_seconds')).toBe('histogram');
    expect(sampleValue(m, 'tributary_executions_in_progress')).toBe(0);

    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Route not found' });
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('counts executions finished by status and step durations by connector, action and status', async () => {
    const before = await scrape();
    const count = (m: Scrape, status: string) => sampleValue(m, 'tributary_executions_finished_total', { status }) ?? 0;
    const steps = (m: Scrape, labels: Record<string, string>) => sampleValue(m, 'tributary_step_duration_seconds_count', labels) ?? 0;
    const transform = { connector: 'core', action: 'transform', status: 'succeeded' };
    const timedOut = { connector: 'core', action: 'delay', status: 'failed' };

    const ok = await webhookWorkflow('fine', [
      { id: 'a', connector: 'core', action: 'transform', input: { value: '{{n}}' } },
      { id: 'b', connector: 'core', action: 'transform', input: { value: '{{steps.a}}' } },
    ]);
    // A one-second delay under a 100 ms timeout, tried once: the step and the run fail.
    const bad = await webhookWorkflow('too slow', [{ id: 'wait', connector: 'core', action: 'delay', input: { seconds: 1 }, timeoutMs: 100, retry: { attempts: 1, backoffMs: 0 } }]);
    const runs = await Promise.all([trigger(ok, { n: 1 }), trigger(ok, { n: 2 }), trigger(bad)]);
    expect(await Promise.all(runs.map(finished))).toEqual(['succeeded', 'succeeded', 'failed']);

    const after = await waitFor('the worker to count the three runs', async () => {
      const m = await scrape();
      return count(m, 'succeeded') + count(m, 'failed') - count(before, 'succeeded') - count(before, 'failed') === 3 ? m : undefined;
    });
    expect(count(after, 'succeeded') - count(before, 'succeeded')).toBe(2);
    expect(count(after, 'failed') - count(before, 'failed')).toBe(1);
    expect(steps(after, transform) - steps(before, transform)).toBe(4);
    expect(steps(after, timedOut) - steps(before, timedOut)).toBe(1);
    expect(sampleValue(after, 'tributary_step_duration_seconds_sum', timedOut)).toBeGreaterThanOrEqual(0.1);
    expect(sampleValue(after, 'tributary_step_duration_seconds_bucket', { ...timedOut, le: '0.01' })).toBe(0);
    expect(sampleValue(after, 'tributary_executions_in_progress')).toBe(0);
  });

  it('shows executions in progress while they run', async () => {
    const slow = await webhookWorkflow('slow', [{ id: 'wait', connector: 'core', action: 'delay', input: { seconds: 1.5 } }]);
    const ids = [await trigger(slow), await trigger(slow)];
    await waitFor('two executions in progress', async () => sampleValue(await scrape(), 'tributary_executions_in_progress') === 2, 10_000, 50);
    const health = (await (await fetch(`${base}/health`)).json()) as { executionsInProgress: number };
    expect(health.executionsInProgress).toBe(2);
    expect(await Promise.all(ids.map(finished))).toEqual(['succeeded', 'succeeded']);
    await waitFor('no execution in progress', async () => sampleValue(await scrape(), 'tributary_executions_in_progress') === 0, 5_000, 50);
  });

  it('answers /health 503 "draining" after SIGTERM while running executions finish', async () => {
    const slow = await webhookWorkflow('drained', [{ id: 'wait', connector: 'core', action: 'delay', input: { seconds: 2 } }]);
    const id = await trigger(slow);
    await waitFor('the execution to start', async () => sampleValue(await scrape(), 'tributary_executions_in_progress') === 1, 10_000, 50);
    worker.kill('SIGTERM');
    const draining = await waitFor('/health to say draining', async () => {
      const res = await fetch(`${base}/health`);
      return res.status === 503 ? ((await res.json()) as { status: string; executionsInProgress: number }) : undefined;
    }, 5_000, 50);
    expect(draining).toMatchObject({ status: 'draining', executionsInProgress: 1 });
    expect((await exited(worker)).code).toBe(0);
    expect((await t.request('GET', `/api/executions/${id}`, { token })).body.status).toBe('succeeded');
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });

  it('keeps running executions when its metrics port is taken', async () => {
    const taken = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      // The first worker has exited: only this one takes jobs.
      const second = spawnWorker({ ...t.env, WORKER_METRICS_PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error' });
      children.push(second);
      let logs = '';
      second.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
      await waitFor('the second worker to report the taken port', async () => logs.includes('worker metrics server could not start'));
      expect(JSON.parse(logs.split('\n').find((l) => l.includes('could not start'))!)).toMatchObject({ level: 'error', port, err: expect.stringContaining('EADDRINUSE') });
      const wf = await webhookWorkflow('after', [{ id: 'a', connector: 'core', action: 'transform', input: { value: 1 } }]);
      expect(await finished(await trigger(wf))).toBe('succeeded');
      expect(second.exitCode).toBeNull();
    } finally {
      taken.close();
    }
  });
});
