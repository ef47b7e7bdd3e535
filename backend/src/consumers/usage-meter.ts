/**
 * Usage metering without a database write per request: counts are added in Redis (HINCRBY, so
 * every api process adds to one hash) or in memory without Redis, and flushed every few seconds
 * with one INSERT … ON CONFLICT for all of them. A flush takes the Redis hash whole (RENAME), so
 * counts made while it writes land in the next one; a failed write puts its counts back.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { REDIS } from '../common/redis.module.js';
import { CONFIG, type Config } from '../config/config.js';
import { ConsumersRepository, type UsageCount } from './consumers.repository.js';

export const USAGE_FLUSH_INTERVAL_MS = 5_000;
const SEP = '\t';

const fieldOf = (consumerId: string, route: string, day: string) => `${consumerId}${SEP}${route}${SEP}${day}`;

@Injectable()
export class UsageMeter implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('UsageMeter');
  private local = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly pendingKey: string;

  constructor(
    private readonly repo: ConsumersRepository,
    @Inject(REDIS) private readonly redis: Redis | undefined,
    @Inject(CONFIG) config: Config,
  ) {
    this.pendingKey = `${config.redisPrefix}:usage:pending`;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), USAGE_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** One request of a consumer on a route (its pattern), counted on today's UTC date. */
  count(consumerId: string, route: string, now = new Date()): void {
    const field = fieldOf(consumerId, route, now.toISOString().slice(0, 10));
    if (!this.redis) {
      this.addLocal(field, 1);
      return;
    }
    // Pipelined with the other commands of this tick; while Redis is down, counted here instead.
    this.redis.hincrby(this.pendingKey, field, 1).catch(() => this.addLocal(field, 1));
  }

  /** Writes every count made so far (in this process, and in Redis by every process). Flushes run one at a time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(
      () => this.flushOnce(),
      () => this.flushOnce(),
    );
    return this.flushing;
  }

  private addLocal(field: string, n: number): void {
    this.local.set(field, (this.local.get(field) ?? 0) + n);
  }

  private async flushOnce(): Promise<void> {
    const taken = this.local;
    this.local = new Map();
    const fromRedis = await this.takeRedis();
    const totals = new Map(taken);
    for (const [field, n] of fromRedis?.counts ?? []) totals.set(field, (totals.get(field) ?? 0) + n);
    if (!totals.size) return;
    try {
      await this.repo.addUsage([...totals].map(([field, count]) => toUsage(field, count)));
      if (fromRedis) await this.redis!.del(fromRedis.key).catch(() => undefined);
    } catch (err) {
      this.logger.warn({ msg: 'usage flush failed; counts kept for the next one', error: (err as Error).message });
      for (const [field, n] of taken) this.addLocal(field, n);
      if (fromRedis) await this.giveBack(fromRedis.key, fromRedis.counts);
    }
  }

  private async takeRedis(): Promise<{ key: string; counts: Map<string, number> } | undefined> {
    if (!this.redis) return undefined;
    const key = `${this.pendingKey}:flushing:${randomUUID()}`;
    try {
      await this.redis.rename(this.pendingKey, key);
    } catch (err) {
      if (!/no such key/i.test((err as Error).message)) this.logger.warn({ msg: 'usage: Redis unavailable for the flush', error: (err as Error).message });
      return undefined;
    }
    try {
      const raw = await this.redis.hgetall(key);
      return { key, counts: new Map(Object.entries(raw).map(([field, n]) => [field, Number(n)])) };
    } catch (err) {
      // Rare (Redis lost between two commands): the counts stay in Redis under `key` for an operator.
      this.logger.error({ msg: 'usage: Redis failed during a flush; counts left in Redis', key, error: (err as Error).message });
      return undefined;
    }
  }

  private async giveBack(key: string, counts: Map<string, number>): Promise<void> {
    try {
      const tx = this.redis!.multi();
      for (const [field, n] of counts) tx.hincrby(this.pendingKey, field, n);
      await tx.del(key).exec();
    } catch {
      // Redis went away too: keep them in this process rather than lose them.
      for (const [field, n] of counts) this.addLocal(field, n);
      await this.redis!.del(key).catch(() => undefined);
    }
  }
}

function toUsage(field: string, count: number): UsageCount {
  const [consumerId, route, day] = field.split(SEP);
  return { consumerId, route, day, count };
}
