/**
 * Runs a claimed execution to its end under the durability contract: the run holds a lease (renewed
 * by LeaseKeeper), every step's result is recorded before the next step's side effects begin
 * (the engine's checkpoints, group-committed by the repository), and the completion is written with
 * the claim's fencing token. Writes wait out a database outage: results computed while PostgreSQL is
 * away are kept in memory and recorded when it returns, never run again and never left `running`. A
 * run whose lease another process took is abandoned at once: that process resumes it after the last
 * recorded step. Every run goes through here: the worker's (webhooks, schedules, events, manual runs,
 * retries), sync webhooks', and dry runs (the same engine call and lifecycle, nothing recorded). The
 * lifecycle (execution-lifecycle.ts) hears each run start, each step and the end: live events and
 * metrics are its hooks.
 */
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { StepDefinition } from '@tributary/contracts';
import { retryWhileUnavailable } from '../common/unavailable.js';
import type { RunResult } from '../engine/types.js';
import { EngineService, type RunHooks } from './engine.service.js';
import { ExecutionLifecycle, type RunEnd, type RunSubject } from './execution-lifecycle.js';
import { ExecutionsRepository, type ClaimedExecution } from './executions.repository.js';
import { DurableWaits } from './durable-waits.js';
import { ExecutionsService } from './executions.service.js';
import { LeaseKeeper, LeaseLostError, type Lease } from './lease-keeper.js';
import { inSpan, parseTraceparent, SpanKind, SpanStatusCode, TRACING } from '../telemetry/tracing.js';

export type RunOutcome =
  | { status: RunResult['status']; result: RunResult }
  /** Another process holds the run now (lease lost, or cancelled): nothing of this attempt was recorded after that. */
  | { status: 'abandoned'; reason: string };

@Injectable()
export class ExecutionRunner {
  private readonly logger = new Logger('Runner');

  constructor(
    private readonly repo: ExecutionsRepository,
    private readonly engine: EngineService,
    private readonly lifecycle: ExecutionLifecycle,
    private readonly leases: LeaseKeeper,
    private readonly durable: DurableWaits,
    private readonly executions: ExecutionsService,
  ) {}

  /**
   * Runs a claimed execution and records it. `steps` null: the workflow version is gone, and the run
   * fails saying so. Tracing on: inside an `execution.run` span continuing the trace that accepted it.
   */
  run(e: ClaimedExecution, steps: StepDefinition[] | null): Promise<RunOutcome> {
    if (!TRACING.enabled) return this.runAttempt(e, steps);
    const attributes = { 'tributary.execution.id': e.id, 'tributary.workflow.id': e.workflowId, 'tributary.tenant.id': e.tenantId, 'tributary.trigger.type': e.triggerType, 'tributary.execution.attempt': e.attempts };
    return inSpan('execution.run', { kind: SpanKind.CONSUMER, parent: parseTraceparent(e.traceContext), attributes }, () => this.runAttempt(e, steps), (span, outcome) => {
      span.setAttribute('tributary.execution.status', outcome.status);
      if (outcome.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.result.error });
    });
  }

  private async runAttempt(e: ClaimedExecution, steps: StepDefinition[] | null): Promise<RunOutcome> {
    const run: RunSubject = { tenantId: e.tenantId, executionId: e.id, workflowId: e.workflowId, attempt: e.attempts, mode: 'recorded', triggerType: e.triggerType, payload: e.payload };
    const lease = this.leases.hold(e);
    this.lifecycle.started(run);
    try {
      const outcome = await this.runRecorded(e, run, lease, steps);
      this.lifecycle.finished(run, outcome);
      return outcome;
    } catch (err) {
      this.lifecycle.finished(run, { status: 'error', error: err as Error });
      throw err;
    } finally {
      lease.release();
      // A limited workflow's slot is free (ended, parked or lost): the next in line gets its job.
      if (e.concurrencyMax !== null) void this.executions.releaseSlot(e.workflowId);
    }
  }

  /**
   * Runs steps for real (real calls) and records nothing: the builder's test run of a draft or a
   * saved workflow. Hooks hear it as a `dry` run (metrics count it; no live event names it).
   */
  async dryRun(tenantId: string, workflowId: string | null, steps: StepDefinition[], payload: unknown, environment?: string, pinned?: Readonly<Record<string, unknown>>): Promise<RunResult> {
    const run: RunSubject = { tenantId, executionId: `dry-run-${randomUUID()}`, workflowId, attempt: 1, mode: 'dry' };
    this.lifecycle.started(run);
    try {
      const result = await this.engine.run(tenantId, { executionId: run.executionId, steps, payload, pinned }, { onStep: (step) => this.lifecycle.step(run, step), workflowId }, environment);
      this.lifecycle.finished(run, { status: result.status, result });
      return result;
    } catch (err) {
      this.lifecycle.finished(run, { status: 'error', error: err as Error });
      throw err;
    }
  }

  private async runRecorded(e: ClaimedExecution, run: RunSubject, lease: Lease, steps: StepDefinition[] | null): Promise<Exclude<RunEnd, { status: 'error' }>> {
    if (!steps) return this.finish(e, lease, { status: 'failed', steps: [], output: null, error: 'The workflow version no longer exists', durationMs: 0 });
    let logged = e.logged;
    const hooks: RunHooks = {
      workflowId: e.workflowId,
      onStep: (step) => this.lifecycle.step(run, step),
      checkpoint: async (delta) => {
        logged = true;
        const held = await this.durably(e, 'checkpoint', () => this.repo.checkpoint({ id: e.id, attempts: e.attempts, steps: delta }));
        if (!held) {
          lease.lose();
          throw new LeaseLostError(e.id);
        }
      },
      waits: this.durable.storeFor(e),
      calls: this.durable.callsFor(e),
    };
    let result: RunResult;
    try {
      result = await this.engine.run(e.tenantId, { executionId: e.id, steps, payload: e.payload, previous: e.steps, cancellation: lease.cancellation }, hooks, e.environment);
    } catch (err) {
      if (lease.lost) return { status: 'abandoned', reason: (err as Error).message };
      throw err;
    }
    if (lease.lost) return { status: 'abandoned', reason: `execution ${e.id}: lease lost during the run` };
    return this.finish(e, lease, result, logged);
  }

  /** Records the end of this attempt: finished, or parked on its waits (then its timer is set). */
  private async finish(e: ClaimedExecution, lease: Lease, result: RunResult, logged = false): Promise<Exclude<RunEnd, { status: 'error' }>> {
    const dueAt = earliest(result.waits);
    const recorded = await this.durably(e, 'completion', () =>
      this.repo.complete({
        id: e.id,
        attempts: e.attempts,
        status: result.status,
        steps: result.steps,
        output: result.output ?? null,
        error: result.error ?? null,
        durationMs: result.durationMs,
        waitDueAt: dueAt,
        logged,
      }),
    );
    if (!recorded) {
      lease.lose();
      return { status: 'abandoned', reason: `execution ${e.id}: another process holds it (its lease lapsed), so this attempt's result was not recorded` };
    }
    if (result.status === 'waiting') {
      // The sweep queues it if this fails (the parked row is the source of truth).
      await this.durable.parked(e, result, dueAt).catch((err: Error) => this.logger.warn({ msg: 'could not set the timer of a parked execution; the sweep will', executionId: e.id, err: err.message }));
    }
    return { status: result.status, result };
  }

  /**
   * A write of this run, retried for as long as the database is away (the result stays in memory
   * meanwhile), and again when PostgreSQL chose it as a deadlock or serialization victim (the batch
   * it shared was rolled back whole; the write is fenced, so writing it again is safe).
   */
  private async durably<T>(e: ClaimedExecution, what: string, write: () => Promise<T>): Promise<T> {
    for (let conflicts = 0; ; conflicts++) {
      try {
        return await retryWhileUnavailable(write, {
          onWait: (err) => this.logger.warn({ msg: `database unavailable; keeping the ${what} until it returns`, executionId: e.id, err: (err as Error).message }),
        });
      } catch (err) {
        if (conflicts >= MAX_CONFLICT_RETRIES || !isTransactionConflict(err)) throw err;
        this.logger.warn({ msg: `the ${what} lost a lock conflict; writing it again`, executionId: e.id, err: (err as Error).message });
      }
    }
  }
}

const MAX_CONFLICT_RETRIES = 5;

/** A deadlock (40P01) or serialization failure (40001): the statement was rolled back and may be run again. */
function isTransactionConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** The earliest due time of a parked run's waits (null: none has one). */
function earliest(waits: RunResult['waits']): string | null {
  let min: string | null = null;
  for (const w of waits ?? []) if (w.dueAt && (min === null || w.dueAt < min)) min = w.dueAt;
  return min;
}
