/**
 * POST /api/executions/:id/cancel: a queued execution never runs; a running one's step in flight is
 * aborted through its signal (the worker slot comes free at once, not when the step would have
 * ended) and nothing after it runs; a waiting one never resumes; finished ones answer 409, other
 * tenants' 404.
 */
import { jest } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { waitFor } from '../helpers/wait.js';

jest.setTimeout(60_000);

describe('cancelling executions', () => {
  let t: TestApp;
  let sink: Sink;
  let token: string;

  beforeAll(async () => {
    sink = await startSink();
    // The default lease (30 s): a cancelled run's worker notices within a second (LeaseKeeper's cancel check), not at its next renewal.
    t = await createTestApp({ EXECUTION_LEASE_MS: '30000', ALLOW_PRIVATE_TARGETS: 'true', WORKER_CONCURRENCY: '1', WAIT_DURABLE_AFTER_MS: '1000' });
    token = (await t.register()).token;
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  const post = (ref: string) => ({ id: `post_${ref}`, connector: 'http', action: 'request', input: { method: 'POST', url: `${sink.url}/${ref}`, body: { ref } } });
  const createWorkflow = async (steps: unknown[]) => {
    const res = await t.request('POST', '/api/workflows', { token, body: { name: 'cancel me', trigger: { type: 'webhook' }, steps } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  let worker: Promise<unknown> | undefined;
  const ensureWorker = () => (worker ??= t.startWorker());
  const execution = async (id: string) => (await t.request('GET', `/api/executions/${id}`, { token })).body;
  const fire = async (wf: string) => {
    const res = await t.request('POST', `/api/webhooks/${wf}`, { body: {} });
    expect(res.status).toBe(202);
    return res.body.executionId as string;
  };

  it('a queued execution ends cancelled at once, is never run, is audited, and cannot be cancelled twice', async () => {
    const wf = await createWorkflow([post('queued')]);
    const id = await fire(wf); // no worker yet: it stays queued
    const res = await t.request('POST', `/api/executions/${id}/cancel`, { token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'cancelled', error: 'Cancelled by a user' });
    await ensureWorker();
    // A later execution of the same workflow runs: the cancelled one, ahead of it, did not.
    const later = await fire(wf);
    await waitFor('the later execution', async () => (await execution(later)).status === 'succeeded');
    expect(sink.deliveries.filter((d) => d.path === '/queued')).toHaveLength(1);
    expect(await execution(id)).toMatchObject({ status: 'cancelled', steps: [] });
    const again = await t.request('POST', `/api/executions/${id}/cancel`, { token, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Only queued, running or waiting executions can be cancelled (this one is cancelled)');
    const audit = await t.request('GET', '/api/audit?limit=10', { token });
    expect(audit.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'execution.cancel', targetId: id })]));
  });

  it('a running execution: the step in flight is aborted, nothing after it runs, and the worker slot is free at once', async () => {
    await ensureWorker();
    // A provider that takes a minute to answer: the step is in flight in the worker.
    sink.delayMs.set('/slow', 60_000);
    const wf = await createWorkflow([{ ...post('slow'), timeoutMs: 120_000 }, post('after')]);
    const id = await fire(wf);
    await waitFor('the step to be in flight', async () => (await execution(id)).status === 'running' && sink.deliveries.some((d) => d.path === '/slow'));
    const res = await t.request('POST', `/api/executions/${id}/cancel`, { token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    // WORKER_CONCURRENCY=1: the next run starts only once the 60 s request was aborted.
    const next = await createWorkflow([post('next')]);
    const nextId = await fire(next);
    const started = Date.now();
    await waitFor('the next execution', async () => (await execution(nextId)).status === 'succeeded', 15_000);
    expect(Date.now() - started).toBeLessThan(4_000);
    const e = await execution(id);
    expect(e).toMatchObject({ status: 'cancelled', error: 'Cancelled by a user', steps: [] });
    expect(sink.deliveries.filter((d) => d.path === '/after')).toHaveLength(0);
  });

  it('a waiting execution (a delay longer than a few seconds parks it, holding no worker): it ends cancelled and never resumes', async () => {
    await ensureWorker();
    const wf = await createWorkflow([{ id: 'nap', connector: 'core', action: 'delay', input: { seconds: 3 } }, post('woke')]);
    const id = await fire(wf);
    const parked = await waitFor('the run to park', async () => {
      const e = await execution(id);
      return e.status === 'waiting' ? e : undefined;
    });
    expect(parked.waits).toEqual([expect.objectContaining({ stepId: 'nap', kind: 'duration' })]);
    // WORKER_CONCURRENCY=1 and the run parked: the slot is free for another run meanwhile.
    const other = await fire(await createWorkflow([post('meanwhile')]));
    await waitFor('another run meanwhile', async () => (await execution(other)).status === 'succeeded');
    const res = await t.request('POST', `/api/executions/${id}/cancel`, { token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', waits: [] });
    await new Promise((r) => setTimeout(r, 4000));
    expect((await execution(id)).status).toBe('cancelled');
    expect(sink.deliveries.filter((d) => d.path === '/woke')).toHaveLength(0);
  });

  it("answers 409 for a finished execution and 404 for another tenant's or an unknown one", async () => {
    await ensureWorker();
    const wf = await createWorkflow([post('done')]);
    const id = await fire(wf);
    await waitFor('the run', async () => (await execution(id)).status === 'succeeded');
    const finished = await t.request('POST', `/api/executions/${id}/cancel`, { token, body: {} });
    expect(finished.status).toBe(409);
    expect(finished.body.message).toBe('Only queued, running or waiting executions can be cancelled (this one is succeeded)');
    const other = (await t.register()).token;
    expect((await t.request('POST', `/api/executions/${id}/cancel`, { token: other, body: {} })).status).toBe(404);
    expect((await t.request('POST', '/api/executions/00000000-0000-4000-8000-000000000000/cancel', { token, body: {} })).status).toBe(404);
    expect((await t.request('POST', '/api/executions/not-a-uuid/cancel', { token, body: {} })).status).toBe(404);
  });
});
