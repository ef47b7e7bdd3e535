/**
 * Plain parameterised SQL on TypeORM's own pg pool, for the hot paths (ingest, completion) and
 * reports: the rows of any statement, RETURNING included, without ORM overhead. A statement given a
 * `name` is prepared once per connection and then only bound and executed (hot paths: PostgreSQL
 * skips parsing and planning it again).
 */
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[], opts?: { name?: string }) => Promise<T[]>;

/** TypeORM's pg pool (read when used: the data source connects after its users are built). */
export function poolOf(db: DataSource): Pool {
  return (db.driver as unknown as { master: Pool }).master;
}

/** `Sql` on one connection, e.g. a transaction's client. */
export function sqlOn(conn: () => Pool | PoolClient): Sql {
  return async <T>(text: string, params: unknown[] = [], opts: { name?: string } = {}) => {
    const res = opts.name ? await conn().query({ name: opts.name, text, values: params }) : await conn().query(text, params);
    return res.rows as T[];
  };
}

export function sqlOf(db: DataSource): Sql {
  return sqlOn(() => poolOf(db));
}
