/**
 * Tributary behind PgBouncer in transaction pooling mode (Debian's pgbouncer, started here on a free
 * port with two server connections per database, so consecutive statements of one client land on
 * different PostgreSQL sessions).
 */
import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { runMigrations } from '../../src/database/data-source.js';
import { migrations } from '../../src/database/migrations/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createEmptyDatabase, createTestDatabase, databaseUrl } from '../helpers/databases.js';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.js';
import { debianProgram } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';
import { ECHO_WORKFLOW, fireWebhooks, range, runsThatFailed } from '../helpers/webhook-runs.js';
import { WsClient } from '../helpers/ws-client.js';

jest.setTimeout(120_000);

const pgbouncer = debianProgram('pgbouncer', '/usr/sbin/pgbouncer');
if ('skip' in pgbouncer) console.warn(`PgBouncer tests skipped: ${pgbouncer.skip}`);
const withPgBouncer = 'path' in pgbouncer ? describe : describe.skip;

/** Fires `count` webhooks at once, expects a 202 for each, and waits for every run; returns the runs that went wrong. */
async function webhooksThatFailed(t: TestApp, workflowId: string, count: number): Promise<string[]> {
  const answers = await fireWebhooks(t, workflowId, range(0, count));
  expect(answers.filter((a) => a.status !== 202).map((a) => `${a.status} ${a.text}`)).toEqual([]);
  return runsThatFailed(t, answers, 60_000);
}

withPgBouncer('PgBouncer in transaction pooling mode', () => {
  let bouncer: PgBouncer;

  beforeAll(async () => {
    bouncer = await startPgBouncer((pgbouncer as { path: string }).path, { poolMode: 'transaction', poolSize: 2 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  describe('DATABASE_POOLING=transaction, sessions on DATABASE_DIRECT_URL', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp((db) => ({ DATABASE_URL: bouncer.url(db.url), DATABASE_DIRECT_URL: db.url, DATABASE_POOLING: 'transaction' }));
      await t.startWorker();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('runs 300 concurrent webhooks through the api and a worker, every execution succeeding with its steps recorded', async () => {
      const { token } = await t.register();
      const wf = await t.request('POST', '/api/workflows', { token, body: ECHO_WORKFLOW });
      expect(wf.status).toBe(201);
      expect(await webhooksThatFailed(t, wf.body.id, 300)).toEqual([]);
      const list = await t.request('GET', `/api/executions?workflowId=${wf.body.id}&status=succeeded&limit=100`, { token });
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(100);
      const health = await t.request('GET', '/health');
      expect(health.body.checks.postgres).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    });
  });

  describe('zero-install mode (no Redis) behind it', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp((db) => ({ REDIS_URL: '', DATABASE_URL: bouncer.url(db.url), DATABASE_DIRECT_URL: db.url, DATABASE_POOLING: 'transaction' }));
      await t.startWorker();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('runs the PostgreSQL queue and LISTENs for live events on DATABASE_DIRECT_URL', async () => {
      expect(t.config.queueBackend).toBe('postgres');
      const alice = await t.register();
      const ws = await WsClient.authed(t.baseUrl, alice.token);
      try {
        const wf = await t.request('POST', '/api/workflows', { token: alice.token, body: ECHO_WORKFLOW });
        const answers = await fireWebhooks(t, wf.body.id, range(0, 50));
        expect(answers.filter((a) => a.status !== 202)).toEqual([]);
        expect(await runsThatFailed(t, answers, 60_000)).toEqual([]);
        // The worker's NOTIFY went through the pooler; the api's LISTEN holds its session on the direct connection.
        const ids = answers.map((a) => a.executionId);
        await waitFor('every execution.succeeded event', async () => ids.every((id) => ws.messages.some((m) => m.event === 'execution.succeeded' && m.data?.executionId === id)));
      } finally {
        ws.close();
      }
    });
  });

  describe('left in session mode (DATABASE_POOLING unset) behind it', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp((db) => ({ DATABASE_URL: bouncer.url(db.url) }));
      await t.startWorker();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('a statement prepared on one server connection is missing on the next (why named statements cannot be used there)', async () => {
      const db = await createTestDatabase();
      const url = bouncer.url(db.url);
      const [a, b, c] = [new pg.Client(url), new pg.Client(url), new pg.Client(url)];
      try {
        await Promise.all([a.connect(), b.connect(), c.connect()]);
        const probe = { name: 'tributary_probe', text: 'SELECT pg_backend_pid() AS pid' };
        const prepared = (await a.query<{ pid: number }>(probe)).rows[0].pid;
        // Pin both server connections of the pool in open transactions, then free the one without the statement.
        await b.query('BEGIN');
        await c.query('BEGIN');
        const pids = await Promise.all([b, c].map(async (x) => (await x.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid));
        expect(pids.sort()).toEqual(expect.arrayContaining([prepared]));
        expect(new Set(pids).size).toBe(2);
        await (pids[0] === prepared ? c : b).query('COMMIT');
        // pg believes the statement is prepared on this connection and sends only Bind; PgBouncer picks the other server.
        await expect(a.query(probe)).rejects.toThrow('prepared statement "tributary_probe" does not exist');
      } finally {
        for (const x of [a, b, c]) await x.end().catch(() => undefined);
        await db.drop();
      }
    });

    it('notices the first such failure, sends statements unnamed from then on (no webhook fails), and /health says what to set', async () => {
      const { token } = await t.register();
      const wf = await t.request('POST', '/api/workflows', { token, body: ECHO_WORKFLOW });
      // Which server connection PgBouncer gives a transaction is its choice, so the collision is forced:
      // two clients of our own hold both of the pool's server connections in open transactions, and
      // free one at a time. A burst on the one server prepares the api's named ingest statement there
      // (a second api client preparing it there too finds it already exists); the next burst, on the
      // other server only, binds it where it was never prepared.
      const url = bouncer.url(t.databaseUrl);
      const [x, y] = [new pg.Client(url), new pg.Client(url)];
      const pidOf = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      try {
        await Promise.all([x.connect(), y.connect()]);
        await x.query('BEGIN');
        await y.query('BEGIN');
        expect(new Set([await pidOf(x), await pidOf(y)]).size).toBe(2);
        await y.query('COMMIT');
        expect(await webhooksThatFailed(t, wf.body.id, 50)).toEqual([]);
        await y.query('BEGIN');
        await pidOf(y);
        await x.query('COMMIT');
        expect(await webhooksThatFailed(t, wf.body.id, 50)).toEqual([]);
      } finally {
        for (const c of [x, y]) await c.end().catch(() => undefined);
      }
      // From then on statements go unnamed, on whichever server connection: another burst, both free.
      expect(await webhooksThatFailed(t, wf.body.id, 200)).toEqual([]);
      const health = await t.request('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body.checks.postgres).toMatchObject({
        status: 'up',
        note: expect.stringMatching(/prepared statement "executions_\w+" (does not exist|already exists)".*transaction pooler.*Set DATABASE_POOLING=transaction, and DATABASE_DIRECT_URL/),
      });
    });
  });

  describe('migrations', () => {
    let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
    beforeAll(async () => {
      empty = await createEmptyDatabase('migrate_pgbouncer');
    });
    afterAll(async () => {
      await empty?.drop();
    });

    it('without DATABASE_DIRECT_URL, three starters at once migrate a fresh database once, in one transaction under a transaction-scoped lock', async () => {
      const config = { databaseUrl: bouncer.url(empty.url), databasePoolSize: 2, databasePooling: 'transaction' as const };
      const results = await Promise.all([runMigrations(config), runMigrations(config), runMigrations(config)]);
      expect(results.map((r) => r.length).sort()).toEqual([0, 0, migrations.length]);
      expect(await runMigrations(config)).toEqual([]);
      // No lock left behind on any server connection: a session lock on PostgreSQL itself is free.
      const direct = { databaseUrl: empty.url, databasePoolSize: 2 };
      expect(await runMigrations(direct)).toEqual([]);
    });
  });

  describe('refusing to start', () => {
    const run = (entry: 'main.js' | 'worker.js') => {
      const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: '', PORT: '0', WORKER_METRICS_PORT: '0', LOG_LEVEL: 'silent' };
      for (const k of ['REDIS_URL', 'QUEUE_BACKEND', 'DATABASE_DIRECT_URL']) delete env[k];
      Object.assign(env, { DATABASE_URL: bouncer.url(databaseUrl('postgres')), DATABASE_POOLING: 'transaction' });
      return spawnSync(process.execPath, [join(process.cwd(), 'dist', entry)], { env, encoding: 'utf8', timeout: 30_000 });
    };

    it.each([
      ['api', 'main.js'],
      ['worker', 'worker.js'],
    ] as const)('the %s refuses DATABASE_POOLING=transaction without DATABASE_DIRECT_URL when something needs a session, saying what and how to fix it', (name, entry) => {
      const res = run(entry);
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(`tributary ${name} refused to start.`);
      expect(res.stderr).toContain(
        "DATABASE_DIRECT_URL: DATABASE_POOLING=transaction with the PostgreSQL queue (no REDIS_URL) needs it: BullMQ's PostgreSQL backend LISTENs for jobs",
      );
      expect(res.stderr).toContain('DATABASE_DIRECT_URL: DATABASE_POOLING=transaction with live events through PostgreSQL (zero-install mode, no REDIS_URL) needs it');
      expect(res.stderr).toContain('set DATABASE_DIRECT_URL to PostgreSQL itself (not through the pooler)');
    });
  });
});
