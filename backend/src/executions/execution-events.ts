/**
 * The live `execution.*` events: built here and only here, from the lifecycle (execution-lifecycle.ts),
 * for every kind of run alike, and published on the tenant's channel (live/platform-events.ts). Dry
 * runs publish nothing: they have no execution a client could open.
 */
import { Injectable } from '@nestjs/common';
import type { PlatformEventPayloads } from '@tributary/contracts';
import type { StepResult } from '../engine/types.js';
import { PlatformEvents } from '../live/platform-events.js';
import { ExecutionLifecycle, type QueuedExecution, type RunEnd, type RunSubject } from './execution-lifecycle.js';

type Payload<K extends keyof PlatformEventPayloads> = PlatformEventPayloads[K];

/** The payloads of the `execution.*` events (what the realtime contract says clients read). */
export const executionEvent = {
  queued: (e: QueuedExecution): Payload<'execution.queued'> => ({ executionId: e.executionId, workflowId: e.workflowId, triggerType: e.triggerType }),
  cancelled: (e: Omit<QueuedExecution, 'triggerType'>): Payload<'execution.cancelled'> => ({ executionId: e.executionId, workflowId: e.workflowId }),
  started: (run: RunSubject & { workflowId: string }): Payload<'execution.started'> => ({ executionId: run.executionId, workflowId: run.workflowId, attempt: run.attempt }),
  /** A step's outcome, not its data: clients fetch the detail when they show it. */
  step: (run: RunSubject & { workflowId: string }, s: StepResult): Payload<'execution.step'> => ({
    executionId: run.executionId,
    workflowId: run.workflowId,
    step: { stepId: s.stepId, connector: s.connector, action: s.action, status: s.status, attempts: s.attempts, durationMs: s.durationMs, error: s.error },
  }),
  finished: (run: RunSubject & { workflowId: string }, end: Extract<RunEnd, { result: unknown }>) =>
    end.status === 'waiting'
      ? { name: 'execution.waiting' as const, data: { executionId: run.executionId, workflowId: run.workflowId, waits: (end.result.waits ?? []).map((w) => ({ path: w.path, dueAt: w.dueAt })) } satisfies Payload<'execution.waiting'> }
      : end.status === 'succeeded'
      ? { name: 'execution.succeeded' as const, data: { executionId: run.executionId, workflowId: run.workflowId, status: 'succeeded', durationMs: end.result.durationMs, error: end.result.error } satisfies Payload<'execution.succeeded'> }
      : { name: 'execution.failed' as const, data: { executionId: run.executionId, workflowId: run.workflowId, status: end.status, durationMs: end.result.durationMs, error: end.result.error } satisfies Payload<'execution.failed'> },
};

function live(run: RunSubject): run is RunSubject & { workflowId: string } {
  return run.mode === 'recorded' && run.workflowId !== null;
}

@Injectable()
export class ExecutionEvents {
  constructor(lifecycle: ExecutionLifecycle, events: PlatformEvents) {
    lifecycle.register({
      queued: (e) => events.publish(e.tenantId, 'execution.queued', executionEvent.queued(e)),
      cancelled: (e) => events.publish(e.tenantId, 'execution.cancelled', executionEvent.cancelled(e)),
      started: (run) => {
        if (live(run)) events.publish(run.tenantId, 'execution.started', executionEvent.started(run));
      },
      step: (run, step) => {
        if (live(run)) events.publish(run.tenantId, 'execution.step', executionEvent.step(run, step));
      },
      finished: (run, end) => {
        // An abandoned or broken attempt says nothing: the process that holds the run now finishes it.
        if (!live(run) || !('result' in end)) return;
        const e = executionEvent.finished(run, end);
        events.publish(run.tenantId, e.name, e.data);
      },
    });
  }
}
