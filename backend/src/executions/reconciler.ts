import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { isDependencyUnavailable } from '../common/unavailable.js';
import { nonOverlapping } from '../common/non-overlapping.js';
import { ExecutionsRepository } from './executions.repository.js';
import { ExecutionsService, type RunBatch } from './executions.service.js';
import { DurableWaits } from './durable-waits.js';
import { ErrorWorkflows } from './error-workflows.js';

/** Period of the sweep of parked executions (their delayed jobs normally resume them first). */
const WAIT_SWEEP_MS = 500;

/** Rows per page and pages per pass over the queued backlog. */
const PAGE = 1000;
const PAGES = 20;
/**
 * A job re-added (or found present) is not re-added again for this long. Re-adding a present job is
 * a no-op, but with a long backlog doing it every tick for every job cost the api and Redis a tenth
 * of a core; once a minute still recovers jobs a Redis restart or failover lost.
 */
const RECHECK_MS = 60_000;
/** Memory bound of that record (job ids), oldest dropped first. */
const MAX_REMEMBERED = 200_000;

/**
 * The 202 promise, kept whatever happened to the queue or to a worker:
 * - executions still queued after RECONCILE_AFTER_MS get their job added again, under the id it was
 *   added with: a no-op while it exists, and the job back when it was lost (the queue was down at
 *   accept time, the api died between the INSERT and the add, Redis restarted empty);
 * - jobs in the queue's failed set whose executions still wait are replaced (re-adding under a
 *   failed job's id would be a no-op);
 * - running executions whose lease lapsed (their worker died, or lost the database) are queued
 *   again, and the next worker resumes them after their last recorded step.
 * Lapsed leases are only taken once this process has seen the database answer for a whole lease
 * period: after an outage, a worker that kept results in memory must have the time to record them
 * (a run is not repeated because the database was away).
 */
@Injectable()
export class ExecutionsReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private timer?: NodeJS.Timeout;
  private waitTimer?: NodeJS.Timeout;
  /** Since when the database has answered every tick (unset by an outage; a fresh process starts now). */
  private healthySince: number | undefined = Date.now();
  /** Job id → when it was last added (or found present), in insertion order. */
  private readonly added = new Map<string, number>();

  constructor(
    private readonly repo: ExecutionsRepository,
    private readonly executions: ExecutionsService,
    private readonly waits: DurableWaits,
    private readonly errorWorkflows: ErrorWorkflows,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onApplicationBootstrap(): void {
    // Often enough to notice any outage long enough to let a lease lapse (two thirds of a lease).
    const period = Math.min(5000, Math.floor(this.config.executionLeaseMs / 3));
    this.timer = setInterval(() => void this.tick(), period).unref();
    this.waitTimer = setInterval(() => void this.sweepWaits(), WAIT_SWEEP_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.waitTimer) clearInterval(this.waitTimer);
    await Promise.all([this.tick.idle(), this.sweepWaits.idle()]);
  }

  /**
   * Parked executions whose time has come (their delayed job was lost with Redis, or never added)
   * and parents whose sub-workflow ended unnoticed are queued again: PostgreSQL is the source of truth.
   */
  readonly sweepWaits = nonOverlapping(async () => {
    try {
      const resumed = await this.waits.sweep();
      if (resumed) this.logger.log({ msg: 'resumed parked executions from the sweep', count: resumed });
      return resumed;
    } catch (err) {
      this.logger.warn({ msg: 'wait sweep failed; will retry', err: (err as Error).message });
      return 0;
    }
  }, 0);

  /** One pass; answers how many executions were given a job (0 while the previous pass still runs). */
  readonly tick = nonOverlapping(() => this.pass(), 0);

  private async pass(): Promise<number> {
    try {
      const requeued = await this.requeueWaiting();
      this.healthySince ??= Date.now();
      const replaced = await this.replaceFailedJobs();
      const resumed = Date.now() - this.healthySince >= this.config.executionLeaseMs ? await this.resumeLapsed() : 0;
      const errorRuns = await this.errorWorkflows.sweepMissed();
      if (errorRuns) this.logger.warn({ msg: 'started error workflows whose start was lost', count: errorRuns });
      if (requeued) this.logger.log({ msg: 'added the jobs of queued executions again (a no-op for jobs still in the queue)', count: requeued });
      if (replaced) this.logger.warn({ msg: 'replaced failed queue jobs whose executions still wait', count: replaced });
      if (resumed) this.logger.warn({ msg: 'resuming executions whose lease lapsed (worker died or lost the database)', count: resumed });
      return requeued + replaced + resumed;
    } catch (err) {
      if (isDependencyUnavailable(err)) this.healthySince = undefined;
      this.logger.warn({ msg: 'reconcile failed; will retry', err: (err as Error).message });
      return 0;
    }
  }

  /** One pass over the queued backlog, oldest first, in pages. */
  private async requeueWaiting(): Promise<number> {
    let total = 0;
    let after: { createdAt: string; id: string } | undefined;
    for (let page = 0; page < PAGES; page++) {
      const rows = await this.repo.queuedBefore(this.config.reconcileAfterMs, PAGE, after);
      if (!rows.length) break;
      // Each row's own job (same id, same executions).
      const jobs = new Map<string, string[]>();
      for (const r of rows) {
        const ids = jobs.get(r.jobId) ?? [];
        ids.push(r.id);
        jobs.set(r.jobId, ids);
      }
      total += await this.add([...jobs].map(([jobId, executionIds]) => ({ jobId, executionIds })));
      after = rows[rows.length - 1];
    }
    return total;
  }

  private async replaceFailedJobs(): Promise<number> {
    let total = 0;
    for (const job of await this.executions.failedRunJobs(PAGE)) {
      const waiting = await this.repo.stillWaiting(job.executionIds);
      if (!waiting.length) continue;
      await this.executions.replaceJob({ jobId: job.jobId, executionIds: waiting });
      this.added.set(job.jobId, Date.now());
      total += waiting.length;
    }
    return total;
  }

  private async resumeLapsed(): Promise<number> {
    const lapsed = await this.repo.lapsedLeases(PAGE);
    // One job per run and claim: a second pass before it runs finds the same job.
    return this.add(lapsed.map((l) => ({ jobId: `resume-${l.id}-${l.attempts}`, executionIds: [l.id] })));
  }

  /** Adds the jobs not added within RECHECK_MS; answers how many executions they carry. */
  private async add(batches: RunBatch[]): Promise<number> {
    const now = Date.now();
    const due = batches.filter((b) => now - (this.added.get(b.jobId) ?? 0) >= RECHECK_MS);
    if (!due.length) return 0;
    if (!(await this.executions.enqueue(due))) return 0;
    for (const b of due) {
      this.added.delete(b.jobId);
      this.added.set(b.jobId, now);
    }
    for (const key of this.added.keys()) {
      if (this.added.size <= MAX_REMEMBERED) break;
      this.added.delete(key);
    }
    return due.reduce((n, b) => n + b.executionIds.length, 0);
  }
}
