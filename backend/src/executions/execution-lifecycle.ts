/**
 * What happens to an execution, in order, whatever started it (webhook, schedule, event, manual run,
 * retry, sync webhook, dry run): queued → started → step* → finished, or cancelled from outside.
 * ExecutionsService announces `queued` when it records a new execution and `cancelled`; ExecutionRunner,
 * the one runner, announces the rest.
 * Live events (execution-events.ts) and metrics attach here as hooks (n8n's execution lifecycle
 * hooks); a hook must not throw or block: it runs inline on the hot path.
 */
import { Injectable, Logger } from '@nestjs/common';
import type { ExecutionTriggerType } from '@tributary/contracts';
import type { RunResult, StepResult } from '../engine/types.js';

/** `recorded`: the run is an execution row (checkpoints, completion); `dry`: nothing is recorded. */
export type RunMode = 'recorded' | 'dry';

export interface QueuedExecution {
  tenantId: string;
  executionId: string;
  workflowId: string;
  triggerType: ExecutionTriggerType;
}

/** The run a hook hears about. A dry run of a draft has no workflow id. */
export interface RunSubject {
  tenantId: string;
  executionId: string;
  workflowId: string | null;
  attempt: number;
  mode: RunMode;
  /** Recorded runs: what started the execution, and its payload. */
  triggerType?: ExecutionTriggerType;
  payload?: unknown;
}

/**
 * How a run ended: the result the engine gave (and, recorded runs, that was recorded); `error`, the
 * engine or a write threw; `abandoned`, another process holds the run now and finishes it.
 */
export type RunEnd = { status: RunResult['status']; result: RunResult } | { status: 'error'; error: Error } | { status: 'abandoned'; reason: string };

export interface ExecutionHooks {
  queued?(e: QueuedExecution): void;
  /** A user cancelled it (queued or running); a running attempt then ends `abandoned`. */
  cancelled?(e: Omit<QueuedExecution, 'triggerType'>): void;
  started?(run: RunSubject): void;
  step?(run: RunSubject, step: StepResult): void;
  finished?(run: RunSubject, end: RunEnd): void;
}

@Injectable()
export class ExecutionLifecycle {
  private readonly logger = new Logger('Lifecycle');
  private readonly hooks: ExecutionHooks[] = [];

  register(hooks: ExecutionHooks): void {
    this.hooks.push(hooks);
  }

  queued(e: QueuedExecution): void {
    this.emit('queued', e);
  }

  cancelled(e: Omit<QueuedExecution, 'triggerType'>): void {
    this.emit('cancelled', e);
  }

  started(run: RunSubject): void {
    this.emit('started', run);
  }

  step(run: RunSubject, step: StepResult): void {
    this.emit('step', run, step);
  }

  finished(run: RunSubject, end: RunEnd): void {
    this.emit('finished', run, end);
  }

  /** Calls every hook of the phase in order; one that throws is a bug in the hook: logged, and the run goes on. */
  private emit<P extends keyof ExecutionHooks>(phase: P, ...args: Parameters<NonNullable<ExecutionHooks[P]>>): void {
    for (const h of this.hooks) {
      const hook = h[phase] as ((...a: typeof args) => void) | undefined;
      if (!hook) continue;
      try {
        hook.apply(h, args);
      } catch (err) {
        this.logger.error({ msg: 'an execution hook threw', phase, err });
      }
    }
  }
}
