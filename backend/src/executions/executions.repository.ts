/** The only code that reads and writes executions: batched inserts and completions, keyset lists, stats. */
import { executionUsage } from './token-usage.js';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Batcher } from '../common/batcher.js';
import { decodeCursor, fromMicrosSql, keyset, microsSql, toPage, type Page, type Positioned } from '../common/pagination.js';
import { CONFIG, type Config } from '../config/config.js';
import { inTransaction, sqlOf, type Sql } from '../database/sql.js';
import type { StepResult } from '../engine/types.js';
import type { Execution as ExecutionDetail, ExecutionSummary, Stats } from '@tributary/contracts';
import type { ExecutionStatus, ExecutionTriggerType as TriggerType, WorkflowPriority } from '@tributary/contracts';

export interface NewExecution {
  id: string;
  tenantId: string;
  workflowId: string;
  workflowVersion: number;
  triggerType: TriggerType;
  payload: unknown;
  steps?: StepResult[];
  retryOf?: string | null;
  status?: 'queued' | 'running';
  /** The queue job that carries it (see ExecutionsService.enqueue). */
  jobId?: string | null;
  /** A repeat with the same key (per workflow) is not inserted: the first execution answers for it. */
  idempotencyKey?: string;
  /** The execution whose `call` step started this one. */
  parentExecutionId?: string | null;
  /** Its workflow's `concurrency.max` when it was accepted (null: no limit). */
  concurrencyMax?: number | null;
  /** Its workflow's priority (the job's lane; not stored). */
  priority?: WorkflowPriority;
  /** The environment it runs in (absent: its workflow's, read by the INSERT). */
  environment?: string;
  /** W3C traceparent of the span that accepted it (tracing on): the worker continues that trace. */
  traceContext?: string;
}

/** What an insert did: a new row, or the existing execution that an Idempotency-Key repeat maps to. */
export type InsertOutcome = { created: true } | { created: false; existingId: string };
/** An insert's outcome, or why PostgreSQL (or serialisation) refused that row alone. */
export type InsertResult = InsertOutcome | { refused: Error };

/** The lease a process holds on a running execution: `attempts` is the fencing token of its writes. */
export interface LeaseToken {
  id: string;
  attempts: number;
}

/** The steps recorded so far of a running execution (a checkpoint before the next side effect). */
export interface StepsCheckpoint extends LeaseToken {
  /** The results new since the last checkpoint (appended to the execution's step log). */
  steps: StepResult[];
}

export interface Completion {
  id: string;
  /** The claim this completion belongs to: refused when another process has claimed the run since. */
  attempts: number;
  /** `waiting`: the run parked on durable waits (`waitDueAt`: the earliest due time, null: none). */
  status: 'succeeded' | 'failed' | 'cancelled' | 'waiting';
  /** Every result of the run (they replace the recorded ones and the step log). */
  steps: StepResult[];
  output: unknown;
  error: string | null;
  durationMs: number;
  waitDueAt?: string | null;
  /** True when the run checkpointed to the step log (or was claimed with entries in it): the log is cleared. */
  logged?: boolean;
}

export interface ClaimedExecution {
  id: string;
  tenantId: string;
  workflowId: string;
  workflowVersion: number;
  triggerType: TriggerType;
  payload: unknown;
  steps: StepResult[];
  attempts: number;
  parentExecutionId: string | null;
  /** True when some of `steps` came from the step log (checkpoints of an earlier attempt). */
  logged: boolean;
  /** Its workflow's concurrency limit (null: none): when this attempt ends, the next in line is queued. */
  concurrencyMax: number | null;
  /** The environment it runs in: which values `{{vars.NAME}}` read. */
  environment: string;
  /** The trace it belongs to (W3C traceparent), null when tracing was off when it was accepted. */
  traceContext?: string | null;
}

/** An execution in lists, and one with its payload, output and steps: the contract's shapes, as answered. */
export type { ExecutionSummary, Execution as ExecutionDetail } from '@tributary/contracts';

export interface ListFilter {
  limit: number;
  cursor?: string;
  status?: ExecutionStatus;
  workflowId?: string;
  from?: string;
  to?: string;
}

type ClaimRow = Omit<ClaimedExecution, 'logged'> & { log: StepResult[] | null };

/** A claimed row as the runner takes it: the step log after the recorded steps. */
function claimed({ log, ...r }: ClaimRow): ClaimedExecution {
  return { ...r, steps: log ? [...r.steps, ...log] : r.steps, logged: log !== null };
}

/** An execution as stored: the contract's detail without what the service adds (tree, waits). */
export type StoredExecution = Omit<ExecutionDetail, 'tree' | 'waits'>;

/** The step log of execution `e` (checkpoints of a run in flight) as one array in order, or null when empty. */
const STEP_LOG_SQL = `SELECT jsonb_agg(s.step ORDER BY l.id, s.ord) FROM execution_step_log l
  CROSS JOIN LATERAL jsonb_array_elements(l.steps) WITH ORDINALITY AS s(step, ord) WHERE l.execution_id = e.id`;

const CLAIM_RETURNING = `id, tenant_id AS "tenantId", workflow_id AS "workflowId", workflow_version AS "workflowVersion",
  trigger_type AS "triggerType", payload, steps, attempts, parent_execution_id AS "parentExecutionId", concurrency_max AS "concurrencyMax",
  environment, trace_context AS "traceContext", (${STEP_LOG_SQL}) AS log`;

const SUMMARY_COLUMNS = `e.id, e.workflow_id AS "workflowId", w.name AS "workflowName", e.workflow_version AS "workflowVersion",
  e.status, e.trigger_type AS "triggerType", e.error, e.attempts, e.retry_of AS "retryOf", e.created_at AS "createdAt",
  e.started_at AS "startedAt", e.finished_at AS "finishedAt", e.duration_ms AS "durationMs"`;

/** An error PostgreSQL raised because of the data of a row (SQLSTATE class 22 or 23), not the connection. */
export function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** A row JSON.stringify could not encode; only its own caller is told (see insertMany). */
export class UnencodableRowError extends Error {
  /** True when the payload nests deeper than the stack allows (the caller's data), not a bug. */
  readonly tooDeep: boolean;
  constructor(cause: unknown) {
    const tooDeep = cause instanceof RangeError;
    super(tooDeep ? 'it is nested too deeply to encode as JSON' : `it cannot be encoded as JSON (${(cause as Error)?.message ?? String(cause)})`, { cause });
    this.name = 'UnencodableRowError';
    this.tooDeep = tooDeep;
  }
}

/** One row as the batch's JSON document holds it, or the error that row alone fails with. */
function encodeRow(r: NewExecution): string | UnencodableRowError {
  try {
    return JSON.stringify({
      id: r.id,
      tenantId: r.tenantId,
      workflowId: r.workflowId,
      workflowVersion: r.workflowVersion,
      status: r.status ?? 'queued',
      triggerType: r.triggerType,
      payload: r.payload ?? {},
      steps: r.steps ?? [],
      retryOf: r.retryOf ?? null,
      jobId: r.jobId ?? null,
      idempotencyKey: r.idempotencyKey ?? null,
      parentExecutionId: r.parentExecutionId ?? null,
      concurrencyMax: r.concurrencyMax ?? null,
      environment: r.environment ?? null,
      traceContext: r.traceContext, // left out when undefined (tracing off)
    });
  } catch (err) {
    return new UnencodableRowError(err);
  }
}

function iso(v: unknown): string | null {
  return v == null ? null : new Date(v as string).toISOString();
}
function toSummary<T extends ExecutionSummary>(row: T): T {
  return { ...row, createdAt: iso(row.createdAt)!, startedAt: iso(row.startedAt), finishedAt: iso(row.finishedAt) };
}

@Injectable()
export class ExecutionsRepository {
  private readonly inserts: Batcher<NewExecution, InsertResult>;
  private readonly completions: Batcher<Completion, boolean>;
  private readonly checkpoints: Batcher<StepsCheckpoint, boolean>;
  private readonly claims: Batcher<string, ClaimedExecution | null>;
  private readonly sql: Sql;
  /** EXECUTION_LEASE_MS in seconds, the unit of the SQL that sets leases. */
  private readonly leaseSeconds: number;

  constructor(@InjectDataSource() private readonly db: DataSource, @Inject(CONFIG) config: Config) {
    this.sql = sqlOf(db);
    this.leaseSeconds = config.executionLeaseMs / 1000;
    // On Redis, two INSERTs in flight: each commit's replies go out while the next batch commits.
    // Against one at a time (pure group commit): ~8 % more webhooks/s and ~25 % less api CPU per
    // webhook, as replies leave in steadier, smaller bursts. On BullMQ's PostgreSQL queue, one: the
    // smaller batches mean more queue jobs (one per batch), which that backend pays for per job
    // (p50 at 1,000 webhooks/s went from 25 to 56 ms). Measured in docs/benchmarks.md.
    this.inserts = new Batcher((rows) => this.insertMany(rows), { maxSize: 1000, maxConcurrent: config.queueBackend === 'redis' ? 2 : 1 });
    this.completions = new Batcher((rows) => this.completeMany(rows), { maxSize: 200, maxConcurrent: 4 });
    this.checkpoints = new Batcher((rows) => this.checkpointMany(rows), { maxSize: 200, maxConcurrent: 4 });
    this.claims = new Batcher((ids) => this.claimMany(ids), { maxSize: 200, maxConcurrent: 4 });
  }

  /**
   * Batched with every other insert made in the same tick; a row PostgreSQL refuses fails alone. A
   * row with an idempotency key that repeats an earlier one is not inserted: the outcome names the
   * first execution instead.
   */
  async insert(row: NewExecution): Promise<InsertOutcome> {
    const r = await this.inserts.add(row);
    if ('refused' in r) throw r.refused;
    return r;
  }

  /**
   * One INSERT for the batch. Each row is encoded on its own, so a row JSON cannot encode (a payload
   * nested deeper than the stack allows) fails alone. If PostgreSQL refuses the INSERT for a row's
   * sake (bad data, a workflow deleted meanwhile: SQLSTATE classes 22 and 23), the rows are inserted
   * one by one so only the rows at fault fail, not every webhook that shared their tick. Other errors
   * (database down) fail the batch.
   */
  private async insertMany(rows: NewExecution[]): Promise<InsertResult[]> {
    const encoded = rows.map(encodeRow);
    const results: (InsertResult | undefined)[] = encoded.map((e) => (typeof e === 'string' ? undefined : { refused: e }));
    const good = encoded.flatMap((e, i) => (typeof e === 'string' ? [i] : []));
    if (!good.length) return results as InsertResult[];
    const insert = (idx: number[]) => this.insertBatch(idx.map((i) => rows[i]), idx.map((i) => encoded[i] as string));
    try {
      const outcomes = await insert(good);
      for (const [k, i] of good.entries()) results[i] = outcomes[k];
    } catch (err) {
      if (good.length === 1 || !isRowError(err)) {
        for (const i of good) results[i] = { refused: err as Error };
        return results as InsertResult[];
      }
      for (const i of good) results[i] = await insert([i]).then((o): InsertResult => o[0], (e: Error) => ({ refused: e }));
    }
    return results as InsertResult[];
  }

  private async insertBatch(rows: NewExecution[], encodedRows: string[]): Promise<InsertOutcome[]> {
    // The batch travels as one JSON document (the rows' encodings joined): one parse in PostgreSQL,
    // and payloads are not escaped a second time into array literals. Running rows (sync webhooks)
    // are claimed at once: attempt 1 and a lease, like a worker's claim.
    const keyed = rows.some((r) => r.idempotencyKey !== undefined);
    const inserted = await this.sql<{ id: string }>(
      `INSERT INTO executions (id, tenant_id, workflow_id, workflow_version, status, trigger_type, payload, steps, retry_of, job_id,
                               idempotency_key, parent_execution_id, concurrency_max, environment, trace_context, started_at, attempts, lease_expires_at)
       SELECT t.id, t."tenantId", t."workflowId", t."workflowVersion", t.status, t."triggerType", t.payload, t.steps, t."retryOf", t."jobId",
              t."idempotencyKey", t."parentExecutionId", t."concurrencyMax",
              COALESCE(t.environment, (SELECT w.environment FROM workflows w WHERE w.id = t."workflowId"), 'production'), t."traceContext", CASE WHEN t.status = 'running' THEN now() END, CASE WHEN t.status = 'running' THEN 1 ELSE 0 END,
              CASE WHEN t.status = 'running' THEN now() + make_interval(secs => $2) END
       FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, "tenantId" uuid, "workflowId" uuid, "workflowVersion" int, status text,
            "triggerType" text, payload jsonb, steps jsonb, "retryOf" uuid, "jobId" uuid, "idempotencyKey" text, "parentExecutionId" uuid, "concurrencyMax" int, environment text, "traceContext" text)
       ${keyed ? 'ON CONFLICT (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id' : ''}`,
      [`[${encodedRows.join(',')}]`, this.leaseSeconds],
      { name: keyed ? 'executions_insert_keyed_v2' : 'executions_insert_v2' },
    );
    if (!keyed) return rows.map(() => ({ created: true }));
    const created = new Set(inserted.map((r) => r.id));
    const repeats = rows.filter((r) => !created.has(r.id));
    if (!repeats.length) return rows.map(() => ({ created: true }));
    // Repeated keys: the executions that hold them (inserted earlier, or earlier in this batch).
    const existing = await this.sql<{ id: string; workflowId: string; key: string }>(
      `SELECT e.id, e.workflow_id AS "workflowId", e.idempotency_key AS key FROM executions e
       JOIN unnest($1::uuid[], $2::text[]) AS k(workflow_id, key) ON e.workflow_id = k.workflow_id AND e.idempotency_key = k.key`,
      [repeats.map((r) => r.workflowId), repeats.map((r) => r.idempotencyKey)],
    );
    const byKey = new Map(existing.map((e) => [`${e.workflowId}:${e.key}`, e.id]));
    return rows.map((r): InsertOutcome => {
      if (created.has(r.id)) return { created: true };
      const existingId = byKey.get(`${r.workflowId}:${r.idempotencyKey}`);
      // Deleted between the two statements (with its workflow): nothing answers for the key any more.
      if (!existingId) throw Object.assign(new Error('The workflow was deleted'), { code: '23503' });
      return { created: false, existingId };
    });
  }

  /**
   * Marks the run started and leased to the caller (batched with the other claims of this tick).
   * Null when it is not for the taking: finished, or running under a lease that has not lapsed (a
   * duplicate job, or a worker cut off from the queue but still running it). `attempts` of the
   * answer is the fencing token of every later write of this run.
   */
  claim(id: string): Promise<ClaimedExecution | null> {
    return this.claims.add(id);
  }

  private async claimMany(ids: string[]): Promise<(ClaimedExecution | null)[]> {
    // A parked execution whose wait is due is for the taking too (its delayed job fired); what an
    // earlier attempt checkpointed to the step log comes after the recorded steps. Executions of a
    // workflow with a concurrency limit are claimed apart, in turn (claimLimited).
    const rows = await this.sql<ClaimRow>(
      `UPDATE executions e SET status = 'running', started_at = COALESCE(started_at, now()), attempts = attempts + 1,
              lease_expires_at = now() + make_interval(secs => $2), wait_due_at = NULL
       WHERE id = ANY($1::uuid[]) AND concurrency_max IS NULL
         AND (status = 'queued' OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now()))
              OR (status = 'waiting' AND wait_due_at <= now()))
       RETURNING ${CLAIM_RETURNING}`,
      [ids, this.leaseSeconds],
      { name: 'executions_claim' },
    );
    const byId = new Map(rows.map((r): [string, ClaimedExecution] => [r.id, claimed(r)]));
    if (byId.size < ids.length) {
      for (const r of await this.claimLimited(ids.filter((id) => !byId.has(id)))) byId.set(r.id, r);
    }
    // The same id twice in one batch: only the first caller runs it.
    return ids.map((id) => {
      const row = byId.get(id) ?? null;
      byId.delete(id);
      return row;
    });
  }

  /**
   * Claims of executions whose workflow has `concurrency.max`: per workflow, under a transaction-level
   * advisory lock (so two workers never both see a free slot), only those among the first
   * (max - running) in line are claimed: lapsed runs first, then queued and due ones in order of
   * acceptance. The others stay queued; the end of a running one queues the next (nextInLine).
   */
  private async claimLimited(ids: string[]): Promise<ClaimedExecution[]> {
    const limited = await this.sql<{ workflowId: string; ids: string[] }>(
      `SELECT workflow_id AS "workflowId", array_agg(id) AS ids FROM executions
       WHERE id = ANY($1::uuid[]) AND concurrency_max IS NOT NULL AND status IN ('queued', 'running', 'waiting') GROUP BY workflow_id`,
      [ids],
    );
    const out: ClaimedExecution[] = [];
    for (const w of limited) {
      const rows = await inTransaction(this.db, async (sql) => {
        await sql(`SELECT pg_advisory_xact_lock(hashtextextended('tributary.concurrency:' || $1, 0))`, [w.workflowId]);
        return sql<ClaimRow>(
          `WITH lim AS (SELECT max(concurrency_max) AS m FROM executions WHERE id = ANY($2::uuid[])),
           busy AS (SELECT count(*) AS n FROM executions WHERE workflow_id = $1 AND concurrency_max IS NOT NULL AND status = 'running' AND lease_expires_at >= now()),
           line AS (
             SELECT id FROM executions
             WHERE workflow_id = $1 AND concurrency_max IS NOT NULL
               AND (status = 'queued' OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now())) OR (status = 'waiting' AND wait_due_at <= now()))
             ORDER BY (status = 'running') DESC, created_at, id
             LIMIT greatest(0, (SELECT m FROM lim) - (SELECT n FROM busy)))
           UPDATE executions e SET status = 'running', started_at = COALESCE(started_at, now()), attempts = attempts + 1,
                  lease_expires_at = now() + make_interval(secs => $3), wait_due_at = NULL
           WHERE e.id = ANY($2::uuid[]) AND e.id IN (SELECT id FROM line)
           RETURNING ${CLAIM_RETURNING}`,
          [w.workflowId, w.ids, this.leaseSeconds],
        );
      });
      out.push(...rows.map(claimed));
    }
    return out;
  }

  /**
   * A run of a workflow with a concurrency limit ended (or parked): the executions next in line, as
   * many as there are free slots, get a fresh job id to be queued under (the caller adds the jobs).
   */
  async nextInLine(workflowId: string): Promise<{ id: string; jobId: string }[]> {
    return this.sql<{ id: string; jobId: string }>(
      `WITH lim AS (SELECT max(concurrency_max) AS m FROM executions WHERE workflow_id = $1 AND concurrency_max IS NOT NULL AND status IN ('queued', 'running')),
       busy AS (SELECT count(*) AS n FROM executions WHERE workflow_id = $1 AND concurrency_max IS NOT NULL AND status = 'running' AND lease_expires_at >= now()),
       line AS (
         SELECT id FROM executions WHERE workflow_id = $1 AND concurrency_max IS NOT NULL AND status = 'queued'
         ORDER BY created_at, id LIMIT greatest(0, COALESCE((SELECT m FROM lim), 0) - (SELECT n FROM busy)))
       UPDATE executions e SET job_id = gen_random_uuid() FROM line WHERE e.id = line.id AND e.status = 'queued'
       RETURNING e.id, e.job_id AS "jobId"`,
      [workflowId],
    );
  }

  /**
   * Records the steps finished since the last checkpoint (batched: group commit across runs).
   * False when the caller no longer holds the run (another process claimed it since, or it was
   * cancelled): the caller must stop without another side effect.
   */
  checkpoint(c: StepsCheckpoint): Promise<boolean> {
    return this.checkpoints.add(c);
  }

  private async checkpointMany(rows: StepsCheckpoint[]): Promise<boolean[]> {
    // Appended to the step log (the row's `steps` is not rewritten: a loop of 10,000 items writes
    // 10,000 small rows, not 10,000 ever longer arrays), fenced by the claim under a share lock (a
    // claim or cancel waits for it, and it sees theirs): no new version of the execution row per
    // step. The lease is LeaseKeeper's to renew.
    const updated = await this.sql<{ id: string }>(
      `WITH v AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, attempts int, steps jsonb)),
       held AS (
         SELECT e.id FROM executions e JOIN v ON e.id = v.id
         WHERE e.attempts = v.attempts AND e.status = 'running'
         FOR SHARE OF e),
       logged AS (INSERT INTO execution_step_log (execution_id, steps) SELECT v.id, v.steps FROM v JOIN held ON held.id = v.id)
       SELECT id FROM held`,
      [JSON.stringify(rows.map((r) => ({ id: r.id, attempts: r.attempts, steps: r.steps })))],
      { name: 'executions_checkpoint_v2' },
    );
    const held = new Set(updated.map((u) => u.id));
    return rows.map((r) => held.has(r.id));
  }

  /**
   * Failed executions of the last hour (finished more than 5 s ago) whose workflow names an error
   * workflow that has no run for them (its Idempotency-Key is `error:<id>`): their error run was lost.
   */
  async failedWithoutErrorRun(limit: number): Promise<{ id: string; tenantId: string; workflowId: string; errorWorkflowId: string; error: string | null; steps: StepResult[]; payload: unknown }[]> {
    return this.sql(
      `SELECT e.id, e.tenant_id AS "tenantId", e.workflow_id AS "workflowId", w.error_workflow_id AS "errorWorkflowId", e.error, e.steps, e.payload
       FROM workflows w
       CROSS JOIN LATERAL (
         SELECT * FROM executions x
         WHERE x.tenant_id = w.tenant_id AND x.status = 'failed' AND x.workflow_id = w.id AND x.trigger_type <> 'error'
           AND x.created_at > now() - interval '1 hour' AND x.finished_at < now() - interval '5 seconds'
           AND NOT EXISTS (SELECT 1 FROM executions r WHERE r.workflow_id = w.error_workflow_id AND r.idempotency_key = 'error:' || x.id)
         LIMIT $1) e
       WHERE w.error_workflow_id IS NOT NULL
       LIMIT $1`,
      [limit],
    );
  }

  /** Of these executions, the ones cancelled (a user ended them while this process runs them). */
  async cancelledAmong(ids: string[]): Promise<string[]> {
    const rows = await this.sql<{ id: string }>(`SELECT id FROM executions WHERE id = ANY($1::uuid[]) AND status = 'cancelled'`, [ids], { name: 'executions_cancelled_among' });
    return rows.map((r) => r.id);
  }

  /** Renews the leases of runs still going in this process; answers the ids it still holds. */
  async renewLeases(leases: LeaseToken[]): Promise<Set<string>> {
    const rows = await this.sql<{ id: string }>(
      `UPDATE executions e SET lease_expires_at = now() + make_interval(secs => $3)
       FROM unnest($1::uuid[], $2::int[]) AS v(id, attempts)
       WHERE e.id = v.id AND e.attempts = v.attempts AND e.status = 'running'
       RETURNING e.id`,
      [leases.map((l) => l.id), leases.map((l) => l.attempts), this.leaseSeconds],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Batched; false when the caller no longer holds the run (finished or claimed elsewhere, or cancelled). */
  complete(c: Completion): Promise<boolean> {
    return this.completions.add(c);
  }

  private async completeMany(rows: Completion[]): Promise<boolean[]> {
    const batch = rows.map((r) => ({
      id: r.id,
      attempts: r.attempts,
      status: r.status,
      steps: r.steps,
      output: r.output === undefined ? null : r.output,
      error: r.error,
      durationMs: r.durationMs,
      waitDueAt: r.waitDueAt ?? null,
      tokens: executionUsage(r.steps)?.totalTokens ?? 0,
    }));
    // Parked (`waiting`): not finished; the time spent running so far adds up in duration_ms.
    const logged = rows.some((r) => r.logged);
    const updated = await this.sql<{ id: string }>(
      `WITH done AS (
         UPDATE executions e SET status = v.status, steps = v.steps, output = v.output, error = v.error,
                finished_at = CASE WHEN v.status = 'waiting' THEN NULL ELSE now() END,
                duration_ms = COALESCE(e.duration_ms, 0) + v."durationMs", lease_expires_at = NULL, wait_due_at = v."waitDueAt", tokens = v.tokens
         FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, attempts int, status text, steps jsonb, output jsonb, error text, "durationMs" int, "waitDueAt" timestamptz, tokens int)
         WHERE e.id = v.id AND e.attempts = v.attempts AND e.status = 'running'
         RETURNING e.id),
       cleared AS (DELETE FROM execution_step_log l USING done WHERE $2::boolean AND l.execution_id = done.id)
       SELECT id FROM done`,
      [JSON.stringify(batch), logged],
      { name: 'executions_complete' },
    );
    const done = new Set(updated.map((u) => u.id));
    return rows.map((r) => done.has(r.id));
  }

  /**
   * Running executions whose lease lapsed (their process died or lost the database). Found tenant by
   * tenant through executions_tenant_status_idx: running rows are few, and an index of their own
   * would cost every claim an entry (see the ExecutionLeases migration).
   */
  async lapsedLeases(limit: number): Promise<LeaseToken[]> {
    return this.sql<LeaseToken>(
      `SELECT e.id, e.attempts FROM tenants t
       CROSS JOIN LATERAL (
         SELECT id, attempts FROM executions
         WHERE tenant_id = t.id AND status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now())
         LIMIT $1
       ) e
       LIMIT $1`,
      [limit],
    );
  }

  /** Of these executions, the ones still waiting for a worker: queued, or running under a lease that lapsed. */
  async stillWaiting(ids: string[]): Promise<string[]> {
    const rows = await this.sql<{ id: string }>(
      `SELECT id FROM executions WHERE id = ANY($1::uuid[])
         AND (status = 'queued' OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now())))`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /** Queued executions, counted up to `cap` (the count stops there: its cost is bounded by the cap). */
  async countQueued(cap: number): Promise<number> {
    const [row] = await this.sql<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM executions WHERE status = 'queued' LIMIT $1) q`, [cap]);
    return row.n;
  }

  /**
   * Queued executions older than `olderThanMs` (their job may be missing), oldest first, after a
   * keyset position. `createdAt` is that position, exact (microseconds since the epoch, see
   * common/pagination.ts): pass a row back as `after` for the next page.
   */
  async queuedBefore(olderThanMs: number, limit: number, after?: { createdAt: string; id: string }): Promise<{ id: string; jobId: string; createdAt: string }[]> {
    return this.sql<{ id: string; jobId: string; createdAt: string }>(
      `SELECT id, COALESCE(job_id, id) AS "jobId", ${microsSql('created_at')} AS "createdAt" FROM executions
       WHERE status = 'queued' AND created_at < now() - make_interval(secs => $1)
         AND ($3::bigint IS NULL OR (created_at, id) > (${fromMicrosSql('$3')}, $4::uuid))
       ORDER BY created_at, id LIMIT $2`,
      [olderThanMs / 1000, limit, after?.createdAt ?? null, after?.id ?? null],
    );
  }

  async list(tenantId: string, f: ListFilter): Promise<Page<ExecutionSummary>> {
    const params: unknown[] = [tenantId];
    const where = ['e.tenant_id = $1'];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.status) add('e.status = ?', f.status);
    if (f.workflowId) add('e.workflow_id = ?', f.workflowId);
    if (f.from) add('e.created_at >= ?', f.from);
    if (f.to) add('e.created_at < ?', f.to);
    const pos = decodeCursor(f.cursor);
    const ks = keyset('e');
    if (pos) where.push(ks.after(`$${params.push(pos.t)}`, `$${params.push(pos.id)}`));
    params.push(f.limit + 1);
    const rows = await this.sql<ExecutionSummary & Positioned>(
      `SELECT ${SUMMARY_COLUMNS}, ${ks.position} FROM executions e LEFT JOIN workflows w ON w.id = e.workflow_id
       WHERE ${where.join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, f.limit);
    return { items: page.items.map(toSummary), nextCursor: page.nextCursor };
  }

  /** One execution with its steps (those checkpointed to the step log of a run in flight included). */
  async get(tenantId: string, id: string): Promise<StoredExecution | null> {
    const rows = await this.sql<StoredExecution & { log: StepResult[] | null }>(
      `SELECT ${SUMMARY_COLUMNS}, e.payload, e.output, e.steps, e.parent_execution_id AS "parentExecutionId", e.environment,
              substr(e.trace_context, 4, 32) AS "traceId", (${STEP_LOG_SQL}) AS log
       FROM executions e LEFT JOIN workflows w ON w.id = e.workflow_id
       WHERE e.tenant_id = $1 AND e.id = $2`,
      [tenantId, id],
    );
    if (!rows[0]) return null;
    const { log, ...row } = rows[0];
    return toSummary({ ...row, steps: log ? [...row.steps, ...log] : row.steps });
  }

  /**
   * Cancels a queued or running execution of the tenant: it ends `cancelled` now. A queued one is
   * never claimed; a running one's worker finds its lease gone at its next renewal or write, aborts
   * the step in flight through its signal and records nothing more (every write is fenced on
   * `status = 'running'`). Null when there is no such execution in a cancellable state.
   */
  async cancel(tenantId: string, id: string, reason: string): Promise<{ workflowId: string; concurrencyMax: number | null } | null> {
    const rows = await this.sql<{ workflowId: string; concurrencyMax: number | null }>(
      `WITH done AS (
         UPDATE executions e SET status = 'cancelled', error = $3, finished_at = now(), lease_expires_at = NULL, wait_due_at = NULL,
                steps = e.steps || COALESCE((${STEP_LOG_SQL}), '[]'::jsonb),
                duration_ms = CASE WHEN started_at IS NULL THEN NULL ELSE (extract(epoch FROM now() - started_at) * 1000)::int END
         WHERE tenant_id = $1 AND id = $2 AND status IN ('queued', 'running', 'waiting')
         RETURNING e.id, workflow_id AS "workflowId", concurrency_max AS "concurrencyMax"),
       cleared AS (DELETE FROM execution_step_log l USING done WHERE l.execution_id = done.id)
       SELECT "workflowId", "concurrencyMax" FROM done`,
      [tenantId, id, reason],
    );
    return rows[0] ?? null;
  }

  async stats(tenantId: string) {
    const [byStatus, today, perWorkflow, perHour] = await Promise.all([
      this.sql(`SELECT status, count(*)::int AS n FROM executions WHERE tenant_id = $1 GROUP BY status`, [tenantId]),
      this.sql<Stats['today']>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
                count(*) FILTER (WHERE status = 'failed')::int AS failed, COALESCE(sum(tokens), 0)::int AS tokens
         FROM executions WHERE tenant_id = $1 AND created_at >= date_trunc('day', now())`,
        [tenantId],
      ),
      this.sql<Stats['perWorkflow'][number]>(
        `SELECT e.workflow_id AS "workflowId", w.name, count(*)::int AS total,
                count(*) FILTER (WHERE e.status = 'succeeded')::int AS succeeded, count(*) FILTER (WHERE e.status = 'failed')::int AS failed,
                COALESCE(sum(e.tokens), 0)::int AS tokens
         FROM executions e JOIN workflows w ON w.id = e.workflow_id WHERE e.tenant_id = $1
         GROUP BY e.workflow_id, w.name ORDER BY total DESC LIMIT 50`,
        [tenantId],
      ),
      this.sql<Omit<Stats['perHour'][number], 'hour'> & { hour: Date }>(
        `SELECT h.hour, count(e.id)::int AS total, count(e.id) FILTER (WHERE e.status = 'succeeded')::int AS succeeded,
                count(e.id) FILTER (WHERE e.status = 'failed')::int AS failed, COALESCE(sum(e.tokens), 0)::int AS tokens
         FROM generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()), interval '1 hour') AS h(hour)
         LEFT JOIN executions e ON e.tenant_id = $1 AND e.created_at >= h.hour AND e.created_at < h.hour + interval '1 hour'
         GROUP BY h.hour ORDER BY h.hour`,
        [tenantId],
      ),
    ]);
    return { byStatus: byStatus as { status: ExecutionStatus; n: number }[], today: today[0], perWorkflow, perHour: perHour.map((h) => ({ ...h, hour: new Date(h.hour).toISOString() })) };
  }

  /**
   * Retention: deletes finished (succeeded, failed, cancelled) executions created more than
   * `olderThanMs` ago; queued and running ones stay whatever their age. Batches of `batch` rows,
   * each its own short statement (no long transaction, locks held per batch only), found per tenant
   * through executions_tenant_status_idx (tenant_id, status, created_at): no index of its own, so
   * inserts and status changes pay nothing more. Returns how many rows went.
   */
  async deleteFinishedOlderThan(olderThanMs: number, batch = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.sql(
        `DELETE FROM executions WHERE id IN (
           SELECT e.id FROM tenants t CROSS JOIN LATERAL (
             SELECT id FROM executions WHERE tenant_id = t.id AND status IN ('succeeded', 'failed', 'cancelled')
               AND created_at < now() - make_interval(secs => $1) LIMIT $2
           ) e LIMIT $2
         ) RETURNING 1`,
        [olderThanMs / 1000, batch],
      );
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }
}
