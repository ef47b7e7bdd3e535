import { jest } from '@jest/globals';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { WsClient } from '../helpers/ws-client.js';

jest.setTimeout(60_000);

type Account = { token: string; user: { id: string; tenantId: string; email: string } };

describe('events', () => {
  let t: TestApp;
  let admin: Account;
  let other: Account;
  let db: pg.Client;
  const clients: WsClient[] = [];

  const post = (token: string, body: unknown) => t.request('POST', '/api/events', { token, body });
  const workflow = async (token: string, topic: string, extra: Record<string, unknown> = {}) => {
    const res = await t.request('POST', '/api/workflows', {
      token,
      body: { name: `on ${topic}`, trigger: { type: 'event', topic }, steps: [{ id: 'echo', connector: 'core', action: 'transform', input: { value: '{{order.id}}' } }], ...extra },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const executionsOf = async (workflowId: string) =>
    (await db.query(`SELECT id, trigger_type, payload, created_at FROM executions WHERE workflow_id = $1 ORDER BY created_at`, [workflowId])).rows;

  beforeAll(async () => {
    t = await createTestApp();
    await t.startWorker();
    admin = await t.register();
    other = await t.register();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await db?.end();
    await t?.close();
  });

  it('refuses bad input with field errors, and non-admins with 403', async () => {
    const res = await post(admin.token, { topic: 'has space', data: [1, 2], deliverAt: 'tomorrow' });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['data', 'deliverAt', 'topic']);
    expect((await post(admin.token, {})).body.details).toEqual([expect.objectContaining({ path: 'topic' })]);
    const tooFar = await post(admin.token, { topic: 'x', deliverAt: new Date(Date.now() + 400 * 86400_000).toISOString() });
    expect(tooFar.body.details).toEqual([{ path: 'deliverAt', message: 'At most 366 days ahead' }]);

    const editor = await t.register();
    await db.query(`UPDATE users SET role = 'editor' WHERE id = $1`, [editor.user.id]);
    const login = await t.request('POST', '/api/auth/login', { body: { email: editor.user.email, password: 'password123' } });
    const denied = await post(login.body.token, { topic: 'orders.created' });
    expect(denied.status).toBe(403);
    expect((await t.request('GET', '/api/events', { token: login.body.token })).status).toBe(200);
    expect((await post(undefined as never, { topic: 'x' })).status).toBe(401);
  });

  it('starts the enabled workflows whose event trigger matches the topic (exact or *), in the publisher tenant only', async () => {
    const exact = await workflow(admin.token, 'orders.created');
    const wild = await workflow(admin.token, 'orders.*');
    const underscore = await workflow(admin.token, 'orders_*');
    const elsewhere = await workflow(admin.token, 'invoices.paid');
    const disabled = await workflow(admin.token, 'orders.created', { enabled: false });
    const otherTenant = await workflow(other.token, 'orders.created');

    const res = await post(admin.token, { topic: 'orders.created', data: { order: { id: 42 } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ topic: 'orders.created', data: { order: { id: 42 } }, publisherId: admin.user.id, deliverAt: null, scheduled: false });
    expect(res.body.deliveredAt).toEqual(expect.any(String));
    expect(res.body.executionIds).toHaveLength(2);

    for (const wf of [exact, wild]) {
      const [e] = await executionsOf(wf);
      expect(res.body.executionIds).toContain(e.id);
      expect(e.trigger_type).toBe('event');
      expect(e.payload).toEqual({ order: { id: 42 }, $event: { id: res.body.id, topic: 'orders.created', publishedAt: res.body.createdAt, publisherId: admin.user.id } });
      const done = await waitFor('the triggered run', async () => {
        const r = await t.request('GET', `/api/executions/${e.id}`, { token: admin.token });
        return r.body.status === 'succeeded' ? r.body : undefined;
      });
      expect(done.output).toBe(42);
    }
    // `_` in a trigger is literal, not LIKE's any-character.
    expect(await executionsOf(underscore)).toEqual([]);
    expect((await post(admin.token, { topic: 'orders_x' })).body.executionIds).toHaveLength(1);
    for (const wf of [elsewhere, disabled, otherTenant]) expect(await executionsOf(wf)).toEqual([]);
  });

  it('delivers a scheduled event at its time: socket message, triggered workflow, deliveredAt', async () => {
    const wf = await workflow(admin.token, 'reminders.due');
    const ws = await WsClient.authed(t.baseUrl, admin.token);
    clients.push(ws);
    const deliverAt = new Date(Date.now() + 1500);
    const res = await post(admin.token, { topic: 'reminders.due', data: { order: { id: 7 } }, deliverAt: deliverAt.toISOString() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ scheduled: true, executionIds: [], deliveredAt: null, deliverAt: deliverAt.toISOString() });
    expect(await executionsOf(wf)).toEqual([]);

    const msg = await ws.next('event.published', (d) => d.id === res.body.id, 10_000);
    const arrived = Date.now();
    expect(arrived).toBeGreaterThanOrEqual(deliverAt.getTime());
    expect(arrived - deliverAt.getTime()).toBeLessThan(2500);
    expect(msg.data).toMatchObject({ topic: 'reminders.due', data: { order: { id: 7 } }, deliverAt: deliverAt.toISOString() });
    expect(msg.data.executionIds).toHaveLength(1);
    const [e] = await executionsOf(wf);
    expect(e.id).toBe(msg.data.executionIds[0]);
    expect(new Date(e.created_at).getTime()).toBeGreaterThanOrEqual(deliverAt.getTime());

    const listed = await t.request('GET', '/api/events?topic=reminders.due', { token: admin.token });
    expect(listed.body.items[0]).toMatchObject({ id: res.body.id, deliveredAt: expect.any(String) });
    expect(Date.parse(listed.body.items[0].deliveredAt)).toBeGreaterThanOrEqual(deliverAt.getTime());
  });

  it('delivers at once when deliverAt is now or past', async () => {
    const wf = await workflow(admin.token, 'late.event');
    const res = await post(admin.token, { topic: 'late.event', deliverAt: new Date(Date.now() - 60_000).toISOString() });
    expect(res.body).toMatchObject({ scheduled: false, deliveredAt: expect.any(String) });
    expect((await executionsOf(wf)).map((e) => e.id)).toEqual(res.body.executionIds);
  });

  it('lists the timeline newest first with topic and time filters and a cursor, per tenant', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(admin.token, { topic: 'timeline.tick', data: { i } })).body.id);
    await post(admin.token, { topic: 'timeline.other' });

    const first = await t.request('GET', '/api/events?topic=timeline.tick&limit=2', { token: admin.token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { id: string }) => e.id)).toEqual([ids[4], ids[3]]);
    const second = await t.request('GET', `/api/events?topic=timeline.tick&limit=2&cursor=${first.body.nextCursor}`, { token: admin.token });
    const third = await t.request('GET', `/api/events?topic=timeline.tick&limit=2&cursor=${second.body.nextCursor}`, { token: admin.token });
    expect([...second.body.items, ...third.body.items].map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(third.body.nextCursor).toBeNull();

    const wild = await t.request('GET', '/api/events?topic=timeline.*&limit=100', { token: admin.token });
    expect(wild.body.items).toHaveLength(6);

    await db.query(`UPDATE events SET created_at = '2024-03-01T10:15:00Z' WHERE id = $1`, [ids[0]]);
    const ranged = await t.request('GET', '/api/events?from=2024-03-01T10:00:00Z&to=2024-03-01T11:00:00Z', { token: admin.token });
    expect(ranged.body.items.map((e: { id: string }) => e.id)).toEqual([ids[0]]);

    expect((await t.request('GET', '/api/events?topic=timeline.*', { token: other.token })).body.items).toEqual([]);
    const bad = await t.request('GET', '/api/events?from=yesterday&groupBy=week&cursor=zzz', { token: admin.token });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['from', 'groupBy']);
  });

  it('groups counts per hour or day, in a time zone', async () => {
    const times = ['2024-05-01T08:05:00Z', '2024-05-01T08:55:00Z', '2024-05-01T09:10:00Z', '2024-05-01T23:30:00Z', '2024-05-02T01:00:00Z'];
    for (const at of times) {
      const { body } = await post(admin.token, { topic: 'grouped.x' });
      await db.query(`UPDATE events SET created_at = $2 WHERE id = $1`, [body.id, at]);
    }
    const q = 'topic=grouped.x&from=2024-05-01T00:00:00Z&to=2024-05-03T00:00:00Z';
    const hours = await t.request('GET', `/api/events?${q}&groupBy=hour`, { token: admin.token });
    expect(hours.body).toEqual({
      groupBy: 'hour',
      timezone: 'UTC',
      buckets: [
        { bucket: '2024-05-01T08:00:00.000Z', count: 2 },
        { bucket: '2024-05-01T09:00:00.000Z', count: 1 },
        { bucket: '2024-05-01T23:00:00.000Z', count: 1 },
        { bucket: '2024-05-02T01:00:00.000Z', count: 1 },
      ],
    });
    const days = await t.request('GET', `/api/events?${q}&groupBy=day`, { token: admin.token });
    expect(days.body.buckets).toEqual([
      { bucket: '2024-05-01T00:00:00.000Z', count: 4 },
      { bucket: '2024-05-02T00:00:00.000Z', count: 1 },
    ]);
    // Berlin is UTC+2 in May: 23:30Z and 01:00Z both fall on 2 May there.
    const berlin = await t.request('GET', `/api/events?${q}&groupBy=day&timezone=Europe/Berlin`, { token: admin.token });
    expect(berlin.body.buckets).toEqual([
      { bucket: '2024-04-30T22:00:00.000Z', count: 3 },
      { bucket: '2024-05-01T22:00:00.000Z', count: 2 },
    ]);
    expect((await t.request('GET', `/api/events?${q}&groupBy=day`, { token: other.token })).body.buckets).toEqual([]);
  });
});
