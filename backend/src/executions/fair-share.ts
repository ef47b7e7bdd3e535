/**
 * Fair share between tenants and workflow priority, in the one BullMQ queue (the open-source edition
 * has no groups; see docs/architecture.md "Flow control"). Each accept batch is split by tenant and
 * each tenant's job goes in a lane:
 * - `front` (added LIFO, ahead of the plain queue): a `high` priority workflow, or a light tenant's
 *   work while another tenant floods the queue;
 * - `plain` (FIFO): the common case, and every job while one tenant is the only one busy (no one to
 *   be fair to: the fast path stays as it was);
 * - `back` (BullMQ priorities, after every plain job): a `low` priority workflow, and the work of a
 *   tenant that floods while others are busy, further back the more it floods.
 * A tenant floods when its executions accepted recently (a counter halving every HALF_LIFE_MS) pass
 * HEAVY. Workers then give each tenant's jobs turns on their slots (common/fair-limiter.ts).
 */
import type { WorkflowPriority } from '@tributary/contracts';

const HALF_LIFE_MS = 5_000;
/** Recent executions above which a tenant is flooding (when others are busy too). */
export const HEAVY = 500;
/** BullMQ priorities: 1 (first) … 2,097,152; low priority workflows start here. */
const LOW_BASE = 1_000_000;
const MAX_PRIORITY = 2_097_152;

export type JobLane = { lifo: true } | { priority: number } | Record<string, never>;

interface Load {
  n: number;
  at: number;
}

export class TenantLoad {
  private readonly load = new Map<string, Load>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts `count` executions accepted for the tenant now. */
  note(tenantId: string, count: number): void {
    const t = this.now();
    const l = this.load.get(tenantId);
    if (l) {
      l.n = this.decayed(l, t) + count;
      l.at = t;
    } else {
      this.load.set(tenantId, { n: count, at: t });
    }
    if (this.load.size > 1000) this.prune(t);
  }

  /** The lane of a job of this tenant's executions of a workflow of this priority. */
  lane(tenantId: string, priority: WorkflowPriority = 'normal'): JobLane {
    if (priority === 'high') return { lifo: true };
    const t = this.now();
    let mine = 0;
    let othersBusy = false;
    let someoneHeavy = false;
    for (const [id, l] of this.load) {
      const n = this.decayed(l, t);
      if (id === tenantId) mine = n;
      else {
        if (n >= 1) othersBusy = true;
        if (n > HEAVY) someoneHeavy = true;
      }
    }
    const flooding = mine > HEAVY && othersBusy;
    if (priority === 'low') return { priority: Math.min(MAX_PRIORITY, LOW_BASE + (flooding ? Math.ceil(mine / HEAVY) : 0)) };
    if (flooding) return { priority: Math.min(LOW_BASE - 1, Math.ceil(mine / HEAVY)) };
    if (someoneHeavy) return { lifo: true };
    return {};
  }

  private decayed(l: Load, t: number): number {
    return l.n * 2 ** (-(t - l.at) / HALF_LIFE_MS);
  }

  private prune(t: number): void {
    for (const [id, l] of this.load) if (this.decayed(l, t) < 0.5) this.load.delete(id);
  }
}
