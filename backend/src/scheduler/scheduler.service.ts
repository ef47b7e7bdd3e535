import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { CONFIG, type Config } from '../config/config.js';
import { nonOverlapping } from '../common/non-overlapping.js';
import { ExecutionsRepository } from '../executions/executions.repository.js';
import { EXECUTIONS, type ExecutionsQueue } from '../queue/queue.module.js';
import { SCHEDULE_JOB } from '../queue/queue.factory.js';
import { WorkflowEvents } from '../workflows/workflow-events.js';
import type { Workflow } from '../workflows/workflow.entity.js';
import { WorkflowsService } from '../workflows/workflows.service.js';

export function schedulerId(workflowId: string): string {
  return `workflow:${workflowId}`;
}

/**
 * Schedules are BullMQ job schedulers keyed by workflow: upserted on save and toggle, removed on
 * delete or disable. BullMQ keeps one scheduler per key and fires each tick once, however many api
 * processes upsert it. @nestjs/schedule runs the housekeeping.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private retentionTimer?: NodeJS.Timeout;

  constructor(
    @Inject(EXECUTIONS) private readonly queue: ExecutionsQueue,
    private readonly workflows: WorkflowsService,
    private readonly executions: ExecutionsRepository,
    @Inject(CONFIG) private readonly config: Config,
    events: WorkflowEvents,
  ) {
    events.subscribe(({ type, workflow }) => this.sync(type === 'deleted' ? null : workflow, workflow.id));
  }

  async onApplicationBootstrap(): Promise<void> {
    // Retention every EXECUTION_RETENTION_SWEEP_INTERVAL (1 h by default); a sweep still going when the next is due is not doubled.
    this.retentionTimer = setInterval(() => void this.purgeOldExecutions(), this.config.executionRetentionSweepMs);
    this.retentionTimer.unref();
    // Bring the queue's schedulers in line with the database (a schedule saved while the queue was down).
    try {
      await this.syncAll();
    } catch (err) {
      this.logger.warn({ msg: 'could not sync schedules at start; they sync within a minute', err: (err as Error).message });
    }
  }

  /**
   * Schedules live in the queue: a Redis that restarted empty has none, so nothing would fire. Every
   * 30 s the count of schedulers is compared with the enabled schedule workflows, and a difference
   * syncs them all again.
   */
  @Interval(30_000)
  async checkSchedules(): Promise<boolean> {
    try {
      const [inQueue, wanted] = await Promise.all([this.queue.getJobSchedulersCount(), this.workflows.countEnabledSchedules()]);
      if (inQueue === wanted) return false;
      this.logger.warn({ msg: 'queue schedules differ from the database (queue restarted?); syncing them', inQueue, wanted });
      await this.syncAll();
      return true;
    } catch (err) {
      this.logger.warn({ msg: 'could not check schedules; will retry', err: (err as Error).message });
      return false;
    }
  }

  private async syncAll(): Promise<void> {
    const wanted = await this.workflows.enabledSchedules();
    for (const wf of wanted) await this.sync(wf, wf.id);
    const keep = new Set(wanted.map((w) => schedulerId(w.id)));
    for (const s of await this.queue.getJobSchedulers(0, -1)) {
      const key = (s as { key?: string; id?: string }).id ?? (s as { key: string }).key;
      if (key && !keep.has(key)) await this.queue.removeJobScheduler(key);
    }
  }

  async sync(wf: Workflow | null, workflowId: string): Promise<void> {
    const id = schedulerId(workflowId);
    if (!wf || !wf.enabled || wf.trigger.type !== 'schedule') {
      await this.queue.removeJobScheduler(id);
      return;
    }
    const t = wf.trigger;
    const repeat = t.intervalSeconds ? { every: t.intervalSeconds * 1000 } : { pattern: t.cron!, tz: t.timezone };
    await this.queue.upsertJobScheduler(id, repeat, { name: SCHEDULE_JOB, data: { workflowId: wf.id }, opts: { removeOnComplete: true, removeOnFail: 1000 } });
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.retentionTimer);
    await this.purgeOldExecutions.idle();
  }

  /** Retention: finished executions older than EXECUTION_RETENTION (or _DAYS) go, in batches (0 while a sweep still runs). */
  readonly purgeOldExecutions = nonOverlapping(
    () =>
      this.executions.deleteFinishedOlderThan(this.config.executionRetentionMs).then(
        (n) => {
          if (n) this.logger.log({ msg: 'deleted old executions', count: n, olderThanMs: this.config.executionRetentionMs });
          return n;
        },
        (err: Error) => {
          this.logger.warn({ msg: 'retention sweep failed; it runs again at the next interval', err: err.message });
          return 0;
        },
      ),
    0,
  );
}
