/**
 * Runs a claimed execution to its end under the durability contract: the run holds a lease (renewed
 * by LeaseKeeper), every step's result is recorded before the next step's side effects begin
 * (the engine's checkpoints, group-committed by the repository), and the completion is written with
 * the claim's fencing token. Writes wait out a database outage: results computed while PostgreSQL is
 * away are kept in memory and recorded when it returns, never run again and never left `running`. A
 * run whose lease another process took is abandoned at once: that process resumes it after the last
 * recorded step. Both the worker and sync webhooks run executions through here.
 */
import { Injectable, Logger } from '@nestjs/common';
import { retryWhileUnavailable } from '../common/unavailable.js';
import type { RunResult, StepResult } from '../engine/types.js';
import type { StepDefinition } from '@tributary/contracts';
import { EngineService } from './engine.service.js';
import { PlatformEvents } from '../live/platform-events.js';
import { ExecutionsRepository, type ClaimedExecution } from './executions.repository.js';
import { LeaseKeeper, LeaseLostError, type Lease } from './lease-keeper.js';

export type RunOutcome =
  | { status: RunResult['status']; result: RunResult }
  /** Another process holds the run now (lease lost, or cancelled): nothing of this attempt was recorded after that. */
  | { status: 'abandoned'; reason: string };

/** Live progress carries a step's outcome, not its data: clients fetch the detail when they show it. */
function stepEvent(step: StepResult) {
  return { stepId: step.stepId, connector: step.connector, action: step.action, status: step.status, attempts: step.attempts, durationMs: step.durationMs, error: step.error };
}

@Injectable()
export class ExecutionRunner {
  private readonly logger = new Logger('Runner');

  constructor(
    private readonly repo: ExecutionsRepository,
    private readonly engine: EngineService,
    private readonly events: PlatformEvents,
    private readonly leases: LeaseKeeper,
  ) {}

  /** `steps` null: the workflow version is gone, and the run fails saying so. */
  async run(e: ClaimedExecution, steps: StepDefinition[] | null): Promise<RunOutcome> {
    const lease = this.leases.hold(e);
    try {
      this.events.publish(e.tenantId, 'execution.started', { executionId: e.id, workflowId: e.workflowId, attempt: e.attempts });
      if (!steps) return await this.finish(e, lease, { status: 'failed', steps: [], output: null, error: 'The workflow version no longer exists', durationMs: 0 });
      let result: RunResult;
      try {
        result = await this.engine.run(
          e.tenantId,
          { executionId: e.id, steps, payload: e.payload, previous: e.steps, cancellation: lease.cancellation },
          {
            onStep: (step) => this.events.publish(e.tenantId, 'execution.step', { executionId: e.id, workflowId: e.workflowId, step: stepEvent(step) }),
            checkpoint: async (results) => {
              const held = await this.durably(e, 'checkpoint', () => this.repo.checkpoint({ id: e.id, attempts: e.attempts, steps: results }));
              if (!held) {
                lease.lose();
                throw new LeaseLostError(e.id);
              }
            },
          },
        );
      } catch (err) {
        if (lease.lost) return { status: 'abandoned', reason: (err as Error).message };
        throw err;
      }
      if (lease.lost) return { status: 'abandoned', reason: `execution ${e.id}: lease lost during the run` };
      return await this.finish(e, lease, result);
    } finally {
      lease.release();
    }
  }

  private async finish(e: ClaimedExecution, lease: Lease, result: RunResult): Promise<RunOutcome> {
    const recorded = await this.durably(e, 'completion', () =>
      this.repo.complete({ id: e.id, attempts: e.attempts, status: result.status, steps: result.steps, output: result.output ?? null, error: result.error ?? null, durationMs: result.durationMs }),
    );
    if (!recorded) {
      lease.lose();
      return { status: 'abandoned', reason: `execution ${e.id}: another process holds it (its lease lapsed), so this attempt's result was not recorded` };
    }
    this.events.publish(e.tenantId, result.status === 'succeeded' ? 'execution.succeeded' : 'execution.failed', {
      executionId: e.id,
      workflowId: e.workflowId,
      status: result.status,
      durationMs: result.durationMs,
      error: result.error,
    });
    return { status: result.status, result };
  }

  /** A write of this run, retried for as long as the database is away (the result stays in memory meanwhile). */
  private durably<T>(e: ClaimedExecution, what: string, write: () => Promise<T>): Promise<T> {
    return retryWhileUnavailable(write, {
      onWait: (err) => this.logger.warn({ msg: `database unavailable; keeping the ${what} until it returns`, executionId: e.id, err: (err as Error).message }),
    });
  }
}
