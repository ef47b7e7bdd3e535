import pg from 'pg';
import { migrations } from '../../src/database/entities.js';
import { runMigrations } from '../../src/database/data-source.js';
import { adminUrl, databaseUrl } from '../helpers/databases.js';

describe('migrations', () => {
  const name = `tributary_test_${process.env.TRIBUTARY_TEST_RUN ?? 'adhoc'}_migrate`;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('migrate a fresh database once when an api and workers start together', async () => {
    const config = { databaseUrl: databaseUrl(name), databasePoolSize: 2 };
    const results = await Promise.all([runMigrations(config), runMigrations(config), runMigrations(config)]);
    const applied = results.map((r) => r.length).sort();
    expect(applied).toEqual([0, 0, migrations.length]);
    expect(await runMigrations(config)).toEqual([]);
  });
});
