/** The only code that reads and writes published events. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { decodeCursor, keyset, toPage, type Page, type Positioned } from '../common/pagination.js';
import { sqlOf, type Sql } from '../database/sql.js';
import type { PublishedEvent as EventView } from '@tributary/contracts';

/** A published event as answered: the contract's. */
export type { PublishedEvent as EventView } from '@tributary/contracts';

export type StoredEvent = EventView & {
  tenantId: string;
};

export interface EventFilter {
  topic?: string;
  from?: string;
  to?: string;
}

export interface Bucket {
  bucket: string;
  count: number;
}

const COLUMNS = `id, tenant_id AS "tenantId", topic, data, publisher_id AS "publisherId", deliver_at AS "deliverAt",
  delivered_at AS "deliveredAt", created_at AS "createdAt"`;

type Row = Omit<StoredEvent, 'deliverAt' | 'deliveredAt' | 'createdAt'> & { deliverAt: Date | null; deliveredAt: Date | null; createdAt: Date };

function toStored(r: Row): StoredEvent {
  return { ...r, deliverAt: r.deliverAt?.toISOString() ?? null, deliveredAt: r.deliveredAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString() };
}

export function toView({ tenantId: _t, ...rest }: StoredEvent): EventView {
  return rest;
}

/** `*` in a topic filter or trigger matches any run of characters: a LIKE pattern with `_` taken literally. */
function likePattern(topic: string): string {
  return topic.replace(/_/g, '\\_').replace(/\*/g, '%');
}

@Injectable()
export class EventsRepository {
  private readonly sql: Sql;

  constructor(@InjectDataSource() db: DataSource) {
    this.sql = sqlOf(db);
  }

  async insert(e: { id: string; tenantId: string; topic: string; data: Record<string, unknown>; publisherId: string | null; deliverAt: Date | null }): Promise<StoredEvent> {
    const [row] = await this.sql<Row>(
      `INSERT INTO events (id, tenant_id, topic, data, publisher_id, deliver_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [e.id, e.tenantId, e.topic, JSON.stringify(e.data), e.publisherId, e.deliverAt],
    );
    return toStored(row);
  }

  async get(id: string): Promise<StoredEvent | null> {
    const [row] = await this.sql<Row>(`SELECT ${COLUMNS} FROM events WHERE id = $1`, [id]);
    return row ? toStored(row) : null;
  }

  /** Marks the event delivered; null when another process already did. */
  async markDelivered(id: string): Promise<string | null> {
    const [row] = await this.sql<{ deliveredAt: Date }>(`UPDATE events SET delivered_at = now() WHERE id = $1 AND delivered_at IS NULL RETURNING delivered_at AS "deliveredAt"`, [id]);
    return row ? row.deliveredAt.toISOString() : null;
  }

  /** Scheduled events due for longer than `lateByMs` and still undelivered (their job was lost or is stuck). */
  async overdue(lateByMs: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.sql<Row>(
      `SELECT ${COLUMNS} FROM events WHERE delivered_at IS NULL AND deliver_at < now() - make_interval(secs => $1) ORDER BY deliver_at LIMIT $2`,
      [lateByMs / 1000, limit],
    );
    return rows.map(toStored);
  }

  private where(tenantId: string, f: EventFilter, params: unknown[]): string {
    params.push(tenantId);
    const clauses = [`tenant_id = $${params.length}`];
    if (f.topic) {
      const wild = f.topic.includes('*');
      params.push(wild ? likePattern(f.topic) : f.topic);
      clauses.push(wild ? `topic LIKE $${params.length}` : `topic = $${params.length}`);
    }
    if (f.from) {
      params.push(f.from);
      clauses.push(`created_at >= $${params.length}`);
    }
    if (f.to) {
      params.push(f.to);
      clauses.push(`created_at < $${params.length}`);
    }
    return clauses.join(' AND ');
  }

  async list(tenantId: string, f: EventFilter & { limit: number; cursor?: string }): Promise<Page<EventView>> {
    const params: unknown[] = [];
    let where = this.where(tenantId, f, params);
    const pos = decodeCursor(f.cursor);
    const ks = keyset();
    if (pos) where += ` AND ${ks.after(`$${params.push(pos.t)}`, `$${params.push(pos.id)}`)}`;
    params.push(f.limit + 1);
    const rows = await this.sql<Row & Positioned>(`SELECT ${COLUMNS}, ${ks.position} FROM events WHERE ${where} ORDER BY ${ks.orderBy} LIMIT $${params.length}`, params);
    const page = toPage(rows, f.limit);
    return { items: page.items.map((r) => toView(toStored(r))), nextCursor: page.nextCursor };
  }

  /** Counts per hour or day (starting in `timezone`); buckets without events are left out. */
  async buckets(tenantId: string, f: EventFilter & { groupBy: 'hour' | 'day'; timezone: string }): Promise<Bucket[]> {
    const params: unknown[] = [];
    const where = this.where(tenantId, f, params);
    params.push(f.groupBy, f.timezone);
    const unit = `$${params.length - 1}::text`;
    const tz = `$${params.length}::text`;
    const rows = await this.sql<{ bucket: Date; count: number }>(
      `SELECT date_trunc(${unit}, created_at, ${tz}) AS bucket, count(*)::int AS count FROM events WHERE ${where} GROUP BY 1 ORDER BY 1`,
      params,
    );
    return rows.map((r) => ({ bucket: r.bucket.toISOString(), count: r.count }));
  }
}
