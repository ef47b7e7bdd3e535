/**
 * Providers' rate limits per connection (Slack: one message a second per webhook), shared by every
 * worker: calls are spaced evenly, `perMs / requests` apart, by reservation (a GCRA without burst):
 * each call reserves the next free slot and waits for it, so 300 runs on a 1/s connection are
 * delivered one a second, none refused by the provider and none failed.
 *
 * With Redis the slots live in Redis (one key per connection, its "theoretical arrival time",
 * reserved atomically by a script using Redis's own clock, so workers' clocks do not matter), and
 * each call checks right before it goes that the previous one went at least the spacing ago; without
 * it (the zero-install mode, one worker) in this process's memory. A provider's 429 with Retry-After
 * pushes the next free slot past it for everyone (`defer`).
 */
import type { Redis } from 'ioredis';

/** Providers' rate limits per connection, shared by every worker (the engine's view: RunDeps.rateLimiter). */
export interface RateLimiter {
  /**
   * Waits until the bucket `key` has room for one call under `limit`; answers the ms waited. Rejects
   * when `signal` aborts. `reserved`: the caller's slot was reserved before (`reserve`) and its time
   * has come; only the check that the previous call went at least the spacing ago is made.
   */
  take(key: string, limit: { requests: number; perMs: number }, signal?: AbortSignal, opts?: { reserved?: boolean }): Promise<number>;
  /**
   * Reserves the next free slot on `key` without waiting for it; answers the ms until it. The caller
   * waits that long (a run parks when it is long) and then calls `take` with `reserved`.
   */
  reserve?(key: string, limit: { requests: number; perMs: number }): Promise<number>;
  /** The provider answered 429 with Retry-After: nobody calls on `key` for `ms`. */
  defer?(key: string, ms: number): Promise<void>;
}

/**
 * Spacing above the provider's own, so the jitter between the check and the request reaching the
 * provider (a loaded worker's event loop, the network) does not bring two calls closer than it
 * allows: 5 % (50 ms at one call a second). 2 % let 2 of 300 calls through early on a loaded machine.
 */
const MARGIN = 1.05;

/**
 * KEYS[1]: when the last call on this connection actually went; ARGV[1]: spacing ms. Answers 0 and
 * records now when the spacing has passed, else the ms still to wait. The reservation orders the
 * callers; this check, made right before each call, keeps the calls themselves spaced even when a
 * loaded worker woke late for the previous slot (which would otherwise bring the next call closer).
 */
const SEND = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if now - last < spacing then return spacing - (now - last) end
redis.call('SET', KEYS[1], now, 'PX', spacing + 1000)
return 0
`;

/** KEYS[1]: the bucket; ARGV[1]: spacing ms; ARGV[2]: at least this many ms from now (defer), or 0. Answers the wait in ms. */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local defer = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if defer > 0 then
  local at = now + defer
  if at > tat then tat = at end
  redis.call('SET', KEYS[1], tat, 'PX', math.max(1000, tat - now + 1000))
  return 0
end
local start = math.max(now, tat)
local nextTat = start + spacing
redis.call('SET', KEYS[1], nextTat, 'PX', math.max(1000, nextTat - now + 1000))
return start - now
`;

export function spacingOf(limit: { requests: number; perMs: number }): number {
  return Math.ceil((limit.perMs / Math.max(1, limit.requests)) * MARGIN);
}

export interface SharedRateLimiter extends RateLimiter {
  /** The provider said to wait `ms` (a 429's Retry-After): nobody calls on this key before then. */
  defer(key: string, ms: number): Promise<void>;
  reserve(key: string, limit: { requests: number; perMs: number }): Promise<number>;
}

export function createRateLimiter(redis: Redis | undefined, prefix: string, sleep: (ms: number, signal?: AbortSignal) => Promise<void>): SharedRateLimiter {
  const memory = new Map<string, number>();
  const reserve = async (key: string, spacing: number, deferMs: number): Promise<number> => {
    if (redis) return Number(await redis.eval(RESERVE, 1, `${prefix}:ratelimit:${key}`, spacing, deferMs));
    const now = Date.now();
    const tat = memory.get(key) ?? 0;
    if (deferMs > 0) {
      memory.set(key, Math.max(tat, now + deferMs));
      return 0;
    }
    const start = Math.max(now, tat);
    memory.set(key, start + spacing);
    // The map keeps only keys with a future slot; old ones are dropped as we go.
    if (memory.size > 10_000) for (const [k, v] of memory) if (v < now) memory.delete(k);
    return start - now;
  };
  const sentAt = new Map<string, number>();
  const send = async (key: string, spacing: number): Promise<number> => {
    if (redis) return Number(await redis.eval(SEND, 1, `${prefix}:ratelimit:${key}:sent`, spacing));
    const now = Date.now();
    const last = sentAt.get(key) ?? 0;
    if (now - last < spacing) return spacing - (now - last);
    sentAt.set(key, now);
    if (sentAt.size > 10_000) for (const [k, v] of sentAt) if (now - v > spacing) sentAt.delete(k);
    return 0;
  };
  return {
    async take(key, limit, signal, opts) {
      const spacing = spacingOf(limit);
      const started = Date.now();
      const wait = opts?.reserved ? 0 : await reserve(key, spacing, 0);
      if (wait > 0) await sleep(wait, signal);
      for (let residual = await send(key, spacing); residual > 0; residual = await send(key, spacing)) await sleep(residual, signal);
      return Date.now() - started;
    },
    reserve(key, limit) {
      return reserve(key, spacingOf(limit), 0);
    },
    async defer(key, ms) {
      if (ms > 0) await reserve(key, 0, Math.ceil(ms));
    },
  };
}
