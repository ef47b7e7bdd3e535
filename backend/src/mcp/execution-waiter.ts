/**
 * Waits for an execution to end (or park) without polling PostgreSQL per call: the live event of the
 * process that ran it (`execution.succeeded`, `.failed`, `.waiting`, `.cancelled`, through
 * McpEventFeed) wakes the waiter, which then reads the row once. A slow poll (SAFETY_POLL_MS) covers an
 * event that never arrives (Redis down between publish and delivery, a publisher that did not know
 * yet that the tenant is watched). An event that arrives before its waiter registers (a run faster
 * than the accept's return) is remembered for a few seconds.
 */
import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors.js';
import { ExecutionsRepository, type StoredExecution } from '../executions/executions.repository.js';
import { ExecutionsService } from '../executions/executions.service.js';
import type { PlatformEvent } from '../live/platform-events.js';
import { McpEventFeed } from './mcp-event-feed.js';

/** How often a waiting call reads the row anyway (the event is what normally wakes it). */
export const SAFETY_POLL_MS = 1_000;
const RECENT_MS = 10_000;
const RECENT_MAX = 10_000;

const END_EVENTS = new Set(['execution.succeeded', 'execution.failed', 'execution.cancelled', 'execution.waiting']);
const ACTIVE = new Set(['queued', 'running', 'waiting']);

export interface WaitOutcome {
  /** Finished (succeeded, failed, cancelled); or waiting on waits none of which is due before the deadline; or as it was at the deadline. */
  execution: StoredExecution;
  /** The deadline passed with the run still going. */
  timedOut: boolean;
}

@Injectable()
export class ExecutionWaiter {
  /** Execution id → the wake-ups of the calls waiting for it. */
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Execution id → when its end (or park) event arrived, for a waiter not registered yet. */
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly repo: ExecutionsRepository,
    private readonly executions: ExecutionsService,
    feed: McpEventFeed,
  ) {
    feed.onEvent((e) => this.heard(e));
  }

  private heard(e: PlatformEvent): void {
    if (!END_EVENTS.has(e.event)) return;
    const id = (e.data as { executionId?: unknown } | null)?.executionId;
    if (typeof id !== 'string') return;
    const ws = this.waiters.get(id);
    if (ws) {
      for (const wake of ws) wake();
      return;
    }
    if (this.recent.size >= RECENT_MAX) this.recent.clear();
    this.recent.set(id, Date.now());
  }

  /**
   * The execution once it has finished, or parked on waits none of which is due before `deadline`
   * (an approval, a webhook, a later timer), or as it is at `deadline` (`timedOut`). Rejects when
   * `signal` aborts (the client cancelled the call), with NotFoundError when the tenant has no such
   * execution. `justStarted`: the caller has just accepted it, so the first read waits for an event.
   */
  async wait(tenantId: string, executionId: string, deadline: number, signal?: AbortSignal, justStarted = false): Promise<WaitOutcome> {
    let woken = false;
    let resolveSleep: (() => void) | undefined;
    const wake = () => {
      woken = true;
      resolveSleep?.();
    };
    let set = this.waiters.get(executionId);
    if (!set) this.waiters.set(executionId, (set = new Set()));
    set.add(wake);
    signal?.addEventListener('abort', wake, { once: true });
    const heardAt = this.recent.get(executionId);
    if (heardAt !== undefined) {
      this.recent.delete(executionId);
      if (Date.now() - heardAt < RECENT_MS) woken = true;
    }
    try {
      let read = !justStarted || woken;
      for (;;) {
        signal?.throwIfAborted();
        if (read) {
          woken = false;
          const e = await this.repo.get(tenantId, executionId);
          if (!e) throw new NotFoundError('Execution');
          if (!ACTIVE.has(e.status)) return { execution: e, timedOut: false };
          if (e.status === 'waiting' && !(await this.resumesBefore(executionId, deadline))) return { execution: e, timedOut: false };
          if (Date.now() >= deadline) return { execution: e, timedOut: true };
        }
        // Sleep until an event, the safety poll or the deadline, whichever comes first.
        if (!woken) {
          let timer: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            resolveSleep = resolve;
            timer = setTimeout(resolve, Math.max(0, Math.min(SAFETY_POLL_MS, deadline - Date.now())));
          });
          clearTimeout(timer);
          resolveSleep = undefined;
        }
        read = true;
      }
    } finally {
      signal?.removeEventListener('abort', wake);
      set.delete(wake);
      if (!set.size && this.waiters.get(executionId) === set) this.waiters.delete(executionId);
    }
  }

  /** Whether a parked execution has a timed wait due before `deadline` (the run resumes in time: keep waiting). */
  private async resumesBefore(executionId: string, deadline: number): Promise<boolean> {
    const waits = await this.executions.pendingWaits(executionId);
    return waits.some((w) => w.dueAt !== null && Date.parse(w.dueAt) < deadline);
  }
}
