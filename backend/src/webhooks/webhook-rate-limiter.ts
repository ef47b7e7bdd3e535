/**
 * Per-workflow webhook rate limit (requests per minute, counted from the first request of a window).
 * Counted in Redis so every api process shares one count, but with one Redis call per workflow per
 * event-loop tick, not one per request: the requests of a tick are counted together and the ones
 * past the limit are refused. Without Redis it counts in this process. If Redis fails, requests pass
 * (counting must never take ingestion down).
 */
import type { Redis } from 'ioredis';

const WINDOW_MS = 60_000;

// INCRBY, and start the window's expiry when this call created the key; answers [count, ttl].
const COUNT_SCRIPT = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {v, redis.call('PTTL', KEYS[1])}`;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  retryAfterMs: number;
}

type Waiter = (d: RateDecision) => void;
type RedisWithCount = { tributaryCount(key: string, n: number, windowMs: number): Promise<[number, number]> };

export class WebhookRateLimiter {
  private pending = new Map<string, { limit: number; waiters: Waiter[] }>();
  private local = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
  ) {
    if (redis && !('tributaryCount' in redis)) redis.defineCommand('tributaryCount', { numberOfKeys: 1, lua: COUNT_SCRIPT });
  }

  check(workflowId: string, limit: number): Promise<RateDecision> {
    return new Promise((resolve) => {
      let entry = this.pending.get(workflowId);
      if (!entry) {
        entry = { limit, waiters: [] };
        this.pending.set(workflowId, entry);
        if (this.pending.size === 1) setImmediate(() => void this.flush());
      }
      entry.waiters.push(resolve);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    await Promise.all([...batch].map(([workflowId, { limit, waiters }]) => this.decide(workflowId, limit, waiters)));
  }

  private async decide(workflowId: string, limit: number, waiters: Waiter[]): Promise<void> {
    const n = waiters.length;
    let total: number;
    let ttl: number;
    try {
      [total, ttl] = this.redis ? await (this.redis as unknown as RedisWithCount).tributaryCount(`${this.prefix}:rl:webhook:${workflowId}`, n, WINDOW_MS) : this.countLocally(workflowId, n);
    } catch {
      for (const w of waiters) w({ allowed: true, limit, retryAfterMs: 0 });
      return;
    }
    const before = total - n;
    waiters.forEach((w, i) => w({ allowed: before + i + 1 <= limit, limit, retryAfterMs: Math.max(ttl, 0) }));
  }

  private countLocally(workflowId: string, n: number): [number, number] {
    const now = Date.now();
    let c = this.local.get(workflowId);
    if (!c || c.resetAt <= now) {
      c = { count: 0, resetAt: now + WINDOW_MS };
      this.local.set(workflowId, c);
      if (this.local.size > 100_000) this.local.clear();
    }
    c.count += n;
    return [c.count, c.resetAt - now];
  }
}
