// Once per test run: pick this run's database name prefix (test files clone a migrated template that
// test/helpers/databases.ts builds on first use), and drop idle databases left by earlier runs.
// Databases in use belong to a concurrent run and are left alone.
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
    process.env.TRIBUTARY_TEST_RUN = `r${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
    const { rows } = await admin.query(
      `SELECT d.datname FROM pg_database d
       WHERE d.datname LIKE 'tributary_test_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
  } finally {
    await admin.end();
  }
}
