import { WindowRateLimiter } from './window-rate-limiter.js';

// Without Redis the limiter counts in this process; the Redis path is covered by test/api/tenant-rate-limit.e2e-spec.ts.
describe('WindowRateLimiter (in process)', () => {
  it('counts the hits of one tick together, in order, and refuses the ones past the limit', async () => {
    const limiter = new WindowRateLimiter(undefined, { keyPrefix: 'test:', windowMs: 60_000, timeoutMs: 100 });
    const decisions = await Promise.all(Array.from({ length: 4 }, () => limiter.hit('a', 3)));
    expect(decisions.map((d) => [d?.allowed, d?.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(decisions[0]!.resetMs).toBeGreaterThan(59_000);
    expect(await limiter.hit('b', 3)).toMatchObject({ allowed: true, remaining: 2, limit: 3 });
  });

  it('starts a new window when the old one has ended', async () => {
    const limiter = new WindowRateLimiter(undefined, { keyPrefix: 'test:', windowMs: 50, timeoutMs: 100 });
    await limiter.hit('a', 1);
    expect((await limiter.hit('a', 1))?.allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(await limiter.hit('a', 1)).toMatchObject({ allowed: true, remaining: 0 });
  });
});
