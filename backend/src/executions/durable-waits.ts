/**
 * Durable waits and sub-workflows (SPEC "Workflow language v2" and "Durability contract"): what the
 * engine's WaitStore and CallStarter are for a recorded run, and everything that resumes a parked
 * execution: its timer (a delayed queue job, and the sweep as the source of truth), a resume
 * webhook, an approval or a rejection, a child execution that ended. A parked execution is rows only
 * (`waiting`, plus its wait rows): it holds no worker and no memory, and survives restarts of every
 * process and of Redis; resuming it queues it again and any worker carries on after its last
 * recorded step.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { CALL_MAX_DEPTH } from '@tributary/contracts';
import type { ApprovalInput } from '@tributary/contracts';
import { AuditService } from '../audit/audit.service.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import type { CallOutcome, CallRequest, CallStarter, RunResult, WaitStore } from '../engine/types.js';
import { PlatformEvents } from '../live/platform-events.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { ExecutionLifecycle } from './execution-lifecycle.js';
import type { ClaimedExecution } from './executions.repository.js';
import { ExecutionsService, flowOf } from './executions.service.js';
import { payloadErrors } from '../common/json-schema.js';
import { ResumeTokens } from './resume-tokens.js';
import { outcomeOf, WaitsRepository, type RequeuedJob } from './waits.repository.js';

/** Parked executions due this long ago are queued by the sweep (their delayed job normally came first). */
const SWEEP_GRACE_MS = 500;
const SWEEP_BATCH = 1000;

@Injectable()
export class DurableWaits {
  private readonly logger = new Logger('Waits');
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly tokens: ResumeTokens,
    private readonly waits: WaitsRepository,
    private readonly executions: ExecutionsService,
    private readonly workflows: WorkflowsService,
    private readonly audit: AuditService,
    private readonly events: PlatformEvents,
    lifecycle: ExecutionLifecycle,
  ) {
    // A child execution that ended resumes the parent waiting on it (the sweep catches what this misses).
    lifecycle.register({
      finished: (run, end) => {
        if (run.mode !== 'recorded' || run.triggerType !== 'call' || !('result' in end) || end.status === 'waiting') return;
        void this.childEnded(run.executionId);
      },
      cancelled: (e) => void this.childEnded(e.executionId),
    });
  }

  /** The engine's wait store for a claimed execution. */
  storeFor(e: ClaimedExecution): WaitStore {
    return {
      reach: (w) => this.waits.reach(e.id, e.tenantId, w),
      resumeUrl: (path) => this.tokens.url(e.id, path),
      durableAfterMs: this.config.waitDurableAfterMs,
    };
  }

  /** The engine's sub-workflow starter for a claimed execution. */
  callsFor(e: ClaimedExecution): CallStarter {
    return {
      call: (c) => this.call(e, c),
      describe: async (workflowId) => {
        const w = isUuid(workflowId) ? await this.workflows.getEntity(e.tenantId, workflowId) : null;
        return w ? { description: w.tool?.description || w.description || `Runs the workflow "${w.name}"`, inputSchema: w.inputSchema } : null;
      },
    };
  }

  private async call(parent: ClaimedExecution, c: CallRequest): Promise<CallOutcome> {
    if (c.wait) {
      const row = await this.waits.find(parent.id, c.path);
      if (row?.childExecutionId) return this.callOutcome(row.childExecutionId, row);
    }
    const target = isUuid(c.workflowId) ? await this.workflows.getEntity(parent.tenantId, c.workflowId) : null;
    if (!target) throw new Error(`Sub-workflow ${c.workflowId} not found in this workspace`);
    if (target.inputSchema) {
      const errors = payloadErrors(target.inputSchema, c.input);
      if (errors.length) throw new Error(`The sub-workflow's input does not match its inputSchema: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    }
    const depth = await this.waits.callDepth(parent.id, CALL_MAX_DEPTH + 1);
    if (depth >= CALL_MAX_DEPTH) throw new Error(`Sub-workflows nest at most ${CALL_MAX_DEPTH} deep (workflows calling each other in a cycle?)`);
    // The step's idempotency key: started again after a crash, the first child answers.
    const { executionId } = await this.executions.start({
      tenantId: parent.tenantId,
      workflowId: target.id,
      workflowVersion: target.version,
      triggerType: 'call',
      payload: c.input,
      idempotencyKey: c.idempotencyKey,
      parentExecutionId: parent.id,
      flow: flowOf(target),
    });
    if (!c.wait) return { status: 'started', executionId };
    await this.waits.registerCall(parent.id, parent.tenantId, c.path, c.stepId, executionId);
    // The child may have ended before the wait was on record.
    await this.waits.childFinished(executionId);
    const row = await this.waits.find(parent.id, c.path);
    return this.callOutcome(executionId, row!);
  }

  private callOutcome(executionId: string, row: Parameters<typeof outcomeOf>[0]): CallOutcome {
    const o = outcomeOf(row);
    if (o.status === 'pending') return { status: 'pending', executionId };
    if (o.status === 'resumed') return { status: 'succeeded', executionId, output: o.output };
    return { status: 'failed', executionId, error: o.error };
  }

  /**
   * A run just parked: its timer as a delayed job (on time, on any worker), and at once again if a
   * wait it parked on was resolved while it was recording.
   */
  async parked(e: ClaimedExecution, result: RunResult, dueAt: string | null): Promise<void> {
    if (dueAt) {
      const delayMs = Math.max(0, new Date(dueAt).getTime() - Date.now() + 5);
      await this.executions.enqueue([{ jobId: `${e.id}-wait-${e.attempts}`, executionIds: [e.id], delayMs }]);
    }
    // Only a resume, a decision or a child can resolve a wait early; a timer's own job or the sweep fires it.
    const resolvable = (result.waits ?? []).filter((w) => w.kind !== 'duration' && w.kind !== 'until').map((w) => w.path);
    if (!resolvable.length) return;
    const jobs = await this.waits.resumeIfResolved(e.id, resolvable);
    await this.requeue(jobs, null, 'call');
  }

  /** `POST /api/resume/:token`: the webhook wait's output is the body. 404 once used, timed out, or the run ended. */
  async resume(token: string, body: unknown): Promise<{ executionId: string; resumed: true }> {
    const target = this.tokens.parse(token);
    if (!target || !isUuid(target.executionId)) throw new NotFoundError('Resume URL');
    const r = await this.waits.resumeWebhook(target.executionId, target.path, body);
    if (!r) throw new NotFoundError('Resume URL');
    await this.requeue(r.job ? [r.job] : [], target.path, 'webhook');
    return { executionId: r.executionId, resumed: true };
  }

  /** Approves or rejects the execution's pending approval (editor role; audited with who and when). */
  async decide(tenantId: string, user: { userId: string | null; email?: string; apiKeyId?: string }, executionId: string, input: ApprovalInput, approved: boolean): Promise<{ executionId: string; stepPath: string; approved: boolean }> {
    if (!isUuid(executionId)) throw new NotFoundError('Execution');
    const at = new Date().toISOString();
    // A service API key has no user: its approval is signed by the key.
    const output = { approved, by: user.email || user.userId || `API key ${user.apiKeyId ?? ''}`.trim(), userId: user.userId, at, ...(input.data !== undefined ? { data: input.data } : {}) };
    const r = await this.waits.decide(tenantId, executionId, input.stepId, approved, approved ? output : { ...output, error: `Rejected by ${output.by}` }, user.userId);
    if (!r) {
      await this.executions.get(tenantId, executionId); // 404 for another tenant's or a missing execution
      throw new ConflictError(input.stepId ? `The execution is not waiting for approval at step "${input.stepId}"` : 'The execution is not waiting for an approval');
    }
    await this.audit.record({ tenantId, userId: user.userId, action: approved ? 'execution.approve' : 'execution.reject', targetType: 'execution', targetId: executionId, details: { stepPath: r.path, ...(input.data !== undefined ? { data: input.data } : {}) } });
    await this.requeue(r.job ? [r.job] : [], r.path, approved ? 'approval' : 'rejection');
    return { executionId, stepPath: r.path, approved };
  }

  /** One pass of the sweep: parked executions whose time has come, and parents whose child ended unnoticed. */
  async sweep(): Promise<number> {
    const due = await this.waits.dueExecutions(SWEEP_GRACE_MS, SWEEP_BATCH);
    await this.requeue(due, null, 'timer');
    let resumed = due.length;
    for (const child of await this.waits.finishedChildren(SWEEP_BATCH)) {
      const jobs = await this.waits.childFinished(child);
      await this.requeue(jobs, null, 'call');
      resumed += jobs.length;
    }
    return resumed;
  }

  private async childEnded(childExecutionId: string): Promise<void> {
    try {
      await this.requeue(await this.waits.childFinished(childExecutionId), null, 'call');
    } catch (err) {
      this.logger.warn({ msg: 'could not resume the parent of a sub-workflow now; the sweep will', executionId: childExecutionId, err: (err as Error).message });
    }
  }

  /** Adds the jobs of executions queued again (the reconciler adds them if the queue is away) and tells live clients. */
  private async requeue(jobs: RequeuedJob[], stepPath: string | null, by: 'webhook' | 'approval' | 'rejection' | 'call' | 'timer'): Promise<void> {
    if (!jobs.length) return;
    await this.executions.enqueue(jobs);
    for (const j of jobs) this.events.publish(j.tenantId, 'execution.resumed', { executionId: j.executionIds[0], workflowId: j.workflowId, stepPath, by });
  }
}
