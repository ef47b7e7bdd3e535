/** The only code that reads and writes executions: batched inserts and completions, keyset lists, stats. */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Batcher } from '../common/batcher.js';
import { decodeCursor, fromMicrosSql, keyset, microsSql, toPage, type Page, type Positioned } from '../common/pagination.js';
import { CONFIG, type Config } from '../config/config.js';
import { sqlOf, type Sql } from '../database/sql.js';
import type { StepResult } from '../engine/types.js';
import type { ExecutionStatus, TriggerType } from './execution.entity.js';

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
}

export interface Completion {
  id: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  steps: StepResult[];
  output: unknown;
  error: string | null;
  durationMs: number;
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
}

export interface ExecutionSummary {
  id: string;
  workflowId: string;
  workflowName: string | null;
  workflowVersion: number;
  status: ExecutionStatus;
  triggerType: TriggerType;
  error: string | null;
  attempts: number;
  retryOf: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface ExecutionDetail extends ExecutionSummary {
  payload: unknown;
  output: unknown;
  steps: StepResult[];
}

export interface ListFilter {
  limit: number;
  cursor?: string;
  status?: ExecutionStatus;
  workflowId?: string;
  from?: string;
  to?: string;
}

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
  private readonly inserts: Batcher<NewExecution, Error | undefined>;
  private readonly completions: Batcher<Completion, boolean>;
  private readonly claims: Batcher<string, ClaimedExecution | null>;
  private readonly sql: Sql;

  constructor(@InjectDataSource() db: DataSource, @Inject(CONFIG) config: Config) {
    this.sql = sqlOf(db);
    // On Redis, two INSERTs in flight: each commit's replies go out while the next batch commits.
    // Against one at a time (pure group commit): ~8 % more webhooks/s and ~25 % less api CPU per
    // webhook, as replies leave in steadier, smaller bursts. On BullMQ's PostgreSQL queue, one: the
    // smaller batches mean more queue jobs (one per batch), which that backend pays for per job
    // (p50 at 1,000 webhooks/s went from 25 to 56 ms). Measured in docs/benchmarks.md.
    this.inserts = new Batcher((rows) => this.insertMany(rows), { maxSize: 1000, maxConcurrent: config.queueBackend === 'redis' ? 2 : 1 });
    this.completions = new Batcher((rows) => this.completeMany(rows), { maxSize: 200, maxConcurrent: 4 });
    this.claims = new Batcher((ids) => this.claimMany(ids), { maxSize: 200, maxConcurrent: 4 });
  }

  /** Batched with every other insert made in the same tick; a row PostgreSQL refuses fails alone. */
  async insert(row: NewExecution): Promise<void> {
    const refused = await this.inserts.add(row);
    if (refused) throw refused;
  }

  /**
   * One INSERT for the batch. Each row is encoded on its own, so a row JSON cannot encode (a payload
   * nested deeper than the stack allows) fails alone. If PostgreSQL refuses the INSERT for a row's
   * sake (bad data, a workflow deleted meanwhile: SQLSTATE classes 22 and 23), the rows are inserted
   * one by one so only the rows at fault fail, not every webhook that shared their tick. Other errors
   * (database down) fail the batch.
   */
  private async insertMany(rows: NewExecution[]): Promise<(Error | undefined)[]> {
    const encoded = rows.map(encodeRow);
    const results: (Error | undefined)[] = encoded.map((e) => (e instanceof Error ? e : undefined));
    const good = encoded.flatMap((e, i) => (typeof e === 'string' ? [i] : []));
    if (!good.length) return results;
    try {
      await this.insertBatch(good.map((i) => encoded[i] as string));
    } catch (err) {
      if (good.length === 1 || !isRowError(err)) {
        for (const i of good) results[i] = err as Error;
        return results;
      }
      for (const i of good) results[i] = await this.insertBatch([encoded[i] as string]).then(() => undefined, (e: Error) => e);
    }
    return results;
  }

  private async insertBatch(encodedRows: string[]): Promise<void> {
    // The batch travels as one JSON document (the rows' encodings joined): one parse in PostgreSQL,
    // and payloads are not escaped a second time into array literals.
    await this.sql(
      `INSERT INTO executions (id, tenant_id, workflow_id, workflow_version, status, trigger_type, payload, steps, retry_of, job_id, started_at)
       SELECT t.id, t."tenantId", t."workflowId", t."workflowVersion", t.status, t."triggerType", t.payload, t.steps, t."retryOf", t."jobId",
              CASE WHEN t.status = 'running' THEN now() END
       FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, "tenantId" uuid, "workflowId" uuid, "workflowVersion" int, status text,
            "triggerType" text, payload jsonb, steps jsonb, "retryOf" uuid, "jobId" uuid)`,
      [`[${encodedRows.join(',')}]`],
      { name: 'executions_insert' },
    );
  }

  /** With an Idempotency-Key: the first execution's id for a repeat, and whether this one is new. */
  async insertIdempotent(row: NewExecution, key: string): Promise<{ id: string; created: boolean }> {
    const inserted = await this.sql(
      `INSERT INTO executions (id, tenant_id, workflow_id, workflow_version, status, trigger_type, payload, idempotency_key, job_id)
       VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $1)
       ON CONFLICT (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id`,
      [row.id, row.tenantId, row.workflowId, row.workflowVersion, row.triggerType, JSON.stringify(row.payload ?? {}), key],
    );
    if (inserted.length) return { id: row.id, created: true };
    const [existing] = await this.sql<{ id: string }>(`SELECT id FROM executions WHERE workflow_id = $1 AND idempotency_key = $2`, [row.workflowId, key]);
    return { id: existing.id, created: false };
  }

  /**
   * Marks the run started (batched with the other claims of this tick); null when it already
   * finished (a duplicate or stalled job), so a finished execution never runs again.
   */
  claim(id: string): Promise<ClaimedExecution | null> {
    return this.claims.add(id);
  }

  private async claimMany(ids: string[]): Promise<(ClaimedExecution | null)[]> {
    const rows = await this.sql<ClaimedExecution>(
      `UPDATE executions SET status = 'running', started_at = COALESCE(started_at, now()), attempts = attempts + 1
       WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')
       RETURNING id, tenant_id AS "tenantId", workflow_id AS "workflowId", workflow_version AS "workflowVersion",
                 trigger_type AS "triggerType", payload, steps, attempts`,
      [ids],
      { name: 'executions_claim' },
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    // The same id twice in one batch: only the first caller runs it.
    return ids.map((id) => {
      const row = byId.get(id) ?? null;
      byId.delete(id);
      return row;
    });
  }

  /** Batched; false when the execution was no longer running (finished elsewhere or cancelled). */
  complete(c: Completion): Promise<boolean> {
    return this.completions.add(c);
  }

  private async completeMany(rows: Completion[]): Promise<boolean[]> {
    const batch = rows.map((r) => ({ id: r.id, status: r.status, steps: r.steps, output: r.output === undefined ? null : r.output, error: r.error, durationMs: r.durationMs }));
    const updated = await this.sql<{ id: string }>(
      `UPDATE executions e SET status = v.status, steps = v.steps, output = v.output, error = v.error,
              finished_at = now(), duration_ms = v."durationMs"
       FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, status text, steps jsonb, output jsonb, error text, "durationMs" int)
       WHERE e.id = v.id AND e.status = 'running'
       RETURNING e.id`,
      [JSON.stringify(batch)],
      { name: 'executions_complete' },
    );
    const done = new Set(updated.map((u) => u.id));
    return rows.map((r) => done.has(r.id));
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

  async get(tenantId: string, id: string): Promise<ExecutionDetail | null> {
    const rows = await this.sql<ExecutionDetail>(
      `SELECT ${SUMMARY_COLUMNS}, e.payload, e.output, e.steps FROM executions e LEFT JOIN workflows w ON w.id = e.workflow_id
       WHERE e.tenant_id = $1 AND e.id = $2`,
      [tenantId, id],
    );
    return rows[0] ? toSummary(rows[0]) : null;
  }

  async stats(tenantId: string) {
    const [byStatus, today, perWorkflow, perHour] = await Promise.all([
      this.sql(`SELECT status, count(*)::int AS n FROM executions WHERE tenant_id = $1 GROUP BY status`, [tenantId]),
      this.sql(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
                count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM executions WHERE tenant_id = $1 AND created_at >= date_trunc('day', now())`,
        [tenantId],
      ),
      this.sql(
        `SELECT e.workflow_id AS "workflowId", w.name, count(*)::int AS total,
                count(*) FILTER (WHERE e.status = 'succeeded')::int AS succeeded, count(*) FILTER (WHERE e.status = 'failed')::int AS failed
         FROM executions e JOIN workflows w ON w.id = e.workflow_id WHERE e.tenant_id = $1
         GROUP BY e.workflow_id, w.name ORDER BY total DESC LIMIT 50`,
        [tenantId],
      ),
      this.sql(
        `SELECT h.hour, count(e.id)::int AS total, count(e.id) FILTER (WHERE e.status = 'succeeded')::int AS succeeded,
                count(e.id) FILTER (WHERE e.status = 'failed')::int AS failed
         FROM generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()), interval '1 hour') AS h(hour)
         LEFT JOIN executions e ON e.tenant_id = $1 AND e.created_at >= h.hour AND e.created_at < h.hour + interval '1 hour'
         GROUP BY h.hour ORDER BY h.hour`,
        [tenantId],
      ),
    ]);
    return { byStatus: byStatus as { status: ExecutionStatus; n: number }[], today: today[0], perWorkflow, perHour: (perHour as { hour: Date }[]).map((h) => ({ ...h, hour: new Date(h.hour).toISOString() })) };
  }

  /** Retention: deletes finished executions older than `days`, in batches; returns how many. */
  async deleteOlderThan(days: number, batch = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.sql(
        `DELETE FROM executions WHERE id IN (
           SELECT id FROM executions WHERE created_at < now() - make_interval(days => $1) AND status IN ('succeeded', 'failed', 'cancelled') LIMIT $2
         ) RETURNING 1`,
        [days, batch],
      );
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }
}
