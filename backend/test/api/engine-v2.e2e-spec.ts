/**
 * The workflow language v2 end to end (SPEC "Workflow language v2" and "Durability contract"), on
 * real PostgreSQL and Redis, with workflows written as a user writes them from the SPEC: condition,
 * loop, parallel, wait (duration, until, webhook, approval) and call blocks, nested; the execution
 * tree; validation with the path of every bad field; retries of a loop that run only what failed;
 * cancel while waiting. WAIT_DURABLE_AFTER_MS=0: every wait parks the execution.
 */
import { jest } from '@jest/globals';
import { createServer } from 'node:http';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { waitFor } from '../helpers/wait.js';

jest.setTimeout(90_000);

describe('engine v2', () => {
  let t: TestApp;
  let token: string;
  let viewer: string;
  let sink: Sink;

  beforeAll(async () => {
    t = await createTestApp({ WAIT_DURABLE_AFTER_MS: '0' });
    await t.startWorker();
    const admin = await t.register();
    token = admin.token;
    // A viewer of the same workspace (moved and demoted in the database: invitations are not the point here).
    const { user } = await t.register();
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    await db.query(`UPDATE users SET role = 'viewer', tenant_id = $2 WHERE id = $1`, [user.id, admin.user.tenantId]).finally(() => db.end());
    viewer = (await t.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password123' } })).body.token;
    sink = await startSink();
  });
  afterAll(async () => {
    await sink?.close();
    await t?.close();
  });

  const post = (id: string, body: Record<string, unknown> = {}, path = id) => ({ id, connector: 'http', action: 'request', input: { method: 'POST', url: `${sink.url}/${path}`, body } });
  const transform = (id: string, value: unknown) => ({ id, connector: 'core', action: 'transform', input: { value } });
  const create = async (steps: unknown[], extra: Record<string, unknown> = {}, as = token) => t.request('POST', '/api/workflows', { token: as, body: { name: 'v2', trigger: { type: 'manual' }, steps, ...extra } });
  const run = async (workflowId: string, payload: unknown = {}) => (await t.request('POST', `/api/workflows/${workflowId}/run`, { token, body: { payload } })).body.executionId as string;
  const detail = async (id: string, as = token) => (await t.request('GET', `/api/executions/${id}`, { token: as })).body;
  const until = (id: string, statuses: string[], timeoutMs = 30_000) =>
    waitFor(`execution ${id} to be ${statuses.join(' or ')}`, async () => {
      const e = await detail(id);
      return statuses.includes(e.status) ? e : undefined;
    }, timeoutMs);
  const resumePath = (url: string) => new URL(url).pathname;

  it('runs a loop over items with concurrency: each iteration its own steps, {{item}} and {{$index}}, the output the array of last outputs, keyed per iteration', async () => {
    const wf = await create([
      { id: 'fanout', type: 'loop', items: '{{orders}}', concurrency: 3, steps: [post('ship', { order: '{{item.id}}', index: '{{$index}}' }), transform('label', 'order {{item.id}} #{{$index}} shipped {{steps.ship.body.ok}}')] },
      transform('summary', '{{json steps.fanout}}'),
    ]);
    expect(wf.status).toBe(201);
    const orders = Array.from({ length: 7 }, (_, i) => ({ id: `o${i}` }));
    const id = await run(wf.body.id, { orders });
    const e = await until(id, ['succeeded', 'failed']);
    expect(e.status).toBe('succeeded');
    const ship = sink.deliveries.filter((d) => d.path === '/ship' && d.idempotencyKey?.startsWith(id));
    expect(ship.map((d) => d.body.order).sort()).toEqual(orders.map((o) => o.id));
    expect(ship.map((d) => d.idempotencyKey).sort()).toEqual(orders.map((_, i) => `${id}:fanout[${i}].ship`).sort());
    const loop = e.steps.find((s: { stepId: string }) => s.stepId === 'fanout');
    expect(loop).toMatchObject({ type: 'loop', status: 'succeeded', output: orders.map((o, i) => `order ${o.id} #${i} shipped true`) });
    expect(JSON.parse(e.output)).toEqual(loop.output);
    // The tree: the loop with its seven iterations, each with its two steps.
    expect(e.tree.map((n: { stepId: string; status: string }) => [n.stepId, n.status])).toEqual([['fanout', 'succeeded'], ['summary', 'succeeded']]);
    expect(e.tree[0].iterations).toHaveLength(7);
    expect(e.tree[0].iterations[4].steps.map((n: { path: string; status: string }) => [n.path, n.status])).toEqual([['fanout[4].ship', 'succeeded'], ['fanout[4].label', 'succeeded']]);
    expect(e.tree[0].iterations[4].steps[0].result.idempotencyKey).toBe(`${id}:fanout[4].ship`);
  });

  it('refuses a loop over more than 10,000 items with a clear error, and items that are not an array', async () => {
    const wf = await create([{ id: 'big', type: 'loop', items: '{{items}}', steps: [transform('x', '{{item}}')] }]);
    const tooMany = await until(await run(wf.body.id, { items: Array.from({ length: 10_001 }, (_, i) => i) }), ['failed']);
    expect(tooMany.error).toBe('Step "big" failed: items gave 10001 items; a loop takes at most 10000');
    const notArray = await until(await run(wf.body.id, { items: 'nope' }), ['failed']);
    expect(notArray.error).toMatch(/items must give an array/);
  });

  it('runs parallel branches at the same time (output: each branch\'s last output), nested conditions, and fails the block when a branch fails', async () => {
    sink.delayMs.set('/slowA', 600);
    sink.delayMs.set('/slowB', 600);
    const wf = await create([
      {
        id: 'enrich',
        type: 'parallel',
        branches: [
          [post('geo', { ref: '{{ref}}' }, 'slowA'), transform('geoOut', 'geo:{{steps.geo.body.ok}}')],
          [post('crm', { ref: '{{ref}}' }, 'slowB'), { id: 'vip', type: 'condition', if: '{{eq tier "gold"}}', then: [transform('gold', 'VIP')], else: [transform('std', 'standard')] }],
        ],
      },
      transform('after', '{{steps.geoOut}} / {{steps.vip}} / {{steps.gold}}'),
    ]);
    expect(wf.status).toBe(201);
    const started = Date.now();
    const e = await until(await run(wf.body.id, { ref: 'p1', tier: 'gold' }), ['succeeded', 'failed']);
    expect(e.status).toBe('succeeded');
    const [a, b] = ['/slowA', '/slowB'].map((p) => sink.deliveries.find((d) => d.path === p && d.body.ref === 'p1')!.at);
    expect(Math.abs(a - b)).toBeLessThan(500); // side by side, not one after the other
    expect(Date.now() - started).toBeGreaterThan(600);
    expect(e.steps.find((s: { stepId: string }) => s.stepId === 'enrich').output).toEqual(['geo:true', 'VIP']);
    expect(e.output).toBe('geo:true / VIP / VIP');
    const tree = e.tree[0];
    expect(tree.branches.map((br: { steps: { stepId: string }[] }) => br.steps.map((n) => n.stepId))).toEqual([['geo', 'geoOut'], ['crm', 'vip']]);
    expect(tree.branches[1].steps[1]).toMatchObject({ type: 'condition', branch: 'then', steps: [{ stepId: 'gold', status: 'succeeded' }] });

    const failing = await create([{ id: 'both', type: 'parallel', branches: [[transform('fine', 'ok')], [{ ...post('broken'), input: { method: 'POST', url: 'http://127.0.0.1:1/' }, retry: { attempts: 1, backoffMs: 0 } }]] }, transform('never', 'x')]);
    const f = await until(await run(failing.body.id), ['failed']);
    expect(f.error).toMatch(/^Step "both\[1\]\.broken" failed: /);
    expect(f.steps.map((s: { path?: string; stepId: string; status: string }) => [s.path ?? s.stepId, s.status]).sort()).toEqual([['both', 'failed'], ['both[0].fine', 'succeeded'], ['both[1].broken', 'failed']]);
  });

  it('a retry of a failed loop runs only the iterations that failed or did not run: finished ones are not delivered again', async () => {
    const wf = await create([{ id: 'each', type: 'loop', items: '{{targets}}', steps: [{ id: 'send', connector: 'http', action: 'request', input: { method: 'POST', url: '{{item}}', body: { n: '{{$index}}', ref: 'retry1' } }, retry: { attempts: 1, backoffMs: 0 } }] }]);
    const targets = [`${sink.url}/r`, `${sink.url}/r`, 'http://127.0.0.1:1/', `${sink.url}/r`];
    const id = await run(wf.body.id, { targets });
    const failed = await until(id, ['failed']);
    expect(failed.error).toMatch(/^Step "each\[2\]\.send" failed/);
    // Sequential: the fourth never started.
    expect(sink.deliveries.filter((d) => d.body.ref === 'retry1').map((d) => d.body.n)).toEqual([0, 1]);
    const retried = await t.request('POST', `/api/executions/${id}/retry`, { token });
    expect(retried.status).toBe(202);
    const again = await until(retried.body.executionId, ['failed']);
    expect(sink.deliveries.filter((d) => d.body.ref === 'retry1').map((d) => d.body.n)).toEqual([0, 1]);
    const reused = again.steps.filter((s: { reused?: boolean }) => s.reused).map((s: { path: string }) => s.path);
    expect(reused).toEqual(['each[0].send', 'each[1].send']);
  });

  it('validation answers 400 with the path of every bad field, nested blocks included', async () => {
    const other = (await t.register()).token;
    const theirs = await create([], {}, other);
    const faulty = [
      transform('a', '{{steps.nowhere.x}}'),
      {
        id: 'blk',
        type: 'loop',
        items: '{{list}}',
        steps: [
          { id: 'bad', connector: 'slack', action: 'send_message', input: {} },
          { id: 'a', type: 'parallel', branches: [[{ id: 'c', type: 'call', workflowId: theirs.body.id }], [{ id: 'tpl', connector: 'core', action: 'transform', input: { value: '{{#if}}' } }]] },
        ],
      },
    ];
    const res = await create([...faulty, { id: 'w', type: 'wait', for: 'sometime' }]);
    expect(res.status).toBe(400);
    const paths = res.body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['steps.2.for']));
    // Shape errors come first (zod): fix the wait, then the rest is checked.
    const res2 = await create(faulty);
    expect(res2.status).toBe(400);
    const details = res2.body.details as { path: string; message: string }[];
    expect(details).toEqual(
      expect.arrayContaining([
        { path: 'steps.0.input.value', message: 'Unknown step "nowhere" in steps.nowhere (step "a")' },
        expect.objectContaining({ path: 'steps.1.steps.0.input.text' }),
        { path: 'steps.1.steps.1.id', message: 'Duplicate step id "a" (ids are unique across the whole workflow, blocks included)' },
        { path: 'steps.1.steps.1.branches.0.0.workflowId', message: 'No workflow with this id in this workspace' },
        expect.objectContaining({ path: 'steps.1.steps.1.branches.1.0.input.value', message: expect.stringMatching(/^Template error in step "tpl"/) }),
      ]),
    );
  });

  it('refuses calls that form a cycle, directly or through another workflow', async () => {
    const a = await create([transform('x', 1)]);
    const b = await create([{ id: 'toA', type: 'call', workflowId: a.body.id }]);
    expect(b.status).toBe(201);
    const self = await t.request('PUT', `/api/workflows/${a.body.id}`, { token, body: { steps: [{ id: 'me', type: 'call', workflowId: a.body.id }] } });
    expect(self.status).toBe(400);
    expect(self.body.details[0].path).toBe('steps.0');
    const loop = await t.request('PUT', `/api/workflows/${a.body.id}`, { token, body: { steps: [transform('x', 1), { id: 'toB', type: 'call', workflowId: b.body.id }] } });
    expect(loop.status).toBe(400);
    expect(loop.body.details).toEqual([{ path: 'steps.1', message: `Calls form a cycle: this workflow → workflow ${b.body.id} → this workflow` }]);
  });

  it('calls a sub-workflow: waiting for its output, or only starting it', async () => {
    const child = await create([transform('double', '{{n}}{{n}}')]);
    const parent = await create([
      { id: 'sub', type: 'call', workflowId: child.body.id, input: { n: '{{value}}' } },
      { id: 'fire', type: 'call', workflowId: child.body.id, input: { n: 'z' }, wait: false },
      transform('done', 'child said {{steps.sub}}; started {{steps.fire.executionId}}'),
    ]);
    expect(parent.status).toBe(201);
    const id = await run(parent.body.id, { value: '21' });
    const e = await until(id, ['succeeded', 'failed']);
    expect(e.status).toBe('succeeded');
    expect(e.output).toMatch(/^child said 2121; started [0-9a-f-]{36}$/);
    const children = (await t.request('GET', `/api/executions?workflowId=${child.body.id}`, { token })).body.items;
    expect(children.map((c: { triggerType: string }) => c.triggerType)).toEqual(['call', 'call']);
    const sub = await detail(e.steps.find((s: { stepId: string }) => s.stepId === 'fire').output.executionId);
    expect(sub.parentExecutionId).toBe(id);
    // The waited-for child stays linked from the step, whatever its output.
    const waited = e.steps.find((s: { stepId: string }) => s.stepId === 'sub');
    expect((await detail(waited.input.executionId)).parentExecutionId).toBe(id);
  });

  it('a failing sub-workflow fails the call step; onError continue lets it through', async () => {
    const child = await create([{ ...post('x'), input: { method: 'POST', url: 'http://127.0.0.1:1/' }, retry: { attempts: 1, backoffMs: 0 } }]);
    const parent = await create([{ id: 'sub', type: 'call', workflowId: child.body.id, onError: 'continue' }, transform('after', 'went on: {{steps.sub.error}}')]);
    const e = await until(await run(parent.body.id), ['succeeded', 'failed']);
    expect(e.status).toBe('succeeded');
    expect(e.output).toMatch(/^went on: Sub-workflow execution [0-9a-f-]{36} failed: Step "x" failed/);
  });

  it('waits for a duration and until a time without holding a worker, then goes on', async () => {
    const wf = await create([transform('before', 1), { id: 'pause', type: 'wait', for: 'duration', seconds: 2 }, { id: 'later', type: 'wait', for: 'until', at: '{{at}}' }, transform('after', 'done')]);
    expect(wf.status).toBe(201);
    const at = new Date(Date.now() + 3500).toISOString();
    const id = await run(wf.body.id, { at });
    const parked = await until(id, ['waiting']);
    expect(parked.waits).toEqual([expect.objectContaining({ stepId: 'pause', path: 'pause', kind: 'duration' })]);
    expect(parked.tree.map((n: { stepId: string; status: string }) => [n.stepId, n.status])).toEqual([['before', 'succeeded'], ['pause', 'waiting'], ['later', 'pending'], ['after', 'pending']]);
    const done = await until(id, ['succeeded', 'failed'], 20_000);
    expect(done.status).toBe('succeeded');
    expect(new Date(done.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(at).getTime());
    const pause = done.steps.find((s: { stepId: string; status: string }) => s.stepId === 'pause' && s.status === 'succeeded');
    expect(pause.output.firedAt).toBeDefined();
  });

  it('resumes a webhook wait on its resume URL once (the body is its output; 404 after use, for a forged token and after cancel)', async () => {
    const wf = await create([post('notify', { link: '{{$resumeUrl}}', ref: 'hook1' }), { id: 'reply', type: 'wait', for: 'webhook' }, transform('answer', 'got {{steps.reply.choice}}')]);
    const id = await run(wf.body.id);
    const parked = await until(id, ['waiting']);
    const url = parked.waits[0].resumeUrl as string;
    expect(url).toContain('/api/resume/');
    // The step before the wait sent the same URL out.
    expect(sink.deliveries.find((d) => d.body.ref === 'hook1')!.body.link).toBe(url);
    const forged = `${resumePath(url).slice(0, -4)}AAAA`;
    expect((await t.request('POST', forged, { body: {} })).status).toBe(404);
    const first = await t.request('POST', resumePath(url), { body: { choice: 'yes' } });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ executionId: id, resumed: true });
    expect((await t.request('POST', resumePath(url), { body: { choice: 'again' } })).status).toBe(404);
    const done = await until(id, ['succeeded', 'failed']);
    expect(done.output).toBe('got yes');

    // Cancelled while waiting: it ends, and its resume URL is dead.
    const id2 = await run(wf.body.id);
    const parked2 = await until(id2, ['waiting']);
    const cancelled = await t.request('POST', `/api/executions/${id2}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await t.request('POST', resumePath(parked2.waits[0].resumeUrl), { body: {} })).status).toBe(404);
  });

  it('a webhook wait times out and fails the run', async () => {
    const wf = await create([{ id: 'reply', type: 'wait', for: 'webhook', timeoutSeconds: 1 }, transform('never', 'x')]);
    const id = await run(wf.body.id);
    const parked = await until(id, ['waiting']);
    const failed = await until(id, ['failed'], 15_000);
    expect(failed.error).toBe('Step "reply" failed: The webhook wait timed out');
    expect((await t.request('POST', resumePath(parked.waits[0].resumeUrl), { body: {} })).status).toBe(404);
  });

  it('approvals: approve goes on with who and when (audited), reject fails the run unless onError continue; viewers and other tenants cannot decide', async () => {
    const wf = await create([{ id: 'ok', type: 'wait', for: 'approval', message: 'Ship it?' }, transform('after', 'approved by {{steps.ok.by}}: {{steps.ok.data.comment}}')]);
    const id = await run(wf.body.id);
    const parked = await until(id, ['waiting']);
    expect(parked.waits).toEqual([expect.objectContaining({ stepId: 'ok', kind: 'approval', message: 'Ship it?', dueAt: null })]);
    const other = (await t.register()).token;
    expect((await t.request('POST', `/api/executions/${id}/approve`, { token: other, body: {} })).status).toBe(404);
    expect((await detail(id, viewer)).status).toBe('waiting');
    expect((await t.request('POST', `/api/executions/${id}/approve`, { token: viewer, body: {} })).status).toBe(403);
    expect((await t.request('POST', `/api/executions/${id}/reject`, { token: viewer, body: {} })).status).toBe(403);
    expect((await t.request('POST', `/api/executions/${id}/approve`, { token, body: { stepId: 'nope' } })).status).toBe(409);
    const approved = await t.request('POST', `/api/executions/${id}/approve`, { token, body: { data: { comment: 'lgtm' } } });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ executionId: id, stepPath: 'ok', approved: true });
    const done = await until(id, ['succeeded', 'failed']);
    expect(done.output).toMatch(/^approved by user\d+-\d+@example\.com: lgtm$/);
    expect((await t.request('POST', `/api/executions/${id}/approve`, { token, body: {} })).status).toBe(409);
    const audit = await t.request('GET', '/api/audit?limit=20', { token });
    expect(audit.body.items.find((a: { action: string }) => a.action === 'execution.approve')).toMatchObject({ targetId: id, details: { stepPath: 'ok' } });

    const rejected = await run(wf.body.id);
    await until(rejected, ['waiting']);
    expect((await t.request('POST', `/api/executions/${rejected}/reject`, { token, body: {} })).status).toBe(200);
    const r = await until(rejected, ['failed']);
    expect(r.error).toMatch(/^Step "ok" failed: Rejected by user/);

    const lenient = await create([{ id: 'gate', type: 'wait', for: 'approval', onError: 'continue' }, transform('after', 'went on: {{steps.gate.error}}')]);
    const l = await run(lenient.body.id);
    await until(l, ['waiting']);
    await t.request('POST', `/api/executions/${l}/reject`, { token, body: {} });
    expect((await until(l, ['succeeded'])).output).toMatch(/^went on: Rejected by user/);
  });

  it('a waiting approval inside a loop: each iteration parks and resumes on its own approval', async () => {
    const wf = await create([{ id: 'each', type: 'loop', items: '{{list}}', steps: [{ id: 'gate', type: 'wait', for: 'approval' }, transform('t', '{{item}} ok')] }]);
    const id = await run(wf.body.id, { list: ['a', 'b'] });
    const p1 = await until(id, ['waiting']);
    expect(p1.waits.map((w: { path: string }) => w.path)).toEqual(['each[0].gate']);
    await t.request('POST', `/api/executions/${id}/approve`, { token, body: {} });
    const p2 = await waitFor('the second iteration to wait', async () => {
      const e = await detail(id);
      return e.status === 'waiting' && e.waits[0]?.path === 'each[1].gate' ? e : undefined;
    });
    expect(p2.tree[0].iterations.map((i: { steps: { status: string }[] }) => i.steps.map((s) => s.status))).toEqual([['succeeded', 'succeeded'], ['waiting', 'pending']]);
    await t.request('POST', `/api/executions/${id}/approve`, { token, body: { stepId: 'gate' } });
    const done = await until(id, ['succeeded']);
    expect(done.output).toEqual(['a ok', 'b ok']);
    expect(done.steps.find((s: { stepId: string }) => s.stepId === 'each').output).toEqual(['a ok', 'b ok']);
  });

  it('a step\'s retry is the only retry: attempts 1 sends one request, attempts 3 sends three, each after the provider\'s Retry-After', async () => {
    const hits: number[] = [];
    const busy = createServer((req, res) => {
      hits.push(Date.now());
      req.resume();
      res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":"busy"}');
    });
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(busy.address() as { port: number }).port}/`;
    try {
      const once = await create([{ id: 'call', connector: 'http', action: 'request', input: { method: 'POST', url }, retry: { attempts: 1, backoffMs: 0 } }]);
      const e1 = await until(await run(once.body.id), ['failed']);
      expect(hits).toHaveLength(1);
      expect(e1.steps[0]).toMatchObject({ status: 'failed', attempts: 1 });
      hits.length = 0;
      const thrice = await create([{ id: 'call', connector: 'http', action: 'request', input: { method: 'POST', url }, retry: { attempts: 3, backoffMs: 0 } }]);
      const e3 = await until(await run(thrice.body.id), ['failed'], 20_000);
      expect(hits).toHaveLength(3);
      expect(e3.steps[0]).toMatchObject({ status: 'failed', attempts: 3 });
      // Retry-After: 1 is the least the engine waits between attempts (backoffMs 0 would not wait).
      expect(hits[1] - hits[0]).toBeGreaterThanOrEqual(950);
      expect(hits[2] - hits[1]).toBeGreaterThanOrEqual(950);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('definitions saved before v2 (v1 condition action with step id lists, in-process delay) still run', async () => {
    const wf = await create([
      { id: 'check', connector: 'core', action: 'condition', input: { if: '{{eq kind "a"}}', then: ['onA'], else: ['onB'] } },
      transform('onA', 'A'),
      transform('onB', 'B'),
      { id: 'nap', connector: 'core', action: 'delay', input: { seconds: 0 } },
    ]);
    expect(wf.status).toBe(201);
    const e = await until(await run(wf.body.id, { kind: 'a' }), ['succeeded']);
    expect(e.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status])).toEqual([['check', 'succeeded'], ['onA', 'succeeded'], ['onB', 'skipped'], ['nap', 'succeeded']]);
  });
});
