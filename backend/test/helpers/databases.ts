import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '../../src/database/data-source.js';

/** Set by global setup: every database of this run starts with it, so concurrent runs never collide. */
const RUN = process.env.TRIBUTARY_TEST_RUN ?? 'adhoc';
export const TEMPLATE_DB = `tributary_test_${RUN}_template`;

/** The server API tests use: TEST_DATABASE_URL's server, else the local one. */
export function adminUrl(): string {
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = '/postgres';
  return base.toString();
}

export function databaseUrl(name: string, server = adminUrl()): string {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

const TEMPLATE_LOCK = 727_274_001;

/** The migrated template, built by the first test file of a run (global setup dropped the old one). */
async function ensureTemplate(admin: pg.Client, server: string): Promise<void> {
  await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE_DB]);
    if (rowCount) return;
    const building = `${TEMPLATE_DB}_building`;
    await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${building}"`);
    await runMigrations({ databaseUrl: databaseUrl(building, server), databasePoolSize: 2 });
    await admin.query(`ALTER DATABASE "${building}" RENAME TO "${TEMPLATE_DB}"`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  }
}

/** A fresh, migrated database for one test file (on `server`, an admin URL: the tests' server by default). */
export async function createTestDatabase(server = adminUrl()): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `tributary_test_${RUN}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const clone = async () => {
    await ensureTemplate(admin, server);
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DB}"`);
  };
  try {
    // 3D000: the template went meanwhile (another test run's global setup drops idle test
    // databases, and a template is idle between clones): build it again, once.
    await clone().catch((err: { code?: string }) => (err.code === '3D000' ? clone() : Promise.reject(err)));
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(name, server),
    drop: () => dropDatabase(name, server),
  };
}

/** An empty database (no migrations), e.g. for migration tests; `suffix` keeps its name readable. */
export async function createEmptyDatabase(suffix: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `tributary_test_${RUN}_${suffix}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

async function dropDatabase(name: string, server = adminUrl()): Promise<void> {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}
