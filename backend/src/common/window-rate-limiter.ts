/**
 * A fixed-window rate limiter keyed by any string (a tenant, a workflow…): requests per window,
 * counted from the first request of the window. Counted in Redis so every process shares one count,
 * with one Redis call per key per event-loop tick, not one per request: the requests of a tick are
 * counted together and the ones past the limit refused. Without Redis it counts in this process.
 * Counting must never take the caller down: when Redis fails or is slower than `timeoutMs`, `hit`
 * answers null and the caller lets the request through.
 */
import type { Redis } from 'ioredis';
import { withTimeout } from './timeout.js';

// INCRBY, and start the window's expiry when this call created the key; answers [count, ttl].
const COUNT_SCRIPT = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {v, redis.call('PTTL', KEYS[1])}`;
const COMMAND = 'tributaryWindowCount';
const LOCAL_KEYS_MAX = 100_000;

export interface WindowDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in this window after this one. */
  remaining: number;
  /** Until the window ends (the count starts again). */
  resetMs: number;
}

type Waiter = (d: WindowDecision | null) => void;
type RedisWithCount = Redis & { [COMMAND](key: string, n: number, windowMs: number): Promise<[number, number]> };

export class WindowRateLimiter {
  private pending = new Map<string, { limit: number; waiters: Waiter[] }>();
  private readonly local = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly redis: Redis | undefined,
    private readonly opts: { keyPrefix: string; windowMs: number; timeoutMs: number },
  ) {
    if (redis && !(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: COUNT_SCRIPT });
  }

  /** Counts one request against `key`; null when the count is unavailable (let it through). */
  hit(key: string, limit: number): Promise<WindowDecision | null> {
    return new Promise((resolve) => {
      let entry = this.pending.get(key);
      if (!entry) {
        entry = { limit, waiters: [] };
        this.pending.set(key, entry);
        if (this.pending.size === 1) setImmediate(() => this.flush());
      }
      entry.waiters.push(resolve);
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    for (const [key, { limit, waiters }] of batch) void this.decide(key, limit, waiters);
  }

  private async decide(key: string, limit: number, waiters: Waiter[]): Promise<void> {
    const n = waiters.length;
    let counted: [number, number];
    try {
      counted = this.redis ? await this.countInRedis(key, n) : this.countLocally(key, n);
    } catch {
      for (const w of waiters) w(null);
      return;
    }
    const [total, ttl] = counted;
    const before = total - n;
    const resetMs = Math.max(ttl, 0);
    waiters.forEach((w, i) => {
      const count = before + i + 1;
      w({ allowed: count <= limit, limit, remaining: Math.max(limit - count, 0), resetMs });
    });
  }

  private countInRedis(key: string, n: number): Promise<[number, number]> {
    return withTimeout((this.redis as RedisWithCount)[COMMAND](`${this.opts.keyPrefix}${key}`, n, this.opts.windowMs), this.opts.timeoutMs);
  }

  private countLocally(key: string, n: number): [number, number] {
    const now = Date.now();
    let c = this.local.get(key);
    if (!c || c.resetAt <= now) {
      if (this.local.size >= LOCAL_KEYS_MAX) this.local.clear();
      c = { count: 0, resetAt: now + this.opts.windowMs };
      this.local.set(key, c);
    }
    c.count += n;
    return [c.count, c.resetAt - now];
  }
}
