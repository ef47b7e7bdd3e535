import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { platformEventSchemas } from '@tributary/contracts';
import { Redis } from 'ioredis';
import { createApp } from '../../src/app.js';
import { PlatformEvents } from '../../src/live/platform-events.js';
import { RealtimeGateway } from '../../src/realtime/realtime.gateway.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { exited, spawnWorker } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';
import { WsClient } from '../helpers/ws-client.js';

jest.setTimeout(60_000);

const AUTH_TIMEOUT_MS = 600;
const PING_INTERVAL_MS = 4000;
const MAX_BUFFERED = 64 * 1024;

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

describe('real time (/ws)', () => {
  let t: TestApp;
  let alice: { token: string; user: { id: string; tenantId: string } };
  let bob: { token: string; user: { id: string; tenantId: string } };
  const clients: WsClient[] = [];
  const children: ChildProcess[] = [];

  const open = async (opts: Parameters<typeof WsClient.open>[1] = {}) => {
    const c = await WsClient.open(t.baseUrl, opts);
    clients.push(c);
    return c;
  };
  const authed = async (token: string, opts: Parameters<typeof WsClient.authed>[2] = {}) => {
    const c = await WsClient.authed(t.baseUrl, token, opts);
    clients.push(c);
    return c;
  };
  const publish = async (token: string, topic: string, data: Record<string, unknown> = {}) => {
    const res = await t.request('POST', '/api/events', { token, body: { topic, data } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };

  beforeAll(async () => {
    t = await createTestApp({
      WS_AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS),
      WS_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
      WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
      WS_MAX_PAYLOAD_BYTES: '4096',
    });
    alice = await t.register();
    bob = await t.register();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const c of children) c.kill('SIGKILL');
    await t?.close();
  });

  it('authenticates by ?token=, answers auth_success and then a welcome system message', async () => {
    const c = await authed(alice.token);
    expect(c.messages[0]).toEqual({ event: 'auth_success', data: { userId: alice.user.id, tenantId: alice.user.tenantId, name: 'Test User' } });
    const welcome = await c.next('system');
    expect(welcome.data).toMatchObject({ type: 'welcome', topics: ['*'] });
    expect(welcome.data.message).toContain('Welcome, Test User');
  });

  it('authenticates by a first auth message', async () => {
    const c = await open();
    c.send('auth', { token: alice.token });
    const ok = await c.next('auth_success');
    expect(ok.data).toMatchObject({ userId: alice.user.id, tenantId: alice.user.tenantId });
    // A second auth is refused without dropping the connection.
    c.send('auth', { token: alice.token });
    expect((await c.next('error')).data.code).toBe('already_authenticated');
    c.send('ping');
    await c.next('pong');
  });

  it('answers a bad token with an error and closes with 4401, by query or by message', async () => {
    const byQuery = await open({ token: 'not-a-jwt' });
    expect(await within(byQuery.closed, 3000, 'close')).toEqual({ code: 4401, reason: 'Unauthorized' });
    expect(byQuery.messages).toEqual([{ event: 'error', data: { message: 'Invalid token', code: 'unauthorized' } }]);

    const forged = alice.token.slice(0, -4) + (alice.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const byMessage = await open();
    byMessage.send('auth', { token: forged });
    expect((await within(byMessage.closed, 3000, 'close')).code).toBe(4401);
    expect(byMessage.of('error')[0].data.code).toBe('unauthorized');
    expect(byMessage.of('auth_success')).toEqual([]);
  });

  it('closes a socket that does not authenticate in time (4408), and refuses work before auth', async () => {
    const c = await open();
    const started = Date.now();
    c.send('subscribe', { topics: ['execution.*'] });
    expect((await c.next('error')).data.code).toBe('not_authenticated');
    const closed = await within(c.closed, 5000, 'auth timeout close');
    expect(closed.code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 50);
    expect(c.of('error').map((e) => e.data.code)).toEqual(['not_authenticated', 'auth_timeout']);
  });

  it('answers malformed and unknown messages with an error and keeps the connection; closes on an oversized one', async () => {
    const c = await authed(alice.token);
    c.ws.send('{"event": "subscribe", "data": ');
    const bad = await c.next('error');
    expect(bad.data).toEqual({ code: 'bad_message', message: 'Malformed message: not valid JSON; expected {"event": string, "data": …}' });
    c.ws.send('[1,2,3]');
    await c.next('error', (d) => d.message.includes('expected an object'));
    c.send('dance', {});
    await c.next('error', (d) => d.code === 'unknown_event' && d.message.includes('"dance"'));
    c.send('subscribe', { topics: ['bad topic!'] });
    await c.next('error', (d) => d.code === 'bad_topics');
    c.send('ping');
    await c.next('pong');
    c.ws.send(JSON.stringify({ event: 'ping', data: 'x'.repeat(5000) }));
    expect((await within(c.closed, 3000, 'close on oversized message')).code).toBe(1009);
  });

  it('delivers a tenant its own events only', async () => {
    const a = await authed(alice.token);
    const b = await authed(bob.token);
    const fromAlice = await publish(alice.token, 'orders.created', { n: 1 });
    const got = await a.next('event.published', (d) => d.id === fromAlice.id);
    expect(got.data).toMatchObject({ topic: 'orders.created', data: { n: 1 }, publisherId: alice.user.id, executionIds: [] });
    // Bob's own event arrives (so his socket is live), Alice's never does.
    const fromBob = await publish(bob.token, 'orders.created', { n: 2 });
    await b.next('event.published', (d) => d.id === fromBob.id);
    expect(b.of('event.published').map((m) => m.data.id)).toEqual([fromBob.id]);
    expect(a.of('event.published').map((m) => m.data.id)).not.toContain(fromBob.id);
  });

  it('narrows delivery to subscribed topic patterns; subscribe adds, unsubscribe removes', async () => {
    const c = await authed(alice.token);
    c.send('subscribe', { topics: ['workflow.*'] });
    expect((await c.next('subscribed')).data).toEqual({ topics: ['workflow.*'] });
    const ignored = await publish(alice.token, 'ignored.topic');
    const wf = await t.request('POST', '/api/workflows', { token: alice.token, body: { name: 'watched', trigger: { type: 'manual' } } });
    const created = await c.next('workflow.updated', (d) => d.workflowId === wf.body.id);
    expect(created.data).toMatchObject({ action: 'saved', name: 'watched', version: 1, enabled: true, triggerType: 'manual' });
    await t.request('PUT', `/api/workflows/${wf.body.id}/toggle`, { token: alice.token, body: { enabled: false } });
    await c.next('workflow.updated', (d) => d.workflowId === wf.body.id && d.enabled === false);
    await t.request('DELETE', `/api/workflows/${wf.body.id}`, { token: alice.token });
    await c.next('workflow.updated', (d) => d.workflowId === wf.body.id && d.action === 'deleted');
    expect(c.of('event.published').map((m) => m.data.id)).not.toContain(ignored.id);

    c.send('subscribe', { topics: ['event.published'] });
    expect((await c.next('subscribed', (d) => d.topics.length === 2)).data.topics).toEqual(['workflow.*', 'event.published']);
    const seen = await publish(alice.token, 'seen.topic');
    await c.next('event.published', (d) => d.id === seen.id);
    c.send('unsubscribe', { topics: ['event.published'] });
    expect((await c.next('unsubscribed')).data).toEqual({ topics: ['workflow.*'] });
    const dropped = await publish(alice.token, 'seen.topic');
    const marker = await t.request('POST', '/api/workflows', { token: alice.token, body: { name: 'marker', trigger: { type: 'manual' } } });
    await c.next('workflow.updated', (d) => d.workflowId === marker.body.id);
    expect(c.of('event.published').map((m) => m.data.id)).not.toContain(dropped.id);
  });

  it('delivers execution events published by a separate worker process', async () => {
    const worker = spawnWorker(t.env);
    children.push(worker);
    const c = await authed(alice.token);
    c.send('subscribe', { topics: ['execution.*'] });
    await c.next('subscribed');
    const other = await authed(bob.token);
    const wf = await t.request('POST', '/api/workflows', {
      token: alice.token,
      body: { name: 'run me', trigger: { type: 'manual' }, steps: [{ id: 'hello', connector: 'core', action: 'transform', input: { value: 'hi {{name}}' } }] },
    });
    expect(wf.status).toBe(201);
    const run = await t.request('POST', `/api/workflows/${wf.body.id}/run`, { token: alice.token, body: { payload: { name: 'Ada' } } });
    expect(run.status).toBe(202);
    const id = run.body.executionId;
    const done = await c.next('execution.succeeded', (d) => d.executionId === id, 30_000);
    expect(done.data).toMatchObject({ workflowId: wf.body.id, status: 'succeeded' });
    const seq = c.messages.filter((m) => m.event.startsWith('execution.') && m.data.executionId === id).map((m) => m.event);
    expect(seq).toEqual(['execution.queued', 'execution.started', 'execution.step', 'execution.succeeded']);
    expect(c.of('execution.step').find((m) => m.data.executionId === id)!.data.step).toEqual({ stepId: 'hello', connector: 'core', action: 'transform', status: 'succeeded', attempts: 1, durationMs: expect.any(Number) });
    expect(other.messages.filter((m) => m.event.startsWith('execution.'))).toEqual([]);
    worker.kill('SIGTERM');
    await exited(worker);
  });

  it('runs every kind of run through one lifecycle: a sync webhook tells the same events as a queued run, a dry run none', async () => {
    const c = await authed(alice.token);
    c.send('subscribe', { topics: ['execution.*'] });
    await c.next('subscribed');
    const steps = [
      { id: 'hello', connector: 'core', action: 'transform', input: { value: 'hi {{name}}' } },
      { id: 'again', connector: 'core', action: 'transform', input: { value: '{{steps.hello}}!' } },
    ];
    const wf = await t.request('POST', '/api/workflows', { token: alice.token, body: { name: 'sync', trigger: { type: 'webhook', responseMode: 'sync' }, steps } });
    expect(wf.status).toBe(201);
    const res = await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { name: 'Ada' } });
    expect(res.status).toBe(200);
    expect(res.body).toBe('hi Ada!');
    const id = res.headers['x-execution-id'] as string;
    await c.next('execution.succeeded', (d) => d.executionId === id, 10_000);
    const mine = c.messages.filter((m) => m.event.startsWith('execution.') && m.data.executionId === id);
    expect(mine.map((m) => m.event)).toEqual(['execution.queued', 'execution.started', 'execution.step', 'execution.step', 'execution.succeeded']);
    // Every payload is exactly what the realtime contract says (strict schemas: no field more, none less).
    for (const m of mine) expect(platformEventSchemas[m.event as keyof typeof platformEventSchemas].safeParse(m.data).error).toBeUndefined();
    expect(mine[0].data).toEqual({ executionId: id, workflowId: wf.body.id, triggerType: 'webhook' });
    expect(mine[1].data).toEqual({ executionId: id, workflowId: wf.body.id, attempt: 1 });
    expect(mine[4].data).toEqual({ executionId: id, workflowId: wf.body.id, status: 'succeeded', durationMs: expect.any(Number) });

    const before = c.messages.length;
    const dry = await t.request('POST', `/api/workflows/${wf.body.id}/dry-run`, { token: alice.token, body: { payload: { name: 'Bo' } } });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ status: 'succeeded', output: 'hi Bo!' });
    // A queued run after it: once its events arrived, the dry run's would have too.
    const run = await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { name: 'Cy' } });
    expect(run.body).toBe('hi Cy!');
    const runId = run.headers['x-execution-id'] as string;
    await c.next('execution.succeeded', (d) => d.executionId === runId, 10_000);
    expect(c.messages.slice(before).map((m) => m.data.executionId)).toEqual(Array(5).fill(runId));
  });

  it('publishes a tenant\'s events only while a socket watches it, and reaches sockets on another api process', async () => {
    const carol = await t.register();
    const channel = `${t.config.redisPrefix}:events:${carol.user.tenantId}`;
    // Everything published for any tenant of this app, whether or not an api listens.
    const spy = new Redis(t.config.redisUrl!);
    const heard: string[] = [];
    spy.on('pmessage', (_pattern: string, ch: string) => heard.push(ch));
    await spy.psubscribe(`${t.config.redisPrefix}:events:*`);
    const worker = spawnWorker(t.env);
    children.push(worker);
    const wf = await t.request('POST', '/api/workflows', {
      token: carol.token,
      body: { name: 'watched or not', trigger: { type: 'webhook' }, steps: [{ id: 'hello', connector: 'core', action: 'transform', input: { value: '{{n}}' } }] },
    });
    const fire = async (n: number) => (await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { n } })).body.executionId as string;
    const succeeded = (id: string) => waitFor(`execution ${id}`, async () => (await t.request('GET', `/api/executions/${id}`, { token: carol.token })).body.status === 'succeeded');

    // Nobody watches Carol's workspace: her runs publish nothing, from the api or the worker.
    await succeeded(await fire(1));
    // The worker publishes after it records the result: give a stray PUBLISH time to arrive.
    await new Promise((r) => setTimeout(r, 300));
    expect(heard.filter((ch) => ch === channel)).toEqual([]);

    // A socket on a second api process: events published by the first api and by the worker reach it.
    const second = await createApp(t.config);
    try {
      await second.listen({ port: 0, host: '127.0.0.1' });
      const c = await WsClient.authed(`http://127.0.0.1:${(second.getHttpServer().address() as { port: number }).port}`, carol.token);
      clients.push(c);
      const id = await fire(2);
      await c.next('execution.succeeded', (d) => d.executionId === id, 30_000);
      expect(c.messages.filter((m) => m.data?.executionId === id).map((m) => m.event)).toEqual(['execution.queued', 'execution.started', 'execution.step', 'execution.succeeded']);
      expect(heard).toContain(channel);
      // Many at once: the api's `queued` (sent before the job exists) never arrives after the worker's `started`.
      const many = await Promise.all(Array.from({ length: 40 }, (_, i) => fire(10 + i)));
      for (const m of many) await c.next('execution.succeeded', (d) => d.executionId === m, 30_000);
      for (const m of many) expect(c.messages.filter((x) => x.data?.executionId === m).map((x) => x.event)).toEqual(['execution.queued', 'execution.started', 'execution.step', 'execution.succeeded']);

      // The socket leaves: the first PUBLISH that reaches nobody stops publishers sending her events.
      c.close();
      await spy.quit();
      const events = t.app.get(PlatformEvents);
      await waitFor('the api to stop publishing her events', async () => {
        await fire(3);
        return !events.isWatched(carol.user.tenantId);
      });
    } finally {
      await second.close();
      worker.kill('SIGTERM');
      await exited(worker);
    }
  });

  it('drops a slow consumer once its send buffer passes the bound, while the others keep receiving', async () => {
    const gateway = t.app.get(RealtimeGateway);
    const before = gateway.stats().slowConsumersDropped;
    const fast = await authed(alice.token);
    const slow = await authed(alice.token);
    // Stop reading on the slow client: the kernel buffers fill, then the server's queue grows.
    const raw = (slow.ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    const blob = 'x'.repeat(200_000);
    const ids: string[] = [];
    for (let i = 0; i < 40 && gateway.stats().slowConsumersDropped === before; i += 4) {
      const batch = await Promise.all([0, 1, 2, 3].map((k) => publish(alice.token, 'bulk.data', { i: i + k, blob })));
      ids.push(...batch.map((b) => b.id));
    }
    await waitFor('the slow consumer to be dropped', async () => gateway.stats().slowConsumersDropped > before, 5000, 20);
    const last = await publish(alice.token, 'after.drop', { ok: true });
    await fast.next('event.published', (d) => d.id === last.id);
    expect(fast.of('event.published').filter((m) => m.data.topic === 'bulk.data').map((m) => m.data.id).sort()).toEqual(ids.sort());
    raw.resume();
    await within(slow.closed, 5000, 'the slow client to see its connection end');
    expect(slow.of('event.published').map((m) => m.data.id)).not.toContain(last.id);
  });

  it('terminates a socket that misses a pong', async () => {
    const silent = await authed(alice.token, { ws: { autoPong: false } });
    const lively = await authed(alice.token);
    const closed = await within(silent.closed, PING_INTERVAL_MS * 2 + 2000, 'the silent socket to be terminated');
    expect(closed.code).toBe(1006);
    expect(lively.ws.readyState).toBe(lively.ws.OPEN);
  });
});

describe('real time without Redis (zero-install: live events through PostgreSQL LISTEN/NOTIFY)', () => {
  let t: TestApp;
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    t = await createTestApp({ REDIS_URL: '', QUEUE_BACKEND: 'postgres' });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await t?.close();
  });

  it('delivers the events of a separate worker process and of the api, a big one truncated', async () => {
    expect(t.env.REDIS_URL).toBeUndefined();
    worker = spawnWorker(t.env);
    const alice = await t.register();
    const c = await WsClient.authed(t.baseUrl, alice.token);
    const wf = await t.request('POST', '/api/workflows', {
      token: alice.token,
      body: { name: 'no redis', trigger: { type: 'manual' }, steps: [{ id: 'hello', connector: 'core', action: 'transform', input: { value: 'hi {{name}}' } }] },
    });
    const run = await t.request('POST', `/api/workflows/${wf.body.id}/run`, { token: alice.token, body: { payload: { name: 'Ada' } } });
    expect(run.status).toBe(202);
    const id = run.body.executionId;
    await c.next('execution.succeeded', (d) => d.executionId === id, 30_000);
    expect(c.messages.filter((m) => m.data?.executionId === id).map((m) => m.event)).toEqual(['execution.queued', 'execution.started', 'execution.step', 'execution.succeeded']);

    const big = await t.request('POST', '/api/events', { token: alice.token, body: { topic: 'orders.bulk', data: { blob: 'x'.repeat(20_000) } } });
    expect(big.status).toBe(201);
    const got = await c.next('event.published', (d) => d.id === big.body.id);
    expect(got.data).toEqual({ id: big.body.id, topic: 'orders.bulk', truncated: true });
    c.close();
    worker.kill('SIGTERM');
    await exited(worker);
  });
});
