/**
 * Plain parameterised SQL on TypeORM's own pg pool, for the hot paths (ingest, completion) and
 * reports: the rows of any statement, RETURNING included, without ORM overhead. A statement given a
 * `name` is prepared once per connection and then only bound and executed (hot paths: PostgreSQL
 * skips parsing and planning it again).
 */
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[], opts?: { name?: string }) => Promise<T[]>;

export function sqlOf(db: DataSource): Sql {
  return async <T>(text: string, params: unknown[] = [], opts: { name?: string } = {}) => {
    const pool = (db.driver as unknown as { master: Pool }).master;
    const res = opts.name ? await pool.query({ name: opts.name, text, values: params }) : await pool.query(text, params);
    return res.rows as T[];
  };
}
