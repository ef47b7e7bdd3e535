/** Keyset pagination: lists answer `{ items, nextCursor }`; the cursor is opaque to clients. */
import { z } from 'zod';
import { ValidationError } from './errors.js';

export const limitSchema = z.coerce.number().int().min(1).max(100).default(50);

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CursorPosition {
  /** ISO timestamp of the last item on the previous page. */
  t: string;
  id: string;
}

export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(JSON.stringify(pos)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (!cursor) return undefined;
  try {
    const pos = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPosition;
    if (typeof pos.t !== 'string' || typeof pos.id !== 'string' || Number.isNaN(Date.parse(pos.t))) throw new Error('shape');
    return pos;
  } catch {
    throw new ValidationError('Query is invalid', [{ path: 'cursor', message: 'Invalid cursor' }]);
  }
}

/** Given `limit + 1` rows fetched in order, cut the page and compute the next cursor. */
export function toPage<T>(rows: T[], limit: number, position: (row: T) => CursorPosition): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(position(last)) : null };
}
