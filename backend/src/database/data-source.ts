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

/** Runs pending migrations under PostgreSQL's advisory lock (TypeORM takes it), so concurrent starts are safe. */
export async function runMigrations(config: Pick<Config, 'databaseUrl' | 'databasePoolSize'>): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(config), extra: { max: 2 } });
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
