import { createHash } from 'node:crypto';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';

interface Consumer {
  id: string;
  username: string;
  plan: string;
  groups: string[];
  keyHint: string;
  kongUsername: string;
}

/** Captures (and keeps off the console) the api's JSON log lines while the test apps run. */
function captureLogs(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.startsWith('{')) {
      chunks.push(text);
      return true;
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => {
      process.stdout.write = write;
    },
  };
}

/** A user of a fresh tenant with the given role (demoted in the database: there is no role API yet). */
async function userWithRole(t: TestApp, role: 'editor' | 'viewer'): Promise<string> {
  const { user } = await t.register();
  const db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  await db.query(`UPDATE users SET role = $2 WHERE id = $1`, [user.id, role]).finally(() => db.end());
  return (await t.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password123' } })).body.token as string;
}

const kongHeaders = (c: Consumer, requestId?: string) => ({
  'x-consumer-id': c.id,
  'x-consumer-username': c.kongUsername,
  'x-credential-identifier': '6f1c1d2e-0000-4000-8000-000000000001',
  ...(requestId ? { 'x-request-id': requestId } : {}),
});

describe('API consumers', () => {
  // One app trusts the loopback address the tests connect from; the other trusts only 10.0.0.0/8.
  let trusted: TestApp;
  let untrusted: TestApp;
  let token: string;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    logs = captureLogs();
    [trusted, untrusted] = await Promise.all([
      createTestApp({ TRUSTED_PROXIES: '127.0.0.1', LOG_LEVEL: 'info' }),
      createTestApp({ TRUSTED_PROXIES: '10.0.0.0/8,fd00::/8', LOG_LEVEL: 'info' }),
    ]);
    token = (await trusted.register()).token;
  });
  afterAll(async () => {
    logs?.restore();
    await Promise.all([trusted?.close(), untrusted?.close()]);
  });

  it('creates a consumer with an API key shown once, stored only sealed and hashed', async () => {
    const res = await trusted.request('POST', '/api/consumers', { token, body: { username: 'acme-shop', plan: 'pro', groups: ['partners'] } });
    expect(res.status).toBe(201);
    const { consumer, apiKey } = res.body as { consumer: Consumer; apiKey: string };
    expect(apiKey).toMatch(/^trb_[A-Za-z0-9_-]{43}$/);
    expect(consumer).toMatchObject({ username: 'acme-shop', plan: 'pro', groups: ['partners'], keyHint: `••••${apiKey.slice(-4)}` });
    expect(res.body.pushed).toBeNull(); // no KONG_ADMIN_URL here

    const list = await trusted.request('GET', '/api/consumers', { token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: Consumer) => c.id)).toEqual([consumer.id]);
    expect(list.text).not.toContain(apiKey);
    const one = await trusted.request('GET', `/api/consumers/${consumer.id}`, { token });
    expect(one.body).toEqual(consumer);
    expect(one.text).not.toContain(apiKey);

    const db = new pg.Client({ connectionString: trusted.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT * FROM api_consumers`);
      expect(rows).toHaveLength(1);
      const dump = JSON.stringify(rows) + Buffer.from(rows[0].key_ciphertext).toString('latin1');
      expect(dump).not.toContain(apiKey);
      expect(Buffer.from(rows[0].key_hash).equals(createHash('sha256').update(apiKey).digest())).toBe(true);
      const audit = await db.query(`SELECT action FROM audit_logs WHERE action LIKE 'consumer.%'`);
      expect(audit.rows.map((r) => r.action)).toEqual(['consumer.create']);
    } finally {
      await db.end();
    }
  });

  it('refuses a duplicate name, bad names, and other tenants; only admins manage consumers', async () => {
    const first = await trusted.request('POST', '/api/consumers', { token, body: { username: 'dup' } });
    expect(first.status).toBe(201);
    expect(first.body.consumer.plan).toBe('free');
    expect((await trusted.request('POST', '/api/consumers', { token, body: { username: 'dup' } })).status).toBe(409);
    const bad = await trusted.request('POST', '/api/consumers', { token, body: { username: 'no spaces', groups: ['a,b'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['groups.0', 'username']);

    const other = await trusted.register();
    const id = first.body.consumer.id as string;
    for (const [method, url] of [
      ['GET', `/api/consumers/${id}`],
      ['DELETE', `/api/consumers/${id}`],
      ['POST', `/api/consumers/${id}/rotate-key`],
      ['GET', `/api/consumers/${id}/usage`],
    ] as const) {
      expect(`${method} ${url}: ${(await trusted.request(method, url, { token: other.token })).status}`).toBe(`${method} ${url}: 404`);
    }
    expect((await trusted.request('GET', '/api/consumers', { token: other.token })).body.items).toEqual([]);
    expect((await trusted.request('GET', '/api/consumers')).status).toBe(401);
    const editor = await userWithRole(trusted, 'editor');
    expect((await trusted.request('POST', '/api/consumers', { token: editor, body: { username: 'nope' } })).status).toBe(403);
    expect((await trusted.request('GET', '/api/consumers', { token: editor })).status).toBe(403);
  });

  it('rotates the key: a new one, shown once, replaces the old', async () => {
    const created = await trusted.request('POST', '/api/consumers', { token, body: { username: 'rotating' } });
    const rotated = await trusted.request('POST', `/api/consumers/${created.body.consumer.id}/rotate-key`, { token });
    expect(rotated.status).toBe(201);
    expect(rotated.body.apiKey).toMatch(/^trb_/);
    expect(rotated.body.apiKey).not.toBe(created.body.apiKey);
    expect(rotated.body.consumer.keyHint).toBe(`••••${rotated.body.apiKey.slice(-4)}`);
    expect(Date.parse(rotated.body.consumer.keyRotatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.consumer.keyRotatedAt));

    expect((await trusted.request('DELETE', `/api/consumers/${created.body.consumer.id}`, { token })).status).toBe(200);
    expect((await trusted.request('GET', `/api/consumers/${created.body.consumer.id}`, { token })).status).toBe(404);
  });

  it('counts usage per consumer, route and day exactly under concurrent load, in batches', async () => {
    const { body } = await trusted.request('POST', '/api/consumers', { token, body: { username: 'metered' } });
    const consumer = body.consumer as Consumer;
    const wf = await trusted.request('POST', '/api/workflows', {
      token,
      body: { name: 'Metered hook', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: 1 } }] },
    });
    expect(wf.status).toBe(201);

    const plan: [string, string, number, { token?: string; body?: unknown }][] = [
      ['POST', `/api/webhooks/${wf.body.id}`, 200, { body: { n: 1 } }],
      ['GET', '/health', 150, {}],
      ['GET', '/api/auth/me', 150, { token }],
    ];
    const requests = plan.flatMap(([method, url, n, opts]) =>
      Array.from({ length: n }, () => trusted.request(method, url, { ...opts, headers: kongHeaders(consumer) })),
    );
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    expect(statuses.filter((s) => s >= 400)).toEqual([]);

    // The periodic flush (every 5 s) writes them with a few statements, not 500.
    const db = new pg.Client({ connectionString: trusted.databaseUrl });
    await db.connect();
    try {
      let rows: { route: string; count: string }[] = [];
      for (let i = 0; i < 40; i++) {
        rows = (await db.query(`SELECT route, count FROM consumer_usage WHERE consumer_id = $1 ORDER BY route`, [consumer.id])).rows;
        if (rows.reduce((s, r) => s + Number(r.count), 0) === 500) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(rows.map((r) => [r.route, Number(r.count)])).toEqual([
        ['GET /api/auth/me', 150],
        ['GET /health', 150],
        ['POST /api/webhooks/:workflowId', 200],
      ]);
    } finally {
      await db.end();
    }

    // Counted since the last flush: the usage answer includes them.
    await Promise.all(Array.from({ length: 7 }, () => trusted.request('GET', '/health', { headers: kongHeaders(consumer) })));
    const usage = await trusted.request('GET', `/api/consumers/${consumer.id}/usage`, { token });
    expect(usage.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.body).toMatchObject({ consumerId: consumer.id, total: 507, to: today });
    expect(usage.body.items).toEqual([
      { day: today, route: 'GET /api/auth/me', count: 150 },
      { day: today, route: 'GET /health', count: 157 },
      { day: today, route: 'POST /api/webhooks/:workflowId', count: 200 },
    ]);
    const past = await trusted.request('GET', `/api/consumers/${consumer.id}/usage?from=2020-01-01&to=2020-01-31`, { token });
    expect(past.body).toMatchObject({ items: [], total: 0 });
    expect((await trusted.request('GET', `/api/consumers/${consumer.id}/usage?from=2020-02-01&to=2020-01-01`, { token })).status).toBe(400);
    expect((await trusted.request('GET', `/api/consumers/${consumer.id}/usage?from=yesterday`, { token })).status).toBe(400);
  });

  it('attaches the consumer to the request log only when the peer is a trusted proxy', async () => {
    const { body } = await trusted.request('POST', '/api/consumers', { token, body: { username: 'logged' } });
    const consumer = body.consumer as Consumer;
    expect((await trusted.request('GET', '/health', { headers: kongHeaders(consumer, 'trusted-req-1') })).status).toBe(200);
    const other = await untrusted.register();
    const forgedTarget = (await untrusted.request('POST', '/api/consumers', { token: other.token, body: { username: 'victim' } })).body.consumer as Consumer;
    expect((await untrusted.request('GET', '/health', { headers: kongHeaders(forgedTarget, 'forged-req-1') })).status).toBe(200);

    const completed = (reqId: string) => logs.lines().find((l) => l.reqId === reqId && l.msg === 'request completed');
    expect(completed('trusted-req-1')?.consumer).toEqual({ id: consumer.id, username: consumer.kongUsername, credentialId: '6f1c1d2e-0000-4000-8000-000000000001' });
    expect(completed('forged-req-1')).toBeDefined();
    expect(completed('forged-req-1')?.consumer).toBeUndefined();
  });

  it('ignores forged consumer headers from an untrusted address: not counted, not seen by handlers', async () => {
    const other = await untrusted.register();
    const victim = (await untrusted.request('POST', '/api/consumers', { token: other.token, body: { username: 'forged' } })).body.consumer as Consumer;
    const forged = await Promise.all(Array.from({ length: 50 }, () => untrusted.request('GET', '/health', { headers: kongHeaders(victim) })));
    expect(forged.every((r) => r.status === 200)).toBe(true);
    const usage = await untrusted.request('GET', `/api/consumers/${victim.id}/usage`, { token: other.token });
    expect(usage.body).toMatchObject({ consumerId: victim.id, items: [], total: 0 });
  });
});
