/** API_RATE_LIMIT_PER_MINUTE: authenticated /api requests per tenant, shared by api processes through Redis. */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.js';
import { createTestApp, type TestApp, type TestResponse } from '../helpers/app.js';
import { withOwnRedis, type OwnRedis } from '../helpers/processes.js';

const LIMIT = 5;

function limitHeaders(res: TestResponse) {
  return { limit: res.headers['x-ratelimit-limit'], remaining: res.headers['x-ratelimit-remaining'], reset: res.headers['x-ratelimit-reset'] };
}

describe('per-tenant API rate limit', () => {
  let t: TestApp;
  let second: NestFastifyApplication;
  let secondUrl: string;

  beforeAll(async () => {
    t = await createTestApp({ API_RATE_LIMIT_PER_MINUTE: String(LIMIT) });
    // A second api process on the same database and Redis.
    second = await createApp(t.config);
    await second.listen({ port: 0, host: '127.0.0.1' });
    secondUrl = `http://127.0.0.1:${(second.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it('answers 429 with Retry-After to a tenant over its limit while another tenant goes on', async () => {
    const a = await t.register();
    const b = await t.register();
    const wf = await t.request('POST', '/api/workflows', { token: a.token, body: { name: 'hook', trigger: { type: 'webhook' }, steps: [] } });
    expect(wf.status).toBe(201);
    expect(limitHeaders(wf)).toMatchObject({ limit: String(LIMIT), remaining: String(LIMIT - 1) });
    const reset = Number(wf.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThan(55);
    expect(reset).toBeLessThanOrEqual(60);

    for (let i = 2; i <= LIMIT; i++) {
      const res = await t.request('GET', '/api/workflows', { token: a.token });
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-remaining']).toBe(String(LIMIT - i));
    }
    const refused = await t.request('GET', '/api/workflows', { token: a.token });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^API rate limit of this workspace exceeded: 5 requests per minute; retry in \d+ s$/),
    });
    expect(limitHeaders(refused)).toMatchObject({ limit: '5', remaining: '0' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Every route of the tenant is refused, whoever calls and whatever the method.
    expect((await t.request('POST', '/api/workflows', { token: a.token, body: { name: 'x', trigger: { type: 'manual' } } })).status).toBe(429);
    expect((await t.request('GET', '/api/auth/me', { token: a.token })).status).toBe(429);

    // Another tenant has its own count.
    const other = await t.request('GET', '/api/workflows', { token: b.token });
    expect(other.status).toBe(200);
    expect(limitHeaders(other)).toMatchObject({ limit: '5', remaining: '4' });

    // Outside the limit: webhooks (their own per-workflow limit), health, metrics and public auth routes
    // (login has its own limit per address and email, with its own headers).
    const hook = await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: {} });
    expect(hook.status).toBe(202);
    for (const res of [
      hook,
      await t.request('GET', '/health'),
      await t.request('GET', '/metrics'),
      await t.request('GET', '/api/auth/options'),
      await t.request('POST', '/api/auth/login', { body: { email: a.user.email, password: 'password123' } }),
    ]) {
      expect(res.status).toBeLessThan(300);
      expect(res.headers['x-ratelimit-limit']).not.toBe(String(LIMIT));
    }
    // Unauthenticated calls are 401, not counted against anyone.
    const anonymous = await t.request('GET', '/api/workflows');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('counts one tenant across api processes', async () => {
    const c = await t.register();
    const onSecond = async () => {
      const res = await fetch(`${secondUrl}/api/workflows`, { headers: { authorization: `Bearer ${c.token}` } });
      return { status: res.status, remaining: res.headers.get('x-ratelimit-remaining') };
    };
    for (let i = 1; i <= 3; i++) expect((await t.request('GET', '/api/workflows', { token: c.token })).status).toBe(200);
    expect(await onSecond()).toEqual({ status: 200, remaining: '1' });
    expect((await t.request('GET', '/api/workflows', { token: c.token })).headers['x-ratelimit-remaining']).toBe('0');
    expect(await onSecond()).toEqual({ status: 429, remaining: '0' });
    expect((await t.request('GET', '/api/workflows', { token: c.token })).status).toBe(429);
  });

  it('counts the requests of one tick together and refuses only the ones past the limit', async () => {
    const d = await t.register();
    const burst = await Promise.all(Array.from({ length: 12 }, () => t.request('GET', '/api/workflows', { token: d.token })));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - LIMIT);
    const remaining = burst.filter((r) => r.status === 200).map((r) => Number(r.headers['x-ratelimit-remaining']));
    expect(remaining.sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('per-tenant API rate limit when Redis fails', () => {
  let t: TestApp;
  let redis: OwnRedis;

  beforeAll(async () => {
    redis = await withOwnRedis();
    t = await createTestApp({ REDIS_URL: redis.url, API_RATE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  it('lets requests through uncounted when Redis hangs or is down, and counts again when it is back', async () => {
    const { token } = await t.register();
    const get = () => t.request('GET', '/api/workflows', { token });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(429);

    // Hung: the count times out and the request passes, without limit headers.
    redis.signal('SIGSTOP');
    try {
      const started = Date.now();
      const hung = await get();
      expect(hung.status).toBe(200);
      expect(hung.headers['x-ratelimit-limit']).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      redis.signal('SIGCONT');
    }

    await redis.kill();
    for (let i = 0; i < 3; i++) {
      const down = await get();
      expect(down.status).toBe(200);
      expect(down.headers['x-ratelimit-limit']).toBeUndefined();
    }

    // A fresh Redis (the count was lost with the old one): counted from zero.
    await redis.start();
    const until = Date.now() + 10_000;
    let back = await get();
    while (back.headers['x-ratelimit-limit'] === undefined && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      back = await get();
    }
    expect(back.status).toBe(200);
    expect(back.headers['x-ratelimit-remaining']).toBe('1');
  });
});
