import { z } from 'zod';

/**
 * A point in time as the api answers it: an ISO 8601 string. On the server a Date is accepted too
 * (`z.input`), as JSON.stringify writes it as that string (`z.output`, what clients read).
 */
export const timestampSchema = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => (v instanceof Date ? v.toISOString() : v));

/** What can start a workflow (its trigger's `type`). */
export const TRIGGER_TYPES = ['webhook', 'schedule', 'event', 'manual'] as const;

/** A UUID (ids of rows). */
export const idSchema = z.string().uuid();

/** An IANA time zone name (e.g. Europe/Paris) that this runtime knows. */
export const timezoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'Unknown time zone');

/** A page of a list: newest first; `nextCursor` is opaque, null on the last page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });
}

export type Page<T> = { items: T[]; nextCursor: string | null };

/** Any JSON value (a payload, a step's output). */
export const jsonValueSchema = z.unknown();
