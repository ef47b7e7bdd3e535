import { Inject, Injectable, Logger } from '@nestjs/common';
import { DEFAULT_ENVIRONMENT, statsSchema, type ExecutionStarted } from '@tributary/contracts';
import type { z } from 'zod';
import { CONFIG, type Config } from '../config/config.js';
import { randomUUID } from 'node:crypto';
import { Batcher } from '../common/batcher.js';
import { sleep } from '../common/sleep.js';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.js';
import { BacklogLimit } from './backlog-limit.js';
import type { Page } from '../common/pagination.js';
import type { StepResult } from '../engine/types.js';
import { EXECUTIONS, type ExecutionsQueue } from '../queue/queue.module.js';
import { RUN_JOB, RUN_JOB_BACKOFF, type RunJobData } from '../queue/queue.factory.js';
import type { ExecutionTriggerType as TriggerType } from '@tributary/contracts';
import { AuditService } from '../audit/audit.service.js';
import { ExecutionLifecycle } from './execution-lifecycle.js';
import { PlatformEvents } from '../live/platform-events.js';
import { ExecutionsRepository, UnencodableRowError, type ClaimedExecution, type ExecutionDetail, type ExecutionSummary, type InsertResult, type ListFilter, type NewExecution, type StoredExecution } from './executions.repository.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { executionTree } from './execution-tree.js';
import { executionUsage } from './token-usage.js';
import { ResumeTokens } from './resume-tokens.js';
import { WaitsRepository } from './waits.repository.js';
import type { PendingWait, WorkflowPriority } from '@tributary/contracts';
import { TenantLoad, type JobLane } from './fair-share.js';
import { isUuid } from '../common/ids.js';
import { acceptTraced, activeTraceparent, TRACING } from '../telemetry/tracing.js';

export interface StartRequest {
  tenantId: string;
  workflowId: string;
  workflowVersion: number;
  triggerType: TriggerType;
  payload: unknown;
  idempotencyKey?: string;
  retryOf?: string;
  carriedSteps?: StepResult[];
  /** A sub-workflow's: the execution whose `call` step started it. */
  parentExecutionId?: string;
  /** Its workflow's priority and concurrency limit (flowOf): how it is queued and claimed. */
  flow?: FlowSettings;
}

/** What flow control needs of a workflow when one of its executions is accepted. */
export interface FlowSettings {
  priority: WorkflowPriority;
  concurrencyMax: number | null;
  /** The environment its executions run in (absent: the INSERT reads the workflow's). */
  environment?: string;
}

export function flowOf(w: { priority?: WorkflowPriority | null; concurrencyMax?: number | null; environment?: string | null }): FlowSettings {
  return { priority: w.priority ?? 'normal', concurrencyMax: w.concurrencyMax ?? null, ...(w.environment ? { environment: w.environment } : {}) };
}


export type FinishedExecution = StoredExecution & { status: 'succeeded' | 'failed' | 'cancelled' };

/** One queue job: the executions accepted together (job id = the first one's id). */
export interface RunBatch {
  jobId: string;
  executionIds: string[];
  /** A delayed job (a parked execution's timer): added now, run this much later. */
  delayMs?: number;
  /** Whose executions these are (one tenant's: the worker gives each tenant turns), and the lane (fair-share.ts). */
  tenantId?: string;
  lane?: JobLane;
}

/** Executions per queue job at most: small enough to spread a backlog over several workers. */
const MAX_BATCH = 100;

/**
 * Queue jobs are retried until they succeed: a job fails only when its executions could not be
 * claimed (the database was away), and giving up would leave accepted executions unrun. The delay
 * doubles from 1 s up to 30 s (see RUN_JOB_BACKOFF in queue.factory.ts).
 */
export const RUN_JOB_ATTEMPTS = 100_000;

/** What a caller is told when PostgreSQL refused its execution row (see ExecutionsRepository.insert). */
function refusal(err: Error): Error {
  // Too deep is the caller's data (the HTTP routes refuse it earlier, see json-depth-guard.ts); anything else JSON cannot encode is a bug: 500.
  if (err instanceof UnencodableRowError) return err.tooDeep ? new ValidationError(`The payload cannot be stored: ${err.message}`) : err;
  const code = (err as { code?: unknown }).code;
  // The workflow (or its tenant) was deleted between the lookup and the insert.
  if (code === '23503') return new NotFoundError('Workflow');
  if (typeof code === 'string' && code.startsWith('22')) return new ValidationError(`The payload cannot be stored: ${err.message}`);
  return err;
}

@Injectable()
export class ExecutionsService {
  private readonly logger = new Logger('Executions');
  private readonly accepted: Batcher<NewExecution, InsertResult>;
  private readonly backlog: BacklogLimit;
  /** Who has been accepting how much lately: the lane of each job (fair share between tenants). */
  private readonly tenantLoad = new TenantLoad();

  constructor(
    private readonly repo: ExecutionsRepository,
    @Inject(EXECUTIONS) private readonly queue: ExecutionsQueue,
    private readonly lifecycle: ExecutionLifecycle,
    private readonly events: PlatformEvents,
    private readonly audit: AuditService,
    private readonly workflows: WorkflowsService,
    private readonly waits: WaitsRepository,
    private readonly tokens: ResumeTokens,
    @Inject(CONFIG) config: Config,
  ) {
    // Each accept batch becomes one queue job. On Redis, up to four batches in flight, so enqueues
    // overlap the two INSERTs in flight behind them. On BullMQ's PostgreSQL queue, two: fewer, bigger
    // jobs, which that backend needs (see ExecutionsRepository's insert batcher).
    this.accepted = new Batcher((rows) => this.acceptMany(rows), { maxSize: MAX_BATCH, maxConcurrent: config.queueBackend === 'redis' ? 4 : 2 });
    this.backlog = new BacklogLimit(config.maxQueuedExecutions, (cap) => repo.countQueued(cap));
  }

  /** Sheds new work (503 with Retry-After) while MAX_QUEUED_EXECUTIONS executions are queued: for webhooks and manual runs. */
  assertAcceptingWork(): void {
    this.backlog.check();
  }

  /**
   * Records the execution (queued) and adds its job. Once this resolves the run will happen: when the
   * queue is unreachable the row stays queued and the reconciler adds the job later. With an
   * idempotency key, a repeat answers the first execution (`duplicate`) and queues nothing.
   */
  start(req: StartRequest): Promise<{ executionId: string; duplicate: boolean }> {
    if (!TRACING.enabled) return this.accept(req);
    // Tracing on: the trace of the webhook (or `call` step) accepting it, else an `execution.accept` span of its own.
    const attributes = { 'tributary.workflow.id': req.workflowId, 'tributary.tenant.id': req.tenantId, 'tributary.trigger.type': req.triggerType };
    return acceptTraced(attributes, (traceContext) => this.accept(req, traceContext));
  }

  private async accept(req: StartRequest, traceContext?: string): Promise<{ executionId: string; duplicate: boolean }> {
    const { carriedSteps, flow, ...fields } = req;
    const row: NewExecution = {
      id: randomUUID(),
      ...fields,
      steps: carriedSteps,
      retryOf: req.retryOf ?? null,
      concurrencyMax: flow?.concurrencyMax ?? null,
      priority: flow?.priority ?? 'normal',
      environment: flow?.environment,
      traceContext,
    };
    const outcome = await this.accepted.add(row);
    if ('refused' in outcome) throw refusal(outcome.refused);
    if (!outcome.created) return { executionId: outcome.existingId, duplicate: true };
    return { executionId: row.id, duplicate: false };
  }

  /**
   * Records an execution that this process runs at once (a sync webhook): no queue job, the row is
   * `running` and claimed by its first attempt. With an idempotency key already used, the first
   * execution's id instead (`existingId`): the caller answers its result.
   */
  async startHere(req: Omit<StartRequest, 'retryOf' | 'carriedSteps'>): Promise<{ claimed: ClaimedExecution } | { existingId: string }> {
    const id = randomUUID();
    const environment = req.flow?.environment ?? DEFAULT_ENVIRONMENT;
    const traceContext = TRACING.enabled ? activeTraceparent() : undefined;
    const inserted = await this.repo.insert({ id, ...req, status: 'running', environment, traceContext }).catch((err: Error) => {
      throw refusal(err);
    });
    if (!inserted.created) return { existingId: inserted.existingId };
    this.lifecycle.queued({ tenantId: req.tenantId, executionId: id, workflowId: req.workflowId, triggerType: req.triggerType });
    return {
      claimed: { id, tenantId: req.tenantId, workflowId: req.workflowId, workflowVersion: req.workflowVersion, triggerType: req.triggerType, payload: req.payload, steps: [], attempts: 1, parentExecutionId: null, logged: false, concurrencyMax: null, environment, traceContext },
    };
  }

  /**
   * The executions of one tick: one INSERT, then one queue job per tenant (and priority) that carries
   * the new ones, in its fair-share lane. A row that PostgreSQL refused is answered with its error and
   * left out of the job; the others go on.
   */
  private async acceptMany(rows: NewExecution[]): Promise<InsertResult[]> {
    const groups = new Map<string, NewExecution[]>();
    for (const r of rows) {
      const key = `${r.tenantId}:${r.priority ?? 'normal'}`;
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
    for (const g of groups.values()) for (const r of g) r.jobId = g[0].id;
    // The repository's insert batcher makes these one INSERT, one at a time (group commit).
    const outcomes = await Promise.all(rows.map((r) => this.repo.insert(r).catch((err: Error): InsertResult => ({ refused: err }))));
    const created = new Set(rows.filter((_, i) => 'created' in outcomes[i] && outcomes[i].created));
    const accepted = [...groups.values()].map((g) => g.filter((r) => created.has(r)));
    for (const g of accepted) if (g.length) this.tenantLoad.note(g[0].tenantId, g.length);
    // `queued` goes out before the jobs exist: a worker's `started` must not reach a client first.
    for (const r of created) this.lifecycle.queued({ tenantId: r.tenantId, executionId: r.id, workflowId: r.workflowId, triggerType: r.triggerType });
    await this.events.sendNow();
    const jobs = accepted
      .filter((g) => g.length)
      .map((g): RunBatch => ({ jobId: g[0].jobId!, executionIds: g.map((r) => r.id), tenantId: g[0].tenantId, lane: this.tenantLoad.lane(g[0].tenantId, g[0].priority) }));
    if (jobs.length) await this.enqueue(jobs);
    return outcomes;
  }

  /**
   * A run of a workflow with a concurrency limit ended, parked or was cancelled: the executions next
   * in line get their jobs (never throws: the reconciler adds what this misses).
   */
  async releaseSlot(workflowId: string): Promise<void> {
    try {
      const next = await this.repo.nextInLine(workflowId);
      if (next.length) await this.enqueue(next.map((n) => ({ jobId: n.jobId, executionIds: [n.id] })));
    } catch (err) {
      this.logger.warn({ msg: 'could not queue the next run of a limited workflow now; the reconciler will', workflowId, err: (err as Error).message });
    }
  }

  /**
   * Adds run jobs. A job id is the id of its first execution, so adding a job again while it exists
   * is a no-op (the reconciler relies on it). Never throws: when the queue is unreachable the rows
   * stay queued for the reconciler, and the answer is false.
   */
  async enqueue(batches: RunBatch[]): Promise<boolean> {
    const jobs = batches.map((b) => ({
      name: RUN_JOB,
      data: (b.tenantId ? { executionIds: b.executionIds, tenantId: b.tenantId } : { executionIds: b.executionIds }) satisfies RunJobData,
      opts: { jobId: b.jobId, attempts: RUN_JOB_ATTEMPTS, backoff: RUN_JOB_BACKOFF, ...(b.delayMs ? { delay: b.delayMs } : {}), ...b.lane },
    }));
    try {
      // One job (every accept batch) is one script call; addBulk wraps even one job in a pipeline.
      if (jobs.length === 1) await this.queue.add(jobs[0].name, jobs[0].data, jobs[0].opts);
      else await this.queue.addBulk(jobs);
      return true;
    } catch (err) {
      const count = batches.reduce((n, b) => n + b.executionIds.length, 0);
      this.logger.warn({ msg: 'queue unreachable; executions stay queued in PostgreSQL for the reconciler', count, err: (err as Error).message });
      return false;
    }
  }

  /**
   * Run jobs in the queue's failed set (their attempts ran out, or they were added before jobs were
   * retried until they succeed), with the executions they carry; at most `limit`. Adding a job again
   * under the id of a failed one is a no-op, so these are what the reconciler must replace.
   */
  async failedRunJobs(limit: number): Promise<RunBatch[]> {
    if (!(await this.queue.getFailedCount())) return [];
    const jobs = await this.queue.getFailed(0, limit - 1);
    return jobs
      .filter((j) => j?.id && j.name === RUN_JOB)
      .map((j) => {
        const data = j.data as RunJobData;
        return { jobId: j.id!, executionIds: data.executionIds ?? (data.executionId ? [data.executionId] : []) };
      });
  }

  /** Replaces a failed job by a fresh one under the same id, carrying the given executions. */
  async replaceJob(batch: RunBatch): Promise<void> {
    await this.queue.remove(batch.jobId);
    await this.enqueue([batch]);
  }

  list(tenantId: string, f: ListFilter): Promise<Page<ExecutionSummary>> {
    return this.repo.list(tenantId, f);
  }

  /** The execution once it has finished (not queued, running or waiting), read every `pollMs`; rejects when `signal` aborts. */
  async whenFinished(tenantId: string, id: string, signal: AbortSignal, pollMs = 100): Promise<FinishedExecution> {
    for (;;) {
      const e = await this.repo.get(tenantId, id);
      if (!e) throw new NotFoundError('Execution');
      if (e.status !== 'queued' && e.status !== 'running' && e.status !== 'waiting') return e as FinishedExecution;
      await sleep(pollMs, signal);
    }
  }

  /** One execution with its steps flat and as the workflow's tree, and the waits it is parked on. */
  async get(tenantId: string, id: string): Promise<ExecutionDetail> {
    const e = isUuid(id) ? await this.repo.get(tenantId, id) : null;
    if (!e) throw new NotFoundError('Execution');
    const [version, waits] = await Promise.all([
      this.workflows.getVersion(tenantId, e.workflowId, e.workflowVersion),
      e.status === 'waiting' || e.status === 'running' || e.status === 'queued' ? this.pendingWaits(id) : Promise.resolve([]),
    ]);
    return { ...e, tree: version ? executionTree(version.steps, e.steps) : null, waits, usage: executionUsage(e.steps) };
  }

  /** The waits an execution is parked on, as the API shows them (a webhook wait with its resume URL). */
  async pendingWaits(executionId: string): Promise<PendingWait[]> {
    const rows = await this.waits.pending(executionId);
    return rows.map((w) => ({
      stepId: w.stepId,
      path: w.path,
      kind: w.kind,
      dueAt: w.dueAt ? new Date(w.dueAt).toISOString() : null,
      ...(w.kind === 'webhook' ? { resumeUrl: this.tokens.url(executionId, w.path) } : {}),
      ...(w.message ? { message: w.message } : {}),
      ...(w.childExecutionId ? { childExecutionId: w.childExecutionId } : {}),
      createdAt: new Date(w.createdAt).toISOString(),
    }));
  }

  /** Cancels a queued, running or waiting execution (409 once it has finished); audited, and told to live clients. */
  async cancel(tenantId: string, userId: string | null, id: string): Promise<ExecutionDetail> {
    if (!isUuid(id)) throw new NotFoundError('Execution');
    const cancelled = await this.repo.cancel(tenantId, id, 'Cancelled by a user');
    if (!cancelled) {
      const e = await this.get(tenantId, id);
      throw new ConflictError(`Only queued, running or waiting executions can be cancelled (this one is ${e.status})`);
    }
    this.lifecycle.cancelled({ tenantId, executionId: id, workflowId: cancelled.workflowId });
    if (cancelled.concurrencyMax !== null) await this.releaseSlot(cancelled.workflowId);
    await this.audit.record({ tenantId, userId, action: 'execution.cancel', targetType: 'execution', targetId: id });
    return this.get(tenantId, id);
  }

  /** A new execution of the same workflow version and payload that keeps the steps before the failure. */
  async retry(tenantId: string, id: string): Promise<ExecutionStarted> {
    const e = await this.get(tenantId, id);
    if (e.status !== 'failed' && e.status !== 'cancelled') throw new ConflictError(`Only failed or cancelled executions can be retried (this one is ${e.status})`);
    this.assertAcceptingWork();
    // Carried over as they were, by step path: the new run does not repeat them (in loops and parallel
    // blocks, only the failed or unfinished iterations and branches run again). A failure let through
    // (`onError: continue`) is carried too; the engine runs any other failed step again.
    const carried = e.steps.filter((s) => s.status !== 'waiting').map((s) => ({ ...s, reused: true }));
    const wf = await this.workflows.getEntity(tenantId, e.workflowId);
    const { executionId } = await this.start({
      tenantId,
      flow: wf ? flowOf(wf) : undefined,
      workflowId: e.workflowId,
      workflowVersion: e.workflowVersion,
      triggerType: 'retry',
      payload: e.payload,
      retryOf: e.id,
      carriedSteps: carried,
    });
    return { executionId };
  }

  async stats(tenantId: string): Promise<z.input<typeof statsSchema>> {
    const s = await this.repo.stats(tenantId);
    const byStatus = { queued: 0, running: 0, waiting: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const r of s.byStatus) byStatus[r.status] = r.n;
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const finished = byStatus.succeeded + byStatus.failed;
    return {
      total,
      byStatus,
      successRate: finished ? Math.round((byStatus.succeeded / finished) * 10000) / 10000 : null,
      today: s.today,
      perWorkflow: s.perWorkflow,
      perHour: s.perHour,
    };
  }
}
