import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { isDependencyUnavailable } from '../common/unavailable.js';
import { ExecutionsRepository } from './executions.repository.js';
import { ExecutionsService, type RunBatch } from './executions.service.js';

/** Rows per page and pages per pass over the queued backlog. */
const PAGE = 1000;
const PAGES = 20;

/**
 * The 202 promise, kept whatever happened to the queue or to a worker:
 * - executions still queued after RECONCILE_AFTER_MS get their job back when it is missing (the
 *   queue was down at accept time, Redis restarted empty) or dead (it failed or completed while they
 *   waited, e.g. its attempts ran out during a database outage);
 * - running executions whose lease lapsed (their worker died, or lost the database) are queued
 *   again, and the next worker resumes them after their last recorded step.
 * Lapsed leases are only taken once this process has seen the database answer for a whole lease
 * period: after an outage, a worker that kept results in memory must have the time to record them
 * (a run is not repeated because the database was away).
 */
@Injectable()
export class ExecutionsReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private running = false;
  private timer?: NodeJS.Timeout;
  /** Since when the database has answered every tick (unset by an outage; a fresh process starts now). */
  private healthySince: number | undefined = Date.now();

  constructor(
    private readonly repo: ExecutionsRepository,
    private readonly executions: ExecutionsService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onApplicationBootstrap(): void {
    // Often enough to notice any outage long enough to let a lease lapse (two thirds of a lease).
    const period = Math.min(5000, Math.floor(this.config.executionLeaseMs / 3));
    this.timer = setInterval(() => void this.tick(), period).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; answers how many executions got a job. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const requeued = await this.requeueWaiting();
      this.healthySince ??= Date.now();
      const resumed = Date.now() - this.healthySince >= this.config.executionLeaseMs ? await this.resumeLapsed() : 0;
      if (requeued) this.logger.log({ msg: 'gave queued executions their job back', count: requeued });
      if (resumed) this.logger.warn({ msg: 'resuming executions whose lease lapsed (worker died or lost the database)', count: resumed });
      return requeued + resumed;
    } catch (err) {
      if (isDependencyUnavailable(err)) this.healthySince = undefined;
      this.logger.warn({ msg: 'reconcile failed; will retry', err: (err as Error).message });
      return 0;
    } finally {
      this.running = false;
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
      total += await this.executions.ensureJobs([...jobs].map(([jobId, executionIds]): RunBatch => ({ jobId, executionIds })));
      after = rows[rows.length - 1];
    }
    return total;
  }

  private async resumeLapsed(): Promise<number> {
    const lapsed = await this.repo.lapsedLeases(PAGE);
    // One job per run and claim: a second pass before it runs finds the same job waiting.
    return lapsed.length ? this.executions.ensureJobs(lapsed.map((l) => ({ jobId: `resume-${l.id}-${l.attempts}`, executionIds: [l.id] }))) : 0;
  }
}
