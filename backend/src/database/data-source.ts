import { DataSource, MigrationExecutor, type DataSourceOptions } from 'typeorm';
import { sessionDatabaseUrl, type Config } from '../config/config.js';
import { connectionOptions } from './connection-options.js';
import { migrations } from './migrations/index.js';
import { NamedStatements } from './sql.js';

/** What the data source and migrations read of Config; the rest has defaults (tests build it by hand). */
export type DatabaseConfig = Pick<Config, 'databaseUrl' | 'databasePoolSize'> &
  Partial<Pick<Config, 'databasePooling' | 'databaseDirectUrl' | 'databaseConnectTimeoutMs' | 'databaseQueryTimeoutMs'>>;

/**
 * The TypeORM data source of a process. Entities are not listed here: each feature registers its own
 * (TypeOrmModule.forFeature, with autoLoadEntities in the app and worker modules), and a standalone
 * data source passes the ones it uses.
 */
export function dataSourceOptions(config: DatabaseConfig, entities: NonNullable<DataSourceOptions['entities']> = []): DataSourceOptions {
  const queryTimeoutMs = config.databaseQueryTimeoutMs ?? 30_000;
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    // Schema changes go through checked-in migrations only.
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: config.databasePoolSize,
      ...connectionOptions(config),
      // Client-side (a server-side statement_timeout is a startup parameter PgBouncer refuses): past
      // it the query fails and pg-pool drops its connection, which may be the dead one.
      ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs } : {}),
      // Read by database/sql.ts (pg ignores keys it does not know).
      namedStatements: new NamedStatements(config.databasePooling !== 'transaction'),
    },
  };
}

const MIGRATION_LOCK = 727_274_100;

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so an api and a worker (or several of
 * each) starting together on a fresh database migrate it once, the others waiting. The lock is a
 * session's, on DATABASE_DIRECT_URL when set; behind a transaction pooler without one, a session
 * lock could be taken on one server connection and released on another (and stay held), so there
 * every pending migration runs in one transaction that holds a transaction-scoped lock.
 */
export async function runMigrations(config: DatabaseConfig): Promise<string[]> {
  const sessionUrl = sessionDatabaseUrl(config);
  // No query timeout: a migration may rewrite a big table, and the lock waits for another process's migrations.
  const ds = new DataSource({ ...dataSourceOptions({ ...config, databaseUrl: sessionUrl ?? config.databaseUrl }), extra: { max: 2, ...connectionOptions(config) } });
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    if (!sessionUrl) return await migrateInOneTransaction(ds, runner);
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await ds.runMigrations({ transaction: 'each' }).then(
      (ms) => ({ names: ms.map((m) => m.name) }),
      (err: unknown) => ({ err }),
    );
    const [{ unlocked }] = await runner.query('SELECT pg_advisory_unlock($1) AS unlocked', [MIGRATION_LOCK]).catch(() => [{ unlocked: null }]);
    if ('err' in done) throw done.err;
    if (unlocked === false) {
      // The unlock ran in another session than the lock: the lock stays held there and the next start would wait on it.
      throw new Error(
        'The migration lock was taken and released on different PostgreSQL sessions: DATABASE_URL goes through a transaction pooler ' +
          '(PgBouncer pool_mode=transaction or alike). Set DATABASE_POOLING=transaction, and DATABASE_DIRECT_URL to PostgreSQL itself.',
      );
    }
    return done.names;
  } finally {
    await runner.release();
    await ds.destroy();
  }
}

async function migrateInOneTransaction(ds: DataSource, runner: ReturnType<DataSource['createQueryRunner']>): Promise<string[]> {
  await runner.startTransaction();
  try {
    await runner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const executor = new MigrationExecutor(ds, runner);
    // Inside our transaction: the executor starts none of its own and refuses a migration that opts out of transactions.
    executor.transaction = 'all';
    const done = await executor.executePendingMigrations();
    await runner.commitTransaction();
    return done.map((m) => m.name);
  } catch (err) {
    await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  }
}
