import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { CONFIG, type Config } from '../config/config.js';
import { retryWhileUnavailable } from '../common/unavailable.js';
import { PromiseCache } from '../common/promise-cache.js';
import { ExecutionRunner } from '../executions/execution-runner.js';
import { ExecutionsRepository, type ClaimedExecution } from '../executions/executions.repository.js';
import { ExecutionsService, flowOf } from '../executions/executions.service.js';
import { EXECUTIONS_QUEUE, QueueFactory, RUN_JOB, SCHEDULE_JOB, type RunJobData, type ScheduleJobData } from '../queue/queue.factory.js';
import type { WorkflowVersion } from '../workflows/workflow-version.entity.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { FairLimiter } from '../common/fair-limiter.js';

/** How long a claim waits for an unreachable database before the job goes back to the queue. */
const CLAIM_PATIENCE_MS = 5_000;

/**
 * The worker: takes jobs with bounded concurrency, claims each execution and runs it through the
 * ExecutionRunner. A job whose worker died is taken again (BullMQ's stalled-job check), and the
 * reconciler re-queues runs whose lease lapsed; claiming the row first makes a finished execution
 * never run twice, and a leased one never run by two workers at once.
 */
@Injectable()
export class ExecutionProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private worker?: Worker;
  /** Versions never change once saved: kept for the life of the process (the 5,000 most recently used). */
  private readonly versions = new PromiseCache<string, WorkflowVersion | null>({ ttlMs: 0, max: 5000 });
  /** WORKER_CONCURRENCY executions at once in this process, tenants taking turns (fair share). */
  private readonly slots: FairLimiter;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly queues: QueueFactory,
    private readonly repo: ExecutionsRepository,
    private readonly executions: ExecutionsService,
    private readonly workflows: WorkflowsService,
    private readonly runner: ExecutionRunner,
  ) {
    this.slots = new FairLimiter(config.workerConcurrency);
  }

  onApplicationBootstrap(): void {
    this.worker = this.queues.worker(EXECUTIONS_QUEUE, (job) => this.process(job), {
      concurrency: this.config.workerConcurrency,
      lockDuration: this.config.workerLockMs,
      stalledInterval: Math.max(500, Math.floor(this.config.workerLockMs / 2)),
      maxStalledCount: 3,
    });
    this.worker.on('error', (err) => this.logger.warn({ msg: 'queue connection error', err: err.message }));
    this.worker.on('failed', (job, err) => this.logger.error({ msg: 'job failed', jobId: job?.id, err: err.message }));
    this.logger.log({ msg: 'worker started', concurrency: this.config.workerConcurrency, queueBackend: this.config.queueBackend });
  }

  /** SIGTERM: stop taking jobs, let the running ones finish, then exit. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.worker) return;
    this.logger.log({ msg: 'draining in-flight executions before exit' });
    await this.worker.close();
  }

  async process(job: Job): Promise<string> {
    if (job.name === SCHEDULE_JOB) return this.scheduled((job.data as ScheduleJobData).workflowId, job.id);
    if (job.name === RUN_JOB) {
      const data = job.data as RunJobData;
      return this.runAll(data.executionIds ?? (data.executionId ? [data.executionId] : []), data.tenantId ?? job.id ?? 'job');
    }
    throw new Error(`no handler for job "${job.name}"`);
  }

  /**
   * A job carries the executions accepted together; they run side by side, at most
   * WORKER_CONCURRENCY at once in this process whatever the jobs. If one of them could not be
   * recorded (database unreachable), the job fails and BullMQ retries it; executions that finished
   * are skipped on the retry.
   */
  private async runAll(ids: string[], key: string): Promise<string> {
    const results = await Promise.allSettled(ids.map((id) => this.slots.run(key, () => this.execute(id))));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new Error(`${failed.length} of ${ids.length} executions could not be recorded: ${(failed[0].reason as Error)?.message}`);
    if (ids.length === 1) return (results[0] as PromiseFulfilledResult<string>).value;
    const counts = new Map<string, number>();
    for (const r of results) {
      const v = (r as PromiseFulfilledResult<string>).value;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  }

  /**
   * One tick of a schedule: its job's id (the scheduler's, with the tick's time) is the execution's
   * idempotency key, so a tick whose job runs again (a worker died after starting the run, before
   * the job was marked done) answers the run it started instead of starting a second one.
   */
  private async scheduled(workflowId: string, jobId: string | undefined): Promise<string> {
    const wf = await this.workflows.findById(workflowId);
    if (!wf || !wf.enabled || wf.trigger.type !== 'schedule') return 'skipped: schedule no longer active';
    const { executionId, duplicate } = await this.executions.start({
      tenantId: wf.tenantId,
      workflowId: wf.id,
      workflowVersion: wf.version,
      triggerType: 'schedule',
      payload: wf.trigger.payload ?? { scheduledAt: new Date().toISOString() },
      flow: flowOf(wf),
      ...(jobId ? { idempotencyKey: `schedule:${jobId}` } : {}),
    });
    return duplicate ? `already queued ${executionId} for this tick` : `queued ${executionId}`;
  }

  private version(e: ClaimedExecution): Promise<WorkflowVersion | null> {
    return this.versions.get(`${e.workflowId}:${e.workflowVersion}`, () => this.workflows.getVersion(e.tenantId, e.workflowId, e.workflowVersion));
  }

  async execute(executionId: string): Promise<string> {
    // A database outage while claiming: wait a little, then hand the job back to the queue (retried
    // with backoff, by any worker) rather than hold it: the execution stays queued, never lost.
    const e = await retryWhileUnavailable(() => this.repo.claim(executionId), { giveUpAfterMs: CLAIM_PATIENCE_MS });
    if (!e) return 'skipped: finished, or running elsewhere';
    const version = await retryWhileUnavailable(() => this.version(e));
    const outcome = await this.runner.run(e, version?.steps ?? null);
    if (outcome.status === 'abandoned') this.logger.warn({ msg: 'run abandoned', executionId, reason: outcome.reason });
    return outcome.status;
  }
}
