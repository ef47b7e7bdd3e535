import { Redis } from 'ioredis';
import { sleep } from '../sleep.js';
import { createRateLimiter, spacingOf, type SharedRateLimiter } from './rate-limiter.js';

/** Calls made through `limiter` at once: the times they were let through. */
async function burst(limiter: SharedRateLimiter, key: string, n: number, limit: { requests: number; perMs: number }): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: n }, async () => {
      await limiter.take(key, limit);
      times.push(Date.now());
    }),
  );
  return times.sort((a, b) => a - b);
}

const gaps = (t: number[]) => t.slice(1).map((x, i) => x - t[i]);

describe.each([
  ['in memory (zero-install)', () => undefined],
  ['in Redis (shared by workers)', () => new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379')],
])('rate limiter %s', (_name, makeRedis) => {
  let redis: Redis | undefined;
  const prefix = `rl-spec-${process.pid}-${Date.now()}`;
  beforeAll(() => {
    redis = makeRedis();
  });
  afterAll(async () => {
    await redis?.quit();
  });

  it('spaces calls evenly at the limit (5 per second: 210 ms apart), in order, none refused', async () => {
    const limiter = createRateLimiter(redis, prefix, sleep);
    const times = await burst(limiter, 'a', 6, { requests: 5, perMs: 1000 });
    expect(spacingOf({ requests: 5, perMs: 1000 })).toBe(210);
    for (const g of gaps(times)) expect(g).toBeGreaterThanOrEqual(200);
    expect(times.at(-1)! - times[0]).toBeLessThan(5 * 210 + 300);
  });

  it('two limiters on one key (two workers) share the spacing', async () => {
    const a = createRateLimiter(redis, prefix, sleep);
    const b = redis ? createRateLimiter(redis, prefix, sleep) : a;
    const limit = { requests: 10, perMs: 1000 };
    if (!redis) {
      const [ta, tb] = await Promise.all([burst(a, 'shared', 3, limit), burst(b, 'shared', 3, limit)]);
      for (const g of gaps([...ta, ...tb].sort((x, y) => x - y))) expect(g).toBeGreaterThanOrEqual(95);
      return;
    }
    // The moments each call was let go, on Redis's clock: the send check's SET of its own time, as
    // MONITOR shows it. (This process's clock after the reply adds the event loop's jitter under
    // load, which is what the limiter's margin is for, not what it controls.)
    const sentKey = `${prefix}:ratelimit:shared:sent`;
    const sent: number[] = [];
    const monitor = await redis.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toUpperCase() === 'SET' && args[1] === sentKey) sent.push(Number(args[2]));
    });
    try {
      await Promise.all([burst(a, 'shared', 3, limit), burst(b, 'shared', 3, limit)]);
      await sleep(50);
    } finally {
      monitor.disconnect();
    }
    expect(sent).toHaveLength(6);
    for (const g of gaps(sent.sort((x, y) => x - y))) expect(g).toBeGreaterThanOrEqual(spacingOf(limit));
  });

  it('reserve keeps a turn without waiting for it; take with reserved goes at that turn, not at the back of the queue', async () => {
    const limiter = createRateLimiter(redis, prefix, sleep);
    const limit = { requests: 10, perMs: 1000 };
    const spacing = spacingOf(limit);
    expect(await limiter.reserve('r', limit)).toBe(0);
    await limiter.take('r', limit, undefined, { reserved: true });
    const wait = await limiter.reserve('r', limit);
    expect(wait).toBeGreaterThan(spacing - 30);
    expect(wait).toBeLessThanOrEqual(spacing);
    // Someone else queues behind the reserved turn.
    expect(await limiter.reserve('r', limit)).toBeGreaterThan(wait);
    await sleep(wait);
    const t0 = Date.now();
    await limiter.take('r', limit, undefined, { reserved: true });
    // Only the spacing check: a new reservation would be behind the other one, two spacings off.
    expect(Date.now() - t0).toBeLessThan(2 * spacing - 20);
  });

  it("defer (a provider's Retry-After) holds back the next call", async () => {
    const limiter = createRateLimiter(redis, prefix, sleep);
    const t0 = Date.now();
    await limiter.defer('d', 400);
    await limiter.take('d', { requests: 100, perMs: 1000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
  });

  it('a take waiting its turn is cancelled by its signal', async () => {
    const limiter = createRateLimiter(redis, prefix, sleep);
    await limiter.take('c', { requests: 1, perMs: 5000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(limiter.take('c', { requests: 1, perMs: 5000 }, ac.signal)).rejects.toBeDefined();
  });
});
