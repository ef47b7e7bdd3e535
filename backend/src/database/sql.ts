/**
 * Plain parameterised SQL on TypeORM's own pg pool, for the hot paths (ingest, completion) and
 * reports: the rows of any statement, RETURNING included, without ORM overhead.
 */
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export function sqlOf(db: DataSource): Sql {
  return async <T>(text: string, params: unknown[] = []) => {
    const pool = (db.driver as unknown as { master: Pool }).master;
    const res = await pool.query(text, params);
    return res.rows as T[];
  };
}
