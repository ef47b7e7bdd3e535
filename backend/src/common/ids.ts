const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a path id can name a row at all: lookups answer 404 for anything else without asking
 * PostgreSQL (which would reject the cast).
 */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
