import { createHmac } from 'node:crypto';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

const transform = (id: string, value: unknown, extra: Record<string, unknown> = {}) => ({ id, connector: 'core', action: 'transform', input: { value }, ...extra });

describe.each([['redis'], ['postgres']])('engine on the %s queue backend', (backend) => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ QUEUE_BACKEND: backend });
    await t.startWorker();
    token = (await t.register()).token;
  });
  afterAll(async () => t?.close());

  const createWorkflow = async (body: Record<string, unknown>) => {
    const res = await t.request('POST', '/api/workflows', { token, body: { name: 'wf', ...body } });
    expect(res.status).toBe(201);
    return res.body as { id: string; webhookUrl: string };
  };
  const finished = (id: string) =>
    waitFor(`execution ${id} to finish`, async () => {
      const r = await t.request('GET', `/api/executions/${id}`, { token });
      return ['succeeded', 'failed'].includes(r.body?.status) ? r.body : undefined;
    });

  it('accepts a webhook (202), runs the steps with data passing, and logs each step', async () => {
    const wf = await createWorkflow({
      trigger: { type: 'webhook' },
      steps: [transform('greet', { text: 'Hello {{user.name}}! Order #{{order.id}}' }), transform('shout', '{{upper steps.greet.text}}')],
    });
    const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { user: { name: 'Alex' }, order: { id: 12345 } } });
    expect(res.status).toBe(202);
    const e = await finished(res.body.executionId);
    expect(e).toMatchObject({ status: 'succeeded', triggerType: 'webhook', workflowId: wf.id, output: 'HELLO ALEX! ORDER #12345', payload: { user: { name: 'Alex' } } });
    expect(e.steps.map((s: { stepId: string; status: string; input: unknown; attempts: number }) => [s.stepId, s.status, s.input, s.attempts])).toEqual([
      ['greet', 'succeeded', { value: { text: 'Hello Alex! Order #12345' } }, 1],
      ['shout', 'succeeded', { value: 'HELLO ALEX! ORDER #12345' }, 1],
    ]);
    expect(typeof e.durationMs).toBe('number');
  });

  it('answers 404 for unknown, disabled and non-webhook workflows, and 400 for bad JSON', async () => {
    expect((await t.request('POST', '/api/webhooks/00000000-0000-4000-8000-000000000000', { body: {} })).status).toBe(404);
    expect((await t.request('POST', '/api/webhooks/not-a-uuid', { body: {} })).status).toBe(404);
    const manual = await createWorkflow({ trigger: { type: 'manual' }, steps: [] });
    expect((await t.request('POST', `/api/webhooks/${manual.id}`, { body: {} })).status).toBe(404);
    const wf = await createWorkflow({ trigger: { type: 'webhook' }, steps: [] });
    await t.request('PUT', `/api/workflows/${wf.id}/toggle`, { token, body: { enabled: false } });
    expect((await t.request('POST', `/api/webhooks/${wf.id}`, { body: {} })).status).toBe(404);
    await t.request('PUT', `/api/workflows/${wf.id}/toggle`, { token, body: { enabled: true } });
    const bad = await t.request('POST', `/api/webhooks/${wf.id}`, { raw: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
  });

  it('checks the HMAC signature when the workflow has a secret', async () => {
    const secret = 'webhook-secret-123';
    const wf = await createWorkflow({ trigger: { type: 'webhook', secret }, steps: [transform('a', 1)] });
    const body = JSON.stringify({ x: 1 });
    const sig = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const json = { 'content-type': 'application/json' };
    expect((await t.request('POST', `/api/webhooks/${wf.id}`, { raw: body, headers: json })).status).toBe(401);
    expect((await t.request('POST', `/api/webhooks/${wf.id}`, { raw: body, headers: { ...json, 'x-tributary-signature': 'sha256=00ff' } })).status).toBe(401);
    const ok = await t.request('POST', `/api/webhooks/${wf.id}`, { raw: body, headers: { ...json, 'x-tributary-signature': sig } });
    expect(ok.status).toBe(202);
  });

  it('returns the first execution for a repeated Idempotency-Key', async () => {
    const wf = await createWorkflow({ trigger: { type: 'webhook' }, steps: [transform('a', 1)] });
    const key = { 'idempotency-key': `order-${backend}-1` };
    const [a, b] = await Promise.all([
      t.request('POST', `/api/webhooks/${wf.id}`, { body: { n: 1 }, headers: key }),
      t.request('POST', `/api/webhooks/${wf.id}`, { body: { n: 1 }, headers: key }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.executionId).toBe(b.body.executionId);
    const c = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { n: 1 }, headers: key });
    expect(c.body.executionId).toBe(a.body.executionId);
    expect(c.headers['idempotent-replayed']).toBe('true');
    await finished(a.body.executionId);
    const list = await t.request('GET', `/api/executions?workflowId=${wf.id}`, { token });
    expect(list.body.items).toHaveLength(1);
  });

  it('rate-limits webhooks per workflow (429)', async () => {
    const wf = await createWorkflow({ trigger: { type: 'webhook', rateLimitPerMinute: 3 }, steps: [] });
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof t.request>> | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: {} });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(refused?.body).toMatchObject({ statusCode: 429, message: expect.stringContaining('3 requests per minute for this workflow') });
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused?.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('answers a sync webhook with the last step output', async () => {
    const wf = await createWorkflow({ trigger: { type: 'webhook', responseMode: 'sync' }, steps: [transform('reply', { celsius: '{{c}}', ok: true })] });
    const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { c: 21 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ celsius: 21, ok: true });
    const e = await finished(res.headers['x-execution-id'] as string);
    expect(e.status).toBe('succeeded');
  });

  it('answers 504 when a sync webhook times out, and still records the execution', async () => {
    const wf = await createWorkflow({
      trigger: { type: 'webhook', responseMode: 'sync', timeoutMs: 300 },
      steps: [{ id: 'wait', connector: 'core', action: 'delay', input: { seconds: 1 } }, transform('after', 'done')],
    });
    const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: {} });
    expect(res.status).toBe(504);
    const e = await finished(res.body.details.executionId);
    expect(e).toMatchObject({ status: 'succeeded', output: 'done' });
  });

  it('skips steps by condition and branch', async () => {
    const wf = await createWorkflow({
      trigger: { type: 'manual' },
      steps: [
        { id: 'check', connector: 'core', action: 'condition', input: { if: '{{eq tier "gold"}}', then: ['gold'], else: ['plain'] } },
        transform('gold', 'gold'),
        transform('plain', 'plain'),
        transform('maybe', 'x', { when: '{{flag}}' }),
      ],
    });
    const run = await t.request('POST', `/api/workflows/${wf.id}/run`, { token, body: { payload: { tier: 'gold' } } });
    expect(run.status).toBe(202);
    const e = await finished(run.body.executionId);
    expect(e.steps.map((s: { status: string }) => s.status)).toEqual(['succeeded', 'succeeded', 'skipped', 'skipped']);
  });

  it('dry-runs for real and persists nothing', async () => {
    const wf = await createWorkflow({ trigger: { type: 'webhook' }, steps: [transform('greet', 'Hi {{user.name}}{{missing}}')] });
    const res = await t.request('POST', `/api/workflows/${wf.id}/dry-run`, { token, body: { payload: { user: { name: 'Alex' } } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', output: 'Hi Alex' });
    expect(res.body.steps[0]).toMatchObject({ id: 'greet', input: { value: 'Hi Alex' }, output: 'Hi Alex', warnings: ['missing path: missing'] });
    const draft = await t.request('POST', '/api/workflows/dry-run', { token, body: { workflow: { steps: [transform('x', '{{a}}')] }, payload: { a: 5 } } });
    expect(draft.body).toMatchObject({ status: 'succeeded', output: 5 });
    const bad = await t.request('POST', '/api/workflows/dry-run', { token, body: { workflow: { steps: [{ id: 'x', connector: 'nope', action: 'y' }] } } });
    expect(bad.status).toBe(400);
    const list = await t.request('GET', `/api/executions?workflowId=${wf.id}`, { token });
    expect(list.body.items).toHaveLength(0);
  });

  it('retries a failed execution from the failed step, keeping earlier outputs', async () => {
    // The second step fails on the first run (`strict` is a number where text is needed) and is fixed by rollback-free data: the
    // payload carries `fix`, so the retry (same version, same payload) must fail the same way; instead a `when` reading a
    // step that has no output proves the earlier output is carried over.
    const wf = await createWorkflow({
      trigger: { type: 'manual' },
      steps: [transform('first', { at: '{{$execution.id}}' }), { id: 'boom', connector: 'core', action: 'delay', input: { seconds: '{{seconds}}' } }],
    });
    const run = await t.request('POST', `/api/workflows/${wf.id}/run`, { token, body: { payload: { seconds: 'not-a-number' } } });
    const failed = await finished(run.body.executionId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^Step "boom" failed: Invalid input after rendering templates/);
    expect((await t.request('POST', `/api/executions/${run.body.executionId}/retry`, { token })).status).toBe(202);
    const list = await waitFor('the retry', async () => {
      const r = await t.request('GET', `/api/executions?workflowId=${wf.id}`, { token });
      return r.body.items.length === 2 && r.body.items.every((i: { status: string }) => i.status === 'failed') ? r.body.items : undefined;
    });
    const retry = (await t.request('GET', `/api/executions/${list[0].id}`, { token })).body;
    expect(retry).toMatchObject({ triggerType: 'retry', retryOf: run.body.executionId });
    expect(retry.steps[0]).toMatchObject({ stepId: 'first', reused: true, output: { at: run.body.executionId } });
    const ok = await t.request('POST', `/api/workflows/${wf.id}/run`, { token, body: { payload: { seconds: 0 } } });
    const done = await finished(ok.body.executionId);
    expect((await t.request('POST', `/api/executions/${done.id}/retry`, { token })).status).toBe(409);
  });

  it('webhooks accepted together share one queue job, and every one of them runs once', async () => {
    const wf = await createWorkflow({ trigger: { type: 'webhook' }, steps: [transform('echo', '{{n}}')] });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => t.request('POST', `/api/webhooks/${wf.id}`, { body: { n } })));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(202));
    const done = await Promise.all(answers.map((a) => finished(a.body.executionId)));
    expect(done.map((e) => [e.status, e.output, e.attempts])).toEqual(Array.from({ length: 40 }, (_, n) => ['succeeded', n, 1]));
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    const { rows } = await db.query(`SELECT job_id, count(*)::int AS n FROM executions WHERE workflow_id = $1 GROUP BY job_id`, [wf.id]);
    await db.end();
    expect(rows.every((r: { job_id: string | null }) => r.job_id !== null)).toBe(true);
    expect(rows.length).toBeLessThan(40);
    expect(rows.reduce((sum: number, r: { n: number }) => sum + r.n, 0)).toBe(40);
  });

  it('filters logs by status and workflow, paginates, and reports stats', async () => {
    const wf = await createWorkflow({ trigger: { type: 'webhook' }, steps: [transform('a', '{{n}}')] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.request('POST', `/api/webhooks/${wf.id}`, { body: { n: i } })).body.executionId);
    for (const id of ids) await finished(id);
    const page1 = await t.request('GET', `/api/logs?workflowId=${wf.id}&status=succeeded&limit=2`, { token });
    expect(page1.body.items).toHaveLength(2);
    const page2 = await t.request('GET', `/api/logs?workflowId=${wf.id}&status=succeeded&limit=2&cursor=${page1.body.nextCursor}`, { token });
    expect(page2.body.items).toHaveLength(1);
    expect(new Set([...page1.body.items, ...page2.body.items].map((i: { id: string }) => i.id))).toEqual(new Set(ids));
    const future = await t.request('GET', `/api/executions?workflowId=${wf.id}&from=${encodeURIComponent(new Date(Date.now() + 60000).toISOString())}`, { token });
    expect(future.body.items).toHaveLength(0);
    const stats = await t.request('GET', '/api/stats', { token });
    expect(stats.status).toBe(200);
    expect(stats.body.total).toBeGreaterThanOrEqual(3);
    expect(stats.body.perHour).toHaveLength(24);
    expect(stats.body.perWorkflow.find((w: { workflowId: string }) => w.workflowId === wf.id)).toMatchObject({ total: 3, succeeded: 3, failed: 0 });
    expect(stats.body.successRate).toBeGreaterThan(0);
    const other = await t.register();
    expect((await t.request('GET', `/api/executions/${ids[0]}`, { token: other.token })).status).toBe(404);
    expect((await t.request('POST', `/api/executions/${ids[0]}/retry`, { token: other.token })).status).toBe(404);
  });
});
