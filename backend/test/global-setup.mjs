// Once per test run: drop databases left by earlier runs, including the migrated template that API
// test files clone (test/helpers/databases.ts rebuilds it, under an advisory lock, on first use).
// Plain JavaScript: Jest loads global setup outside its ES-module transform.
import pg from 'pg';

export default async function globalSetup() {
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: base.toString() });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`API tests need PostgreSQL at ${base} (run them through \`make test\`, which starts it): ${err.message}`, { cause: err });
  }
  try {
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'tributary_test_%'`);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
