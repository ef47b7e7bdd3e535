/**
 * Plain parameterised SQL on TypeORM's own pg pool, for the hot paths (ingest, completion) and
 * reports: the rows of any statement, RETURNING included, without ORM overhead. A statement given a
 * `name` is prepared once per connection and then only bound and executed (hot paths: PostgreSQL
 * skips parsing and planning it again) — unless the pool goes through a transaction pooler, see
 * NamedStatements.
 */
import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[], opts?: { name?: string }) => Promise<T[]>;

/**
 * How the named statements of one pool reach PostgreSQL, shared by every `Sql` on it. Behind a
 * transaction pooler (PgBouncer pool_mode=transaction) a client's consecutive statements run on
 * whichever server connection is free, so a statement prepared on one is missing on the next (and
 * already exists on another): there `prepare` is false and a name is ignored, the statement sent
 * unnamed (parsed and planned each time, as PgBouncer 1.18 cannot track prepared statements).
 */
export class NamedStatements {
  /** Set once PostgreSQL answered as only a transaction pooler makes it answer: what to configure. */
  poolerDetected?: string;

  constructor(public prepare: boolean) {}
}

const logger = new Logger('Database');

/** TypeORM's pg pool (read when used: the data source connects after its users are built). */
export function poolOf(db: DataSource): Pool {
  return (db.driver as unknown as { master: Pool }).master;
}

/** The named-statement policy dataSourceOptions gave this data source (prepared, when it has none). */
export function statementsOf(db: DataSource): NamedStatements {
  const extra = db.options.extra as { namedStatements?: NamedStatements } | undefined;
  return extra?.namedStatements ?? new NamedStatements(true);
}

/** `invalid_sql_statement_name` and `duplicate_prepared_statement`: a named statement met another session's state. */
function isPoolerStatementError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '26000' || code === '42P05';
}

/**
 * A named statement failed as it does behind a transaction pooler while DATABASE_POOLING says
 * session: from now on this pool sends statements unnamed, and says once, loudly, what to set.
 */
function poolerDetected(statements: NamedStatements, err: Error): void {
  statements.prepare = false;
  if (statements.poolerDetected) return;
  statements.poolerDetected =
    `PostgreSQL answered "${err.message}": DATABASE_URL goes through a transaction pooler (PgBouncer pool_mode=transaction or alike), ` +
    'which runs one client\'s statements on different server connections. Statements are sent unnamed from now on in this process. ' +
    'Set DATABASE_POOLING=transaction, and DATABASE_DIRECT_URL to PostgreSQL itself for what needs a session (migrations\' lock, the PostgreSQL queue, live events without Redis).';
  logger.error(statements.poolerDetected);
}

/** `Sql` on one connection, e.g. a transaction's client. */
export function sqlOn(conn: () => Pool | PoolClient, statements = new NamedStatements(true)): Sql {
  return async <T>(text: string, params: unknown[] = [], opts: { name?: string } = {}) => {
    if (!opts.name || !statements.prepare) return (await conn().query(text, params)).rows as T[];
    const c = conn();
    try {
      return (await c.query({ name: opts.name, text, values: params })).rows as T[];
    } catch (err) {
      if (!isPoolerStatementError(err)) throw err;
      poolerDetected(statements, err as Error);
      // Nothing ran (the statement failed at Parse or Bind), so a lone statement is sent again unnamed;
      // in a transaction (a checked-out client) the error has aborted it, and the caller's retry decides.
      if ('release' in c) throw err;
      return (await c.query(text, params)).rows as T[];
    }
  };
}

export function sqlOf(db: DataSource): Sql {
  return sqlOn(() => poolOf(db), statementsOf(db));
}

/** Runs `fn` in one transaction on one pooled connection: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(db: DataSource, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  const sql = sqlOn(() => client, statementsOf(db));
  try {
    await client.query('BEGIN');
    const result = await fn(sql);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
