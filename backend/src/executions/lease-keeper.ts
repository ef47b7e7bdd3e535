/**
 * Keeps the leases of the executions this process is running: every third of EXECUTION_LEASE_MS,
 * one UPDATE renews the leases of the runs that have been going that long (a run of a few
 * milliseconds never costs a renewal; its claim set the lease). A run whose lease another process
 * took (it lapsed while this one could not reach the database) is aborted: it must not go on.
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
  private renewing = false;
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
          this.timer = undefined;
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

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
