import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Config } from '../config/config.js';
import { entities, migrations } from './entities.js';

export function dataSourceOptions(config: Pick<Config, 'databaseUrl' | 'databasePoolSize'>): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    // Schema changes go through checked-in migrations only.
    synchronize: false,
    migrationsRun: false,
    extra: { max: config.databasePoolSize },
  };
}

const MIGRATION_LOCK = 727_274_100;

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so an api and a worker (or several of
 * each) starting together on a fresh database migrate it once, the others waiting.
 */
export async function runMigrations(config: Pick<Config, 'databaseUrl' | 'databasePoolSize'>): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(config), extra: { max: 2 } });
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
    await ds.destroy();
  }
}
