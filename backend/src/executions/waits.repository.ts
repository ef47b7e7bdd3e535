/**
 * The durable waits of executions (table `execution_waits`, one row per wait reached or resumed
 * early, keyed by execution and step path): the source of truth for timers, resume webhooks,
 * approvals and sub-workflow calls. A waiting execution is this row plus its execution row
 * (`status = 'waiting'`, `wait_due_at`): no worker, no memory, no Redis state that matters.
 *
 * Every resolution that finds its execution parked moves it back to `queued` with a fresh job id in
 * the same transaction, and answers it: the caller adds the job (if the queue is away, the row is
 * queued and the reconciler adds it).
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { PendingWait } from '@tributary/contracts';
import { inTransaction, sqlOf, type Sql } from '../database/sql.js';
import type { WaitOutcome, WaitRequest } from '../engine/types.js';
import type { RunBatch } from './executions.service.js';

export type WaitKind = PendingWait['kind'];

interface WaitRow {
  status: 'pending' | 'resolved' | 'rejected' | 'expired';
  kind: WaitKind;
  dueAt: Date | null;
  due: boolean;
  output: unknown;
  childExecutionId: string | null;
}

/** A resolution's effect: the execution it resumed (queued again, with the job to add), if it was parked. */
export interface Resumed {
  executionId: string;
  /** Set when the execution was parked and is queued again: add this job. */
  job?: RequeuedJob;
}

const WAIT_COLUMNS = `status, kind, due_at AS "dueAt", (due_at IS NOT NULL AND due_at <= now()) AS due, output, child_execution_id AS "childExecutionId"`;

/** Moves parked executions back to `queued` under a fresh job id; answers the jobs to add. */
const REQUEUED = `e.id, e.job_id AS "jobId", e.tenant_id AS "tenantId", e.workflow_id AS "workflowId"`;
const REQUEUE = `UPDATE executions e SET status = 'queued', wait_due_at = NULL, job_id = gen_random_uuid()
  WHERE e.id = ANY($1::uuid[]) AND e.status = 'waiting' RETURNING ${REQUEUED}`;

/** A parked execution queued again: the job to add, and whose it is (for the live event). */
export interface RequeuedJob extends RunBatch {
  tenantId: string;
  workflowId: string;
}

function toJobs(rows: { id: string; jobId: string; tenantId: string; workflowId: string }[]): RequeuedJob[] {
  return rows.map((r) => ({ jobId: r.jobId, executionIds: [r.id], tenantId: r.tenantId, workflowId: r.workflowId }));
}

/** What a wait's row means to the engine when it reaches the wait again. */
export function outcomeOf(row: Pick<WaitRow, 'status' | 'output' | 'dueAt' | 'kind'>): WaitOutcome {
  switch (row.status) {
    case 'pending':
      return { status: 'pending', dueAt: row.dueAt ? new Date(row.dueAt) : null };
    case 'resolved':
      return { status: 'resumed', output: row.output ?? null };
    case 'rejected': {
      const out = row.output as { error?: unknown; by?: unknown } | null;
      const error = typeof out?.error === 'string' ? out.error : `Rejected${typeof out?.by === 'string' ? ` by ${out.by}` : ''}`;
      return { status: 'failed', error, output: row.output ?? undefined };
    }
    case 'expired':
      return { status: 'failed', error: `The ${row.kind} wait timed out`, output: row.output ?? undefined };
  }
}

@Injectable()
export class WaitsRepository {
  private readonly sql: Sql;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sql = sqlOf(db);
  }

  /**
   * A run reached a wait: records it as pending (the first due time given stands), fires it when its
   * time has come (a duration or until: resolved; a webhook or approval: expired), and answers how
   * it stands.
   */
  async reach(executionId: string, tenantId: string, w: WaitRequest): Promise<WaitOutcome> {
    // One statement whatever the case (the resume of a parked run is on the hot path of waits): a new
    // wait is inserted pending; a pending one whose time has come is fired (a duration or until
    // resolves, a webhook or approval expires) under the row's lock; any other row answers as it is.
    const [row] = await this.sql<WaitRow>(
      `WITH up AS (
         INSERT INTO execution_waits AS x (execution_id, step_path, tenant_id, step_id, kind, status, due_at, message)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)
         ON CONFLICT (execution_id, step_path) DO UPDATE SET
           status = CASE WHEN x.kind IN ('duration', 'until') THEN 'resolved' ELSE 'expired' END,
           output = CASE WHEN x.kind IN ('duration', 'until') THEN jsonb_build_object('firedAt', now(), 'dueAt', x.due_at)
                    ELSE jsonb_build_object('timedOutAt', now()) END,
           resolved_at = now()
         WHERE x.status = 'pending' AND x.due_at <= now()
         RETURNING ${WAIT_COLUMNS})
       SELECT * FROM up
       UNION ALL SELECT ${WAIT_COLUMNS} FROM execution_waits WHERE execution_id = $1 AND step_path = $2 AND NOT EXISTS (SELECT 1 FROM up)`,
      [executionId, w.path, tenantId, w.stepId, w.kind, w.dueAt, w.message ?? null],
      { name: 'execution_waits_reach' },
    );
    return outcomeOf(row);
  }

  /** The wait row of a step path of an execution, if reached (or resumed early). */
  async find(executionId: string, path: string): Promise<WaitRow | null> {
    const [row] = await this.sql<WaitRow>(`SELECT ${WAIT_COLUMNS} FROM execution_waits WHERE execution_id = $1 AND step_path = $2`, [executionId, path]);
    return row ?? null;
  }

  /** Records a sub-workflow call's wait on its child (once: a second call answers the first row). */
  async registerCall(executionId: string, tenantId: string, path: string, stepId: string, childExecutionId: string): Promise<void> {
    await this.sql(
      `INSERT INTO execution_waits (execution_id, step_path, tenant_id, step_id, kind, status, child_execution_id)
       VALUES ($1, $2, $3, $4, 'call', 'pending', $5) ON CONFLICT (execution_id, step_path) DO NOTHING`,
      [executionId, path, tenantId, stepId, childExecutionId],
    );
  }

  /**
   * A resume webhook: resolves the webhook wait at `path` with `body`, or records it resolved ahead
   * of the run reaching it. Null (404) when the execution is not live, the wait was used, or timed out.
   */
  async resumeWebhook(executionId: string, path: string, body: unknown): Promise<Resumed | null> {
    return inTransaction(this.db, async (sql) => {
      const [ex] = await sql<{ tenantId: string }>(
        `SELECT tenant_id AS "tenantId" FROM executions WHERE id = $1 AND status IN ('queued', 'running', 'waiting') FOR UPDATE`,
        [executionId],
      );
      if (!ex) return null;
      const stepId = /([A-Za-z][A-Za-z0-9_]*)$/.exec(path)?.[1] ?? path;
      const done = await sql(
        `INSERT INTO execution_waits (execution_id, step_path, tenant_id, step_id, kind, status, output, resolved_at)
         VALUES ($1, $2, $3, $4, 'webhook', 'resolved', $5, now())
         ON CONFLICT (execution_id, step_path) DO UPDATE SET status = 'resolved', output = EXCLUDED.output, resolved_at = now()
           WHERE execution_waits.status = 'pending' AND execution_waits.kind = 'webhook'
             AND (execution_waits.due_at IS NULL OR execution_waits.due_at > now())
         RETURNING 1`,
        [executionId, path, ex.tenantId, stepId, JSON.stringify(body ?? null)],
      );
      if (!done.length) return null;
      return { executionId, job: toJobs(await sql(REQUEUE, [[executionId]]))[0] };
    });
  }

  /**
   * Approves or rejects the approval the execution waits on (the one at `stepId` when given, else
   * the oldest). Null when the execution (of this tenant) has no such pending approval.
   */
  async decide(tenantId: string, executionId: string, stepId: string | undefined, approved: boolean, output: Record<string, unknown>, userId: string | null): Promise<(Resumed & { path: string }) | null> {
    return inTransaction(this.db, async (sql) => {
      const [ex] = await sql(`SELECT 1 FROM executions WHERE id = $1 AND tenant_id = $2 AND status IN ('queued', 'running', 'waiting') FOR UPDATE`, [executionId, tenantId]);
      if (!ex) return null;
      const [w] = await sql<{ path: string }>(
        `UPDATE execution_waits SET status = $4, output = $5, resolved_by = $6, resolved_at = now()
         WHERE (execution_id, step_path) = (
           SELECT execution_id, step_path FROM execution_waits
           WHERE execution_id = $1 AND tenant_id = $2 AND kind = 'approval' AND status = 'pending'
             AND (due_at IS NULL OR due_at > now()) AND ($3::text IS NULL OR step_id = $3 OR step_path = $3)
           ORDER BY created_at, step_path LIMIT 1)
         RETURNING step_path AS path`,
        [executionId, tenantId, stepId ?? null, approved ? 'resolved' : 'rejected', JSON.stringify(output), userId],
      );
      if (!w) return null;
      return { executionId, path: w.path, job: toJobs(await sql(REQUEUE, [[executionId]]))[0] };
    });
  }

  /**
   * A child execution ended: the parent's call wait on it resolves with its output (succeeded) or
   * its error, and the parent, if parked, is queued again.
   */
  async childFinished(childExecutionId: string): Promise<RequeuedJob[]> {
    const parents = await this.sql<{ id: string }>(
      `WITH c AS (SELECT id, status, output, error FROM executions WHERE id = $1 AND status IN ('succeeded', 'failed', 'cancelled'))
       UPDATE execution_waits w SET
         status = CASE WHEN c.status = 'succeeded' THEN 'resolved' ELSE 'rejected' END,
         output = CASE WHEN c.status = 'succeeded' THEN COALESCE(c.output, 'null'::jsonb)
                  ELSE jsonb_build_object('error', 'Sub-workflow execution ' || c.id || ' ' || c.status || COALESCE(': ' || c.error, ''), 'executionId', c.id) END,
         resolved_at = now()
       FROM c WHERE w.child_execution_id = c.id AND w.status = 'pending' AND w.kind = 'call'
       RETURNING w.execution_id AS id`,
      [childExecutionId],
    );
    if (!parents.length) return [];
    return toJobs(await this.sql(REQUEUE, [parents.map((p) => p.id)]));
  }

  /** Children that ended while their parent's wait on them stayed pending (the fast path was lost). */
  async finishedChildren(limit: number): Promise<string[]> {
    const rows = await this.sql<{ id: string }>(
      `SELECT w.child_execution_id AS id FROM execution_waits w JOIN executions c ON c.id = w.child_execution_id
       WHERE w.status = 'pending' AND w.kind = 'call' AND c.status IN ('succeeded', 'failed', 'cancelled') LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The timer sweep (the source of truth behind the delayed jobs): parked executions due for more
   * than `graceMs` are queued again; answers their jobs.
   */
  async dueExecutions(graceMs: number, limit: number): Promise<RequeuedJob[]> {
    return toJobs(
      await this.sql(
        // SKIP LOCKED: rows a claim or a completion holds are left to them (the sweep never waits on
        // a lock, so it can never deadlock with the claims of the same rows their delayed jobs make).
        `UPDATE executions e SET status = 'queued', wait_due_at = NULL, job_id = gen_random_uuid()
         WHERE e.id IN (SELECT id FROM executions WHERE status = 'waiting' AND wait_due_at <= now() - make_interval(secs => $1)
                        ORDER BY wait_due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           AND e.status = 'waiting'
         RETURNING ${REQUEUED}`,
        [graceMs / 1000, limit],
      ),
    );
  }

  /**
   * Just after a run parked: a wait it parked on that was resolved meanwhile (a resume or a child
   * that ended while the run was still recording) queues it again at once.
   */
  async resumeIfResolved(executionId: string, paths: string[]): Promise<RequeuedJob[]> {
    const rows = await this.sql<{ id: string; jobId: string; tenantId: string; workflowId: string }>(
      `UPDATE executions e SET status = 'queued', wait_due_at = NULL, job_id = gen_random_uuid()
       WHERE e.id = $1 AND e.status = 'waiting'
         AND EXISTS (SELECT 1 FROM execution_waits w WHERE w.execution_id = e.id AND w.step_path = ANY($2::text[]) AND w.status <> 'pending')
       RETURNING ${REQUEUED}`,
      [executionId, paths],
    );
    return toJobs(rows);
  }

  /** How many `call` parents this execution has above it (counted up to `cap`). */
  async callDepth(executionId: string, cap: number): Promise<number> {
    const [row] = await this.sql<{ depth: number }>(
      `WITH RECURSIVE chain(parent, depth) AS (
         SELECT parent_execution_id, 0 FROM executions WHERE id = $1
         UNION ALL SELECT e.parent_execution_id, c.depth + 1 FROM executions e JOIN chain c ON e.id = c.parent WHERE c.depth < $2)
       SELECT max(depth)::int AS depth FROM chain WHERE parent IS NOT NULL`,
      [executionId, cap],
    );
    return row?.depth == null ? 0 : row.depth + 1;
  }

  /** The waits of an execution not resumed yet. */
  async pending(executionId: string): Promise<(Omit<PendingWait, 'resumeUrl' | 'dueAt' | 'createdAt' | 'message' | 'childExecutionId'> & { dueAt: Date | null; createdAt: Date; message: string | null; childExecutionId: string | null })[]> {
    return this.sql(
      `SELECT step_id AS "stepId", step_path AS path, kind, due_at AS "dueAt", message, child_execution_id AS "childExecutionId", created_at AS "createdAt"
       FROM execution_waits WHERE execution_id = $1 AND status = 'pending' ORDER BY created_at, step_path`,
      [executionId],
    );
  }
}
