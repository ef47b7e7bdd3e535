import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { Interval } from '@nestjs/schedule';
import { ExecutionsRepository } from './executions.repository.js';
import { ExecutionsService } from './executions.service.js';

/**
 * The 202 promise: executions accepted while the queue was unreachable stay queued in PostgreSQL;
 * this re-adds their jobs (idempotently: the same job id as at accept time) once the queue answers again.
 */
@Injectable()
export class ExecutionsReconciler {
  private readonly logger = new Logger('Reconciler');
  private running = false;

  constructor(
    private readonly repo: ExecutionsRepository,
    private readonly executions: ExecutionsService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Interval(5000)
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let total = 0;
    try {
      // One pass over the queued backlog per tick, in pages, so a long backlog is covered whole.
      let after: { createdAt: string; id: string } | undefined;
      for (let page = 0; page < 20; page++) {
        const rows = await this.repo.queuedBefore(this.config.reconcileAfterMs, 1000, after);
        if (!rows.length) break;
        // Re-adds each row's own job (same id, same executions): a no-op for jobs still in the queue.
        const jobs = new Map<string, string[]>();
        for (const r of rows) {
          const ids = jobs.get(r.jobId) ?? [];
          ids.push(r.id);
          jobs.set(r.jobId, ids);
        }
        await this.executions.enqueue([...jobs].map(([jobId, executionIds]) => ({ jobId, executionIds })));
        total += rows.length;
        after = rows[rows.length - 1];
      }
      if (total) this.logger.log({ msg: 're-added jobs for queued executions', count: total });
    } catch (err) {
      this.logger.warn({ msg: 'reconcile failed; will retry', err: (err as Error).message });
    } finally {
      this.running = false;
    }
    return total;
  }
}
