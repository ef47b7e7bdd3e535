import { migrations } from '../../src/database/migrations/index.js';
import { runMigrations } from '../../src/database/data-source.js';
import { createEmptyDatabase } from '../helpers/databases.js';

describe('migrations', () => {
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;

  beforeAll(async () => {
    empty = await createEmptyDatabase('migrate');
  });
  afterAll(async () => {
    await empty?.drop();
  });

  it('migrate a fresh database once when an api and workers start together', async () => {
    const config = { databaseUrl: empty.url, databasePoolSize: 2 };
    const results = await Promise.all([runMigrations(config), runMigrations(config), runMigrations(config)]);
    const applied = results.map((r) => r.length).sort();
    expect(applied).toEqual([0, 0, migrations.length]);
    expect(await runMigrations(config)).toEqual([]);
  });
});
