/**
 * Load shedding at ingest: past MAX_QUEUED_EXECUTIONS queued executions, new webhooks and manual
 * runs answer 503 with Retry-After instead of growing the backlog until something falls over. The
 * count is read at most once a second, in the background (a bounded count: it stops at the limit),
 * so the accept path only compares two numbers.
 */
import { ServiceUnavailableError } from '../common/errors.js';

const REFRESH_MS = 1000;
/** What a shed caller is told to wait: long enough for workers to take a bite out of the backlog. */
const RETRY_AFTER_SECONDS = 10;

export class BacklogLimit {
  private queued = 0;
  private checkedAt = 0;
  private refreshing = false;

  /** `count(cap)` counts queued executions, stopping at `cap`. */
  constructor(
    private readonly limit: number,
    private readonly count: (cap: number) => Promise<number>,
  ) {}

  /** Throws a 503 while the backlog is at the limit; starts a refresh of the count when it is stale. */
  check(): void {
    if (!this.limit) return;
    if (!this.refreshing && Date.now() - this.checkedAt >= REFRESH_MS) void this.refresh();
    if (this.queued >= this.limit) {
      throw new ServiceUnavailableError(
        `Too much work is waiting: ${this.limit.toLocaleString('en')} or more executions are queued (MAX_QUEUED_EXECUTIONS); nothing was recorded, retry later`,
        RETRY_AFTER_SECONDS,
      );
    }
  }

  private async refresh(): Promise<void> {
    this.refreshing = true;
    try {
      this.queued = await this.count(this.limit);
    } catch {
      // Unknown (database away): the accept itself will answer 503 if it cannot store the row.
    } finally {
      this.checkedAt = Date.now();
      this.refreshing = false;
    }
  }
}
