/**
 * Keeps the leases of the executions this process is running: every third of EXECUTION_LEASE_MS,
 * one UPDATE renews the leases of the runs that have been going that long (a run of a few
 * milliseconds never costs a renewal; its claim set the lease). A run whose lease another process
 * took (it lapsed while this one could not reach the database) is aborted: it must not go on.
 * Between renewals, every CANCEL_CHECK_MS one indexed read finds the runs of this process that were
 * cancelled (a user's POST /executions/:id/cancel) and aborts their step in flight at once.
 */
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { Cancellation } from '../common/cancellation.js';
import { isDependencyUnavailable } from '../common/unavailable.js';
import { ExecutionsRepository, type LeaseToken } from './executions.repository.js';

/** The run lost its lease: another process resumes it; this one must stop without another side effect. */
export class LeaseLostError extends Error {
  constructor(executionId: string) {
    super(`Execution ${executionId} is no longer held by this process (its lease lapsed and another worker took it, or it was cancelled)`);
    this.name = 'LeaseLostError';
  }
}

export interface Lease {
  /** Cancelled when the lease is lost. */
  readonly cancellation: Cancellation;
  readonly lost: boolean;
  /** Marks the lease lost (a write was refused) and aborts the run. */
  lose(): void;
  /** The run is over (recorded or abandoned): stop renewing. */
  release(): void;
}

/** How often runs older than this are checked for a cancel (a read by primary key; short runs never are). */
const CANCEL_CHECK_MS = 1000;

interface Held {
  token: LeaseToken;
  since: number;
  cancellation: Cancellation;
}

@Injectable()
export class LeaseKeeper implements OnModuleDestroy {
  private readonly logger = new Logger('Leases');
  private readonly held = new Map<string, Held>();
  private timer?: NodeJS.Timeout;
  private cancelTimer?: NodeJS.Timeout;
  private renewing = false;
  private checking = false;
  private readonly periodMs: number;

  constructor(
    private readonly repo: ExecutionsRepository,
    @Inject(CONFIG) config: Config,
  ) {
    this.periodMs = Math.max(100, Math.floor(config.executionLeaseMs / 3));
  }

  hold(token: LeaseToken): Lease {
    const held: Held = { token, since: Date.now(), cancellation: new Cancellation() };
    this.held.set(token.id, held);
    this.timer ??= setInterval(() => void this.renew(), this.periodMs).unref();
    this.cancelTimer ??= setInterval(() => void this.checkCancelled(), Math.min(CANCEL_CHECK_MS, this.periodMs)).unref();
    const lose = () => {
      if (held.cancellation.cancelled) return;
      this.held.delete(token.id);
      held.cancellation.cancel(new LeaseLostError(token.id));
    };
    return {
      cancellation: held.cancellation,
      get lost() {
        return held.cancellation.cancelled;
      },
      lose,
      release: () => {
        if (this.held.get(token.id) === held) this.held.delete(token.id);
        if (!this.held.size && this.timer) {
          clearInterval(this.timer);
          clearInterval(this.cancelTimer);
          this.timer = undefined;
          this.cancelTimer = undefined;
        }
      },
    };
  }

  /** The number of runs this process holds (for draining and metrics). */
  get size(): number {
    return this.held.size;
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    const due = [...this.held.values()].filter((h) => Date.now() - h.since >= this.periodMs);
    if (!due.length) return;
    this.renewing = true;
    try {
      const kept = await this.repo.renewLeases(due.map((h) => h.token));
      for (const h of due) {
        if (kept.has(h.token.id)) continue;
        // Taken by another process, finished elsewhere or cancelled: stop this run.
        if (this.held.get(h.token.id) !== h) continue;
        this.logger.warn({ msg: 'lease lost; stopping the run here (another worker resumes it)', executionId: h.token.id });
        this.held.delete(h.token.id);
        h.cancellation.cancel(new LeaseLostError(h.token.id));
      }
    } catch (err) {
      // The database is away: the runs go on; their next checkpoint waits for it, and fencing refuses
      // their writes if another process took them meanwhile.
      if (!isDependencyUnavailable(err)) this.logger.error({ msg: 'lease renewal failed', err: (err as Error).message });
    } finally {
      this.renewing = false;
    }
  }

  /** Runs held for a while that were cancelled meanwhile: aborted now, not at the next renewal. */
  private async checkCancelled(): Promise<void> {
    if (this.checking) return;
    const now = Date.now();
    const due = [...this.held.values()].filter((h) => now - h.since >= CANCEL_CHECK_MS);
    if (!due.length) return;
    this.checking = true;
    try {
      const cancelled = await this.repo.cancelledAmong(due.map((h) => h.token.id));
      for (const id of cancelled) {
        const h = this.held.get(id);
        if (!h) continue;
        this.logger.log({ msg: 'execution cancelled; aborting its step in flight', executionId: id });
        this.held.delete(id);
        h.cancellation.cancel(new LeaseLostError(id));
      }
    } catch (err) {
      if (!isDependencyUnavailable(err)) this.logger.error({ msg: 'cancel check failed', err: (err as Error).message });
    } finally {
      this.checking = false;
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.cancelTimer) clearInterval(this.cancelTimer);
  }
}
