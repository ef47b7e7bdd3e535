/**
 * BullMQ behind one seam: Redis in production, BullMQ's PostgreSQL backend in the zero-install
 * default. Everything else asks this factory for queues and workers and never knows which it got.
 */
import { createPostgresBackend, Queue, Worker, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis } from '../common/redis.module.js';
import { sessionDatabaseUrl, type Config } from '../config/config.js';
import { connectionOptions } from '../database/connection-options.js';

export const EXECUTIONS_QUEUE = 'executions';
export const EVENTS_QUEUE = 'events';

/** Job names on the executions queue. */
export const RUN_JOB = 'run';
export const SCHEDULE_JOB = 'schedule';

/**
 * Backoff of failed run jobs: 1 s doubling up to 30 s, ±20 %. Run jobs fail only while their
 * executions cannot be claimed (database away) and are retried until it returns.
 */
export const RUN_JOB_BACKOFF = { type: 'capped-exponential' } as const;
export function cappedBackoff(attemptsMade: number): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), 30_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** A run job carries the executions accepted together; `executionId` is the pre-batching shape. */
export interface RunJobData {
  executionIds?: string[];
  executionId?: string;
  /** Set when the job carries one tenant's executions: the worker gives each tenant turns. */
  tenantId?: string;
}
export interface ScheduleJobData {
  workflowId: string;
}

type AnyQueue = Queue;
type AnyWorker = Worker;

export class QueueFactory {
  private readonly closers: (() => Promise<unknown>)[] = [];

  constructor(private readonly config: Config) {}

  get backend(): Config['queueBackend'] {
    return this.config.queueBackend;
  }

  private redis(purpose: 'producer' | 'worker'): Redis {
    // Producers fail fast while Redis is down (the row stays queued and the reconciler re-adds it);
    // workers wait and reconnect (BullMQ needs maxRetriesPerRequest: null on blocking connections).
    const conn = connectRedis(this.config, {
      connectionName: `tributary:${purpose}`,
      maxRetriesPerRequest: purpose === 'worker' ? null : 1,
      enableOfflineQueue: purpose === 'worker',
      retryStrategy: (times) => Math.min(times * 200, 2000),
      // No auto-pipelining: the producer's adds are already one script call per batch of executions,
      // and every auto-pipeline flush builds an ioredis Pipeline that copies each of BullMQ's ~50
      // script commands onto itself (a measurable share of the webhook accept path).
      enableAutoPipelining: false,
    });
    conn.on('error', () => {
      /* reported through health and job failures; avoid unhandled error events */
    });
    this.closers.push(() => conn.quit().catch(() => conn.disconnect()));
    return conn;
  }

  private postgresConnection() {
    // BullMQ's PostgreSQL backend LISTENs for jobs and sets search_path as a startup option: it needs a
    // session, so DATABASE_DIRECT_URL behind a transaction pooler (loadConfig insists on it there).
    return { connectionString: sessionDatabaseUrl(this.config), schema: 'bullmq', migrate: true, max: 10, ...connectionOptions(this.config) };
  }

  queue(name: string, opts: Omit<QueueOptions, 'connection'> = {}): AnyQueue {
    const q: AnyQueue =
      this.config.queueBackend === 'redis'
        ? new Queue(name, { ...opts, prefix: this.config.redisPrefix, connection: this.redis('producer') })
        : (new Queue(name, { ...opts, connection: this.postgresConnection() } as never, createPostgresBackend as never) as unknown as AnyQueue);
    q.on('error', () => {
      /* surfaced to callers as rejected adds */
    });
    this.closers.unshift(() => q.close());
    return q;
  }

  worker(name: string, processor: Processor, workerOpts: Omit<WorkerOptions, 'connection'>): AnyWorker {
    const opts = { ...workerOpts, settings: { backoffStrategy: cappedBackoff, ...workerOpts.settings } };
    const w: AnyWorker =
      this.config.queueBackend === 'redis'
        ? new Worker(name, processor, { ...opts, prefix: this.config.redisPrefix, connection: this.redis('worker') })
        : (new Worker(name, processor, { ...opts, connection: this.postgresConnection() } as never, createPostgresBackend as never) as unknown as AnyWorker);
    return w;
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
  }
}
