/**
 * Keyset pagination: lists answer `{ items, nextCursor }`, newest first (`created_at DESC, id DESC`);
 * the cursor is opaque to clients.
 *
 * A cursor holds the last item's position exactly: its created_at as integer microseconds since the
 * epoch, read from PostgreSQL as text, and its id. PostgreSQL keeps microseconds and the rows of one
 * statement share one timestamp (an accept batch of webhooks, say); a cursor holding a JavaScript
 * Date's milliseconds compared below most of such a batch and skipped it (300 executions paged 7 at a
 * time listed 77).
 */
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { isUuid } from './ids.js';

export const limitSchema = z.coerce.number().int().min(1).max(100).default(50);

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CursorPosition {
  /** created_at of the last item on the previous page: integer microseconds since the epoch. */
  t: string;
  id: string;
}

/** A row read with `keyset().position`: its exact position, which toPage turns into the next cursor. */
export interface Positioned {
  id: string;
  cursorT: string;
}

/** SQL: a timestamptz as the exact integer microseconds since the epoch, as text. */
export function microsSql(column: string): string {
  // extract(epoch) is numeric (exact) since PostgreSQL 14; on older servers its float8 is within a
  // fraction of a microsecond, which the rounding cast to bigint recovers.
  return `(extract(epoch from ${column}) * 1000000)::bigint::text`;
}

/** SQL: the timestamptz a microseconds placeholder (`$3`, `:t`) stands for, with integer arithmetic (to_timestamp's float seconds would round). */
export function fromMicrosSql(param: string): string {
  return `('epoch'::timestamptz + ${param}::bigint * interval '1 microsecond')`;
}

/** The SQL pieces of a `created_at DESC, id DESC` keyset over a table or alias. */
export function keyset(alias?: string) {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  return {
    /** Select-list entry giving each row its exact position (`cursorT`). */
    position: `${microsSql(column('created_at'))} AS "cursorT"`,
    /** Rows after the position held by the placeholders `t` and `id`. */
    after: (t: string, id: string) => `(${column('created_at')}, ${column('id')}) < (${fromMicrosSql(t)}, ${id}::uuid)`,
    orderBy: `${column('created_at')} DESC, ${column('id')} DESC`,
  };
}

export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(JSON.stringify(pos)).toString('base64url');
}

/** Microseconds that stay exact through PostgreSQL's float8 interval arithmetic: up to the year 2255. */
const MICROS = /^\d{1,16}$/;

function invalidCursor(message: string): ValidationError {
  return new ValidationError('Query is invalid', [{ path: 'cursor', message }]);
}

/**
 * The position a cursor holds, checked so that PostgreSQL never sees a value it would refuse (a 500):
 * the id must be a UUID and the time integer microseconds within the years 1970 to 2255.
 */
export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (!cursor) return undefined;
  let pos: unknown;
  try {
    pos = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    pos = undefined;
  }
  if (!pos || typeof pos !== 'object') throw invalidCursor('Invalid cursor: pass the nextCursor of the previous page unchanged');
  const { t, id } = pos as Record<string, unknown>;
  if (typeof id !== 'string' || !isUuid(id)) throw invalidCursor('Invalid cursor: its id is not a UUID');
  if (typeof t !== 'string' || !MICROS.test(t) || Number(t) > Number.MAX_SAFE_INTEGER) throw invalidCursor('Invalid cursor: its position is not a valid time');
  return { t, id };
}

/** Cuts `limit + 1` rows fetched in keyset order into a page and computes the next cursor. */
function cut<T>(rows: T[], limit: number, position: (row: T) => CursorPosition): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(position(last)) : null };
}

/** Given `limit + 1` rows read with `keyset().position`, in its order: the page (without `cursorT`) and the next cursor. */
export function toPage<T extends Positioned>(rows: T[], limit: number): Page<Omit<T, 'cursorT'>> {
  const page = cut(rows, limit, (r) => ({ t: r.cursorT, id: r.id }));
  return { items: page.items.map(({ cursorT: _position, ...item }) => item), nextCursor: page.nextCursor };
}

/** A page of entities from a TypeORM query (its filters already applied), after the cursor, newest first. */
export async function entityPage<E extends ObjectLiteral & { id: string }>(qb: SelectQueryBuilder<E>, limit: number, cursor: string | undefined): Promise<Page<E>> {
  const ks = keyset(qb.alias);
  const pos = decodeCursor(cursor);
  if (pos) qb.andWhere(ks.after(':cursorT', ':cursorId'), { cursorT: pos.t, cursorId: pos.id });
  const { entities, raw } = await qb
    .addSelect(microsSql(`${qb.alias}.created_at`), 'cursorT')
    .orderBy(`${qb.alias}.created_at`, 'DESC')
    .addOrderBy(`${qb.alias}.id`, 'DESC')
    .limit(limit + 1)
    .getRawAndEntities<{ cursorT: string } & Record<string, unknown>>();
  const positions = new Map(raw.map((r) => [r[`${qb.alias}_id`] as string, r.cursorT]));
  return cut(entities, limit, (e) => ({ t: positions.get(e.id)!, id: e.id }));
}
