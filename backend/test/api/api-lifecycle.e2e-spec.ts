/**
 * How the api behaves at its edges: it sheds new work with 503 + Retry-After when the backlog is
 * full, and on SIGTERM it tells load balancers first, keeps serving, then lets in-flight requests
 * finish before it exits.
 */
import { jest } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { exited, freePort, spawnApi } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

jest.setTimeout(90_000);

const transform = { name: 'n', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: '{{n}}' } }] };

describe('backlog limit (MAX_QUEUED_EXECUTIONS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ MAX_QUEUED_EXECUTIONS: '5' });
  });
  afterAll(async () => t?.close());

  it('answers 503 with Retry-After to webhooks and manual runs while the backlog is full, and accepts again once it drains', async () => {
    const { token } = await t.register();
    const wf = (await t.request('POST', '/api/workflows', { token, body: transform })).body;
    // No worker: the executions stay queued.
    for (let n = 0; n < 6; n++) expect((await t.request('POST', `/api/webhooks/${wf.id}`, { body: { n } })).status).toBe(202);
    const shed = await waitFor('the api to notice the full backlog', async () => {
      const r = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { n: 99 } });
      return r.status === 503 ? r : undefined;
    }, 10_000, 200);
    expect(shed.headers['retry-after']).toBe('10');
    expect(shed.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringContaining('MAX_QUEUED_EXECUTIONS') });
    const manual = await t.request('POST', `/api/workflows/${wf.id}/run`, { token, body: { payload: {} } });
    expect(manual.status).toBe(503);
    // What was accepted runs; then webhooks are taken again.
    await t.startWorker();
    await waitFor('the backlog to drain and webhooks to be accepted again', async () => (await t.request('POST', `/api/webhooks/${wf.id}`, { body: { n: 100 } })).status === 202 || undefined, 20_000, 300);
    const shedRefs = await t.request('GET', `/api/executions?workflowId=${wf.id}&limit=100`, { token });
    expect(shedRefs.body.items.every((i: { status: string }) => ['queued', 'running', 'succeeded'].includes(i.status))).toBe(true);
  });
});

describe('graceful SIGTERM of an api process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.startWorker();
  });
  afterAll(async () => t?.close());

  it('answers /health/live 503 at once, keeps accepting for SHUTDOWN_DRAIN_DELAY_MS, finishes in-flight requests, and exits 0', async () => {
    const { token } = await t.register();
    const wf = (await t.request('POST', '/api/workflows', { token, body: transform })).body;
    const slow = (
      await t.request('POST', '/api/workflows', {
        token,
        body: { name: 'slow sync', trigger: { type: 'webhook', responseMode: 'sync' }, steps: [{ id: 'wait', connector: 'core', action: 'delay', input: { seconds: 2 } }, { id: 'done', connector: 'core', action: 'transform', input: { value: 'finished' } }] },
      })
    ).body;
    const port = await freePort();
    const api = spawnApi({ ...t.env, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_DRAIN_DELAY_MS: '1500' });
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the api process to listen', async () => (await fetch(`${base}/health/live`).catch(() => undefined))?.status === 200 || undefined, 30_000, 200);
    const hook = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    // A sync webhook in flight when the server stops accepting: it gets its answer.
    const inFlight = hook(`${base}/api/webhooks/${slow.id}`, {});
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    api.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(503);
    expect(await live.json()).toEqual({ status: 'draining' });
    // Still serving during the drain delay.
    const during = await hook(`${base}/api/webhooks/${wf.id}`, { n: 1 });
    expect(during.status).toBe(202);
    // ...on connections it closes after each answer, so nothing kept alive holds the exit back.
    expect(during.headers.get('connection')).toBe('close');

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('finished');
    const exit = await exited(api);
    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeGreaterThanOrEqual(1500);
    expect(exit.at - signalledAt).toBeLessThan(10_000);
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  });
});
