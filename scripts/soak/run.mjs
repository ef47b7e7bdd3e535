// `make soak`: the platform under a steady mixed workload for SOAK_DURATION (default 30m), sampled
// every SOAK_SAMPLE_INTERVAL; writes artifacts/soak/<timestamp>.{json,csv,png} and judges whether
// memory and the database stay flat (exit 1 when a threshold is crossed). See docs/reliability.md (Soak).
//
// It starts its own api, worker and HTTP sink (scripts/soak/sink.mjs), on a fresh database of the
// machine's PostgreSQL and the machine's Redis under a unique REDIS_PREFIX, with short retention
// (SOAK_RETENTION, default 5m, swept every SOAK_RETENTION_SWEEP, default 1m). SOAK_SMOKE=1: a short
// end-to-end check (used by `make test`) that judges that everything ran, not flatness.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { WebSocket } from 'ws';
import { ensurePostgres, ensureRedis, ROOT } from '../lib/services.mjs';
import { apiCall } from '../lib/api.mjs';
import { onLines, WORKER_NODE_ARGS } from '../lib/platform.mjs';
import { judge, THRESHOLDS } from './verdict.mjs';
import { renderPng } from './render.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => console.log(`[soak] ${m}`);

function parseDuration(v, name) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(v).trim());
  if (!m) throw new Error(`${name}: expected a duration like 90s, 5m or 1h, got "${v}"`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'];
}

const SMOKE = ['1', 'true', 'yes'].includes(String(process.env.SOAK_SMOKE ?? '').toLowerCase());
const DURATION_MS = parseDuration(process.env.SOAK_DURATION || (SMOKE ? '60s' : '30m'), 'SOAK_DURATION');
const SAMPLE_MS = parseDuration(process.env.SOAK_SAMPLE_INTERVAL || (SMOKE ? '5s' : '10s'), 'SOAK_SAMPLE_INTERVAL');
// A smoke run is too short for 5 minutes of retention: it sweeps every 10 s what is older than 15 s.
const RETENTION = process.env.SOAK_RETENTION || (SMOKE ? '15s' : '5m');
const RETENTION_SWEEP = process.env.SOAK_RETENTION_SWEEP || (SMOKE ? '10s' : '1m');
const WEBHOOK_RATE = Number(process.env.SOAK_WEBHOOK_RATE ?? 20); // async webhooks/s into the two-step workflow
const SLOW_RATE = Number(process.env.SOAK_SLOW_RATE ?? 2); // async webhooks/s into the workflow whose step waits 1-3 s
const SYNC_RATE = Number(process.env.SOAK_SYNC_RATE ?? 1); // sync webhooks/s (the caller waits for the run)
const DASHBOARD_RATE = Number(process.env.SOAK_DASHBOARD_RATE ?? 5); // dashboard REST calls/s
const WS_CLIENTS = Number(process.env.SOAK_WS_CLIENTS ?? 20);
const SCHEDULE_SECONDS = Number(process.env.SOAK_SCHEDULE_SECONDS ?? 5);
const WORKER_CONCURRENCY = process.env.SOAK_WORKER_CONCURRENCY ?? '50';
const DIST = join(ROOT, 'backend/dist');
const STAMP = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
const OUT_DIR = process.env.SOAK_OUT_DIR ?? join(ROOT, 'artifacts/soak');

if (DURATION_MS < 3 * SAMPLE_MS) throw new Error(`SOAK_DURATION (${DURATION_MS / 1000}s) must be at least three sample intervals (${(3 * SAMPLE_MS) / 1000}s)`);

// ---- helpers -------------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** RSS and PSS (proportional: shared pages split between their users, so a sum is fair) in bytes. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
    let pss = NaN;
    try {
      pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) * 1024;
    } catch {
      /* no smaps_rollup (older kernel or not permitted) */
    }
    return { rss, pss };
  } catch {
    return { rss: NaN, pss: NaN };
  }
}

const CLK_TCK = 100; // USER_HZ on Linux
/** CPU time (user + system) a process has used so far, in seconds. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}
/** The whole machine's CPU counters: how busy it was, and steal (the hypervisor gave it to another guest). */
function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), idle: f[3] + f[4], steal: f[7] ?? 0 };
}

function percentiles(values) {
  if (!values.length) return { p50: null, p95: null, p99: null, max: null };
  const s = Float64Array.from(values).sort();
  const at = (p) => Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
  return { p50: at(50), p95: at(95), p99: at(99), max: Math.round(s[s.length - 1] * 10) / 10 };
}

/** Prometheus text → { name{labels}: value } for the metrics we read. */
function parseProm(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?)\s+([^\s]+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

async function scrape(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return parseProm(await res.text());
  } catch {
    return null;
  }
}

/** One Redis command over a plain socket (RESP), answering the bulk string or integer. */
function redisCommand(redisUrl, args) {
  const u = new URL(redisUrl);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const timer = setTimeout(() => (s.destroy(), reject(new Error('redis timeout'))), 5000);
    let buf = '';
    s.on('error', (e) => (clearTimeout(timer), reject(e)));
    s.on('connect', () => {
      const pre = u.password ? [['AUTH', decodeURIComponent(u.password)]] : [];
      for (const a of [...pre, args]) s.write(`*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(String(x))}\r\n${x}\r\n`).join('')}`);
    });
    s.on('data', (d) => {
      buf += d.toString();
      if (u.password) {
        const ok = buf.indexOf('\r\n');
        if (ok < 0) return;
        if (!buf.startsWith('+OK')) return s.destroy(), clearTimeout(timer), reject(new Error(buf.slice(0, ok)));
        buf = buf.slice(ok + 2);
        u.password = '';
      }
      if (buf.startsWith(':')) {
        if (!buf.includes('\r\n')) return;
        clearTimeout(timer);
        s.destroy();
        return resolve(Number(buf.slice(1, buf.indexOf('\r\n'))));
      }
      const m = /^\$(-?\d+)\r\n/.exec(buf);
      if (!m) {
        if (buf.startsWith('-') && buf.includes('\r\n')) return clearTimeout(timer), s.destroy(), reject(new Error(buf.trim()));
        return;
      }
      if (Buffer.byteLength(buf) < m[0].length + Number(m[1])) return;
      clearTimeout(timer);
      s.destroy();
      resolve(buf.slice(m[0].length, m[0].length + Number(m[1])));
    });
  });
}

function startNode(name, file, env, { quiet = false, args = [] } = {}) {
  const child = spawn(process.execPath, [...args, file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const recent = [];
  for (const stream of [child.stdout, child.stderr]) {
    onLines(stream, (line) => {
      recent.push(line);
      if (recent.length > 30) recent.shift();
      if (!quiet) process.stderr.write(`[${name}] ${line.slice(0, 400)}\n`);
    });
  }
  child.recent = recent;
  child.procName = name;
  return child;
}

async function waitHttp(url, ms, proc) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (proc && proc.exitCode !== null) throw new Error(`${proc.procName} exited (${proc.exitCode}) before answering:\n${proc.recent.join('\n')}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s`);
}

// ---- set-up ----------------------------------------------------------------------------------------

const started = Date.now();
const pgServer = await ensurePostgres({ database: 'postgres', allowEmbedded: false });
const redis = await ensureRedis();
const dbName = `tributary_soak_${STAMP.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
const admin = new pg.Client({ connectionString: pgServer.url });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = Object.assign(new URL(pgServer.url), { pathname: `/${dbName}` }).toString();
const db = new pg.Client({ connectionString: dbUrl, application_name: 'soak-sampler' });
await db.connect();
const redisPrefix = `soak${STAMP.replace(/[^0-9]/g, '')}`;
// Retention deletes rows; only VACUUM makes their space reusable. A server with autovacuum off (as
// test machines are sometimes set up) would grow whatever the retention: SOAK_VACUUM=auto (default)
// then stands in for autovacuum with its default trigger (dead rows > 50 + 20 % of live rows, checked
// every minute); `on` always does, `off` never (to see the growth).
const autovacuumOn = (await db.query('SHOW autovacuum')).rows[0].autovacuum === 'on';
const VACUUM_MODE = process.env.SOAK_VACUUM ?? 'auto';
if (!['auto', 'on', 'off'].includes(VACUUM_MODE)) throw new Error(`SOAK_VACUUM: auto, on or off, got "${VACUUM_MODE}"`);
const vacuumStandIn = VACUUM_MODE === 'on' || (VACUUM_MODE === 'auto' && !autovacuumOn);
const VACUUM_EVERY_MS = SMOKE ? 10_000 : 60_000;
const vacuums = [];

const [apiPort, workerMetricsPort, sinkPort] = [await freePort(), await freePort(), await freePort()];
const env = {
  NODE_ENV: 'production',
  JWT_SECRET: 'soak-jwt-secret-soak-jwt-secret-0123456789',
  ENCRYPTION_KEY: Buffer.alloc(32, 5).toString('base64'),
  PORT: String(apiPort),
  HOST: '127.0.0.1',
  DATABASE_URL: dbUrl,
  DATABASE_POOL_SIZE: '10',
  ...(redis.url ? { REDIS_URL: redis.url, REDIS_PREFIX: redisPrefix, QUEUE_BACKEND: 'redis' } : { QUEUE_BACKEND: 'postgres' }),
  LOG_LEVEL: 'warn',
  ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000000',
  API_RATE_LIMIT_PER_MINUTE: '1000000',
  WORKER_CONCURRENCY,
  WORKER_METRICS_PORT: String(workerMetricsPort),
  EXECUTION_RETENTION: RETENTION,
  EXECUTION_RETENTION_SWEEP_INTERVAL: RETENTION_SWEEP,
  METRICS_TOKEN: '',
};
delete env.EXECUTION_RETENTION_DAYS;
const children = [];
let stopping = false;
let fatal = null;
const watch = (child) => {
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      fatal = `${child.procName} exited unexpectedly (${signal ?? code}):\n${child.recent.join('\n')}`;
      console.error(`[soak] ${fatal}`);
    }
  });
  return child;
};
async function teardown() {
  stopping = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.race([Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null))), sleep(15_000)]);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db.end().catch(() => {});
  if (!process.env.SOAK_KEEP_DB) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e) => log(`could not drop ${dbName}: ${e.message}`));
  await admin.end().catch(() => {});
}
process.on('SIGINT', () => {
  log('interrupted: stopping');
  fatal ??= 'interrupted';
});

const sink = watch(startNode('sink', join(ROOT, 'scripts/soak/sink.mjs'), { SOAK_SINK_PORT: String(sinkPort) }, { quiet: true }));
const api = watch(startNode('api', join(DIST, 'main.js'), env));
const base = `http://127.0.0.1:${apiPort}`;
const sinkUrl = `http://127.0.0.1:${sinkPort}`;
let worker;
try {
  await waitHttp(`${sinkUrl}/__stats`, 10_000, sink);
  await waitHttp(`${base}/health`, 60_000, api);
  worker = watch(startNode('worker', join(DIST, 'worker.js'), env, { args: WORKER_NODE_ARGS }));
  await waitHttp(`http://127.0.0.1:${workerMetricsPort}/health`, 60_000, worker);
} catch (err) {
  await teardown();
  throw err;
}
log(`api :${apiPort} (pid ${api.pid}), worker (pid ${worker.pid}, metrics :${workerMetricsPort}), sink :${sinkPort} (pid ${sink.pid}); database ${dbName}; ${redis.url ? `Redis prefix ${redisPrefix}` : 'PostgreSQL queue (no Redis)'}`);

const call = (method, path, token, body) => apiCall(base, method, path, token, body);

const { token } = await call('POST', '/api/auth/register', undefined, { email: `soak-${STAMP.toLowerCase()}@example.com`, password: 'soak-password-123', name: 'soak' });
const cred = await call('POST', '/api/credentials', token, { connector: 'http', name: 'soak sink', data: { type: 'bearer', token: 'soak-sink-token' } });
await call('POST', '/api/credentials', token, { connector: 'http', name: 'soak spare', data: { type: 'apiKey', name: 'X-API-Key', value: 'soak-spare-key' } });
const step = (id, path, tag, extra = {}) => ({
  id,
  connector: 'http',
  action: 'request',
  credentialId: cred.id,
  input: { method: 'POST', url: `${sinkUrl}${path}?tag=${tag}`, body: { order: '{{order.id}}', who: '{{user.name}}' }, timeoutMs: 10_000, ...extra },
  retry: { attempts: 1, backoffMs: 0 },
});
const wfAsync = await call('POST', '/api/workflows', token, {
  name: 'soak: webhook, two steps',
  trigger: { type: 'webhook' },
  steps: [step('notify', '/fast', 'async1'), step('record', '/fast', 'async2')],
});
const wfSlow = await call('POST', '/api/workflows', token, {
  name: 'soak: webhook, a step that waits 1-3 s',
  trigger: { type: 'webhook' },
  steps: [step('wait', '/slow', 'slow'), step('after', '/fast', 'slowdone')],
});
const wfSync = await call('POST', '/api/workflows', token, {
  name: 'soak: sync webhook',
  trigger: { type: 'webhook', responseMode: 'sync', timeoutMs: 15_000 },
  steps: [step('answer', '/fast', 'sync')],
});
for (let i = 0; i < 2; i++) {
  await call('POST', '/api/workflows', token, {
    name: `soak: every ${SCHEDULE_SECONDS} s #${i + 1}`,
    trigger: { type: 'schedule', intervalSeconds: SCHEDULE_SECONDS, payload: { order: { id: i }, user: { name: 'scheduler' } } },
    steps: [step('tick', '/fast', 'interval')],
  });
}
await call('POST', '/api/workflows', token, {
  name: 'soak: cron every minute',
  trigger: { type: 'schedule', cron: '* * * * *', payload: { order: { id: 'cron' }, user: { name: 'cron' } } },
  steps: [step('tick', '/fast', 'cron')],
});

// ---- the workload ----------------------------------------------------------------------------------

const pool = new Pool(base, { connections: 64, pipelining: 1 });
/** Per category, the current interval's latencies (ms) and counts; reset at each sample. */
const cats = ['webhook', 'webhookSync', 'dashboard'];
const fresh = () => Object.fromEntries(cats.map((c) => [c, { lat: [], ok: 0, status4xx: 0, status5xx: 0, netErrors: 0, expected404: 0 }]));
let win = fresh();
const totals = Object.fromEntries(cats.map((c) => [c, { ok: 0, status4xx: 0, status5xx: 0, netErrors: 0, expected404: 0 }]));
const firstErrors = [];
let inFlight = 0;
let skipped = 0;
const MAX_IN_FLIGHT = 500;

async function request(cat, method, path, { body, auth = false, okStatus = [200], allow404 = false } = {}) {
  if (inFlight >= MAX_IN_FLIGHT) {
    skipped++;
    return null;
  }
  inFlight++;
  const t0 = performance.now();
  const w = win[cat];
  try {
    const res = await pool.request({
      method,
      path,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    const ms = performance.now() - t0;
    const bucket = win[cat] === w ? w : win[cat];
    bucket.lat.push(ms);
    if (okStatus.includes(res.statusCode)) {
      bucket.ok++;
      totals[cat].ok++;
      return text;
    }
    if (allow404 && res.statusCode === 404) {
      bucket.expected404++;
      totals[cat].expected404++;
      return null;
    }
    const kind = res.statusCode >= 500 ? 'status5xx' : 'status4xx';
    bucket[kind]++;
    totals[cat][kind]++;
    if (firstErrors.length < 20) firstErrors.push({ at: new Date().toISOString(), cat, method, path: path.slice(0, 80), status: res.statusCode, body: text.slice(0, 200) });
    return null;
  } catch (err) {
    win[cat].netErrors++;
    totals[cat].netErrors++;
    if (firstErrors.length < 20) firstErrors.push({ at: new Date().toISOString(), cat, method, path: path.slice(0, 80), error: err.message });
    return null;
  } finally {
    inFlight--;
  }
}

let seq = 0;
const payload = () => ({ order: { id: ++seq, items: [1, 2, 3], total: 42.5 }, user: { name: 'Alex', email: 'alex@example.com' }, note: 'soak' });

let dashTurn = 0;
let lastExecutionId = null;
async function dashboardCall() {
  const turn = dashTurn++ % 8;
  switch (turn) {
    case 0:
    case 1: {
      // The logs page: first page, then the next one by its cursor.
      const text = await request('dashboard', 'GET', `/api/executions?limit=25${turn === 1 ? '&status=succeeded' : ''}`, { auth: true });
      if (!text) return;
      const page = JSON.parse(text);
      lastExecutionId = page.items?.[0]?.id ?? lastExecutionId;
      if (page.nextCursor) await request('dashboard', 'GET', `/api/executions?limit=25${turn === 1 ? '&status=succeeded' : ''}&cursor=${encodeURIComponent(page.nextCursor)}`, { auth: true });
      return;
    }
    case 2:
      // One execution's log (retention may have deleted it since the list: a 404 then is expected).
      if (lastExecutionId) await request('dashboard', 'GET', `/api/executions/${lastExecutionId}`, { auth: true, allow404: true });
      return;
    case 3:
      await request('dashboard', 'GET', '/api/logs?limit=25', { auth: true });
      return;
    case 4:
    case 5:
      await request('dashboard', 'GET', '/api/stats', { auth: true });
      return;
    case 6:
      await request('dashboard', 'GET', '/api/workflows?limit=50', { auth: true });
      return;
    default:
      await request('dashboard', 'GET', '/api/credentials?limit=100', { auth: true });
  }
}

/** Open loop: `fn` at `perSecond` on average, whether or not earlier calls have answered. */
function steady(perSecond, fn) {
  if (!(perSecond > 0)) return { stop() {} };
  const t0 = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * perSecond);
    for (; sent < due; sent++) void fn();
  }, 20);
  return { stop: () => clearInterval(timer) };
}

// WebSocket clients for the whole run, counting events; a dropped one reconnects after 1 s.
const wsUrl = `${base.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`;
const ws = { connected: 0, reconnects: 0, events: 0, eventsWindow: 0, byEvent: {}, closes: {} };
const sockets = new Set();
function openSocket(first) {
  const sock = new WebSocket(wsUrl, { perMessageDeflate: false });
  let authed = false;
  sockets.add(sock);
  sock.on('message', (raw) => {
    const text = raw.toString();
    const ev = /^\{"event":"([^"]+)"/.exec(text)?.[1] ?? 'other';
    if (ev === 'auth_success') {
      authed = true;
      ws.connected++;
      // What the dashboard's live views subscribe to (frontend/lib/live/use-live-executions.ts).
      sock.send(JSON.stringify({ event: 'subscribe', data: { topics: ['execution.*'] } }));
      return;
    }
    if (ev === 'subscribed') return;
    ws.events++;
    ws.eventsWindow++;
    ws.byEvent[ev] = (ws.byEvent[ev] ?? 0) + 1;
  });
  sock.on('error', () => undefined);
  sock.on('close', (code) => {
    sockets.delete(sock);
    if (authed) ws.connected--;
    if (stopping || runOver) return;
    ws.closes[code] = (ws.closes[code] ?? 0) + 1;
    ws.reconnects++;
    setTimeout(() => openSocket(false), 1000);
  });
  void first;
}
let runOver = false;
for (let i = 0; i < WS_CLIENTS; i++) openSocket(true);

let vacuumTimer;
if (vacuumStandIn) {
  const vac = new pg.Client({ connectionString: dbUrl, application_name: 'soak-vacuum' });
  await vac.connect();
  let busy = false;
  vacuumTimer = setInterval(async () => {
    if (busy || runOver) return;
    busy = true;
    try {
      const { rows } = await vac.query(`SELECT relname FROM pg_stat_user_tables WHERE n_dead_tup > 50 + 0.2 * n_live_tup`);
      for (const { relname } of rows) {
        const t0 = performance.now();
        await vac.query(`VACUUM (ANALYZE) "${relname.replace(/"/g, '""')}"`);
        vacuums.push({ t: round((performance.now() - runStart) / 1000, 1), table: relname, ms: Math.round(performance.now() - t0) });
      }
    } catch (err) {
      log(`vacuum stand-in: ${err.message}`);
    } finally {
      busy = false;
    }
  }, VACUUM_EVERY_MS);
  vacuumTimer.closeVac = async () => {
    for (let i = 0; i < 600 && busy; i++) await sleep(100); // a VACUUM under way finishes first
    await vac.end().catch(() => {});
  };
}

// ---- sampling --------------------------------------------------------------------------------------

const TABLES = ['executions', 'workflows', 'workflow_versions', 'events', 'audit_logs', 'credentials'];
async function dbSample() {
  const { rows: sizes } = await db.query(
    `SELECT c.relname AS name, pg_table_size(c.oid)::bigint AS table_bytes, pg_indexes_size(c.oid)::bigint AS index_bytes
     FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace AND c.relname = ANY($1)`,
    [TABLES],
  );
  const { rows: [dbs] } = await db.query(`SELECT pg_database_size(current_database())::bigint AS bytes`);
  const { rows: statuses } = await db.query(`SELECT status, count(*)::int AS n FROM executions GROUP BY status`);
  const { rows: pids } = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  const { rows: [vac] } = await db.query(
    `SELECT n_live_tup::bigint AS live, n_dead_tup::bigint AS dead, autovacuum_count::int AS autovacuums FROM pg_stat_user_tables WHERE relname = 'executions'`,
  );
  let rss = 0;
  let pss = 0;
  for (const { pid } of pids) {
    const m = memoryOf(pid);
    if (Number.isFinite(m.rss)) rss += m.rss;
    if (Number.isFinite(m.pss)) pss += m.pss;
  }
  const tables = Object.fromEntries(sizes.map((r) => [r.name, { table: Number(r.table_bytes), indexes: Number(r.index_bytes) }]));
  return { databaseBytes: Number(dbs.bytes), tables, executionsByStatus: Object.fromEntries(statuses.map((r) => [r.status, r.n])), backends: pids.length, rss, pss, executionsLive: Number(vac?.live ?? 0), executionsDead: Number(vac?.dead ?? 0), autovacuums: vac?.autovacuums ?? 0 };
}

async function redisSample() {
  if (!redis.url) return null;
  try {
    const info = await redisCommand(redis.url, ['INFO', 'memory']);
    const num = (k) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
    return { usedMemory: num('used_memory'), usedMemoryRss: num('used_memory_rss') };
  } catch {
    return null;
  }
}

const lag = (m) =>
  m && {
    p50: m['nodejs_eventloop_lag_p50_seconds'] * 1000,
    p99: m['nodejs_eventloop_lag_p99_seconds'] * 1000,
    max: m['nodejs_eventloop_lag_max_seconds'] * 1000,
    mean: m['nodejs_eventloop_lag_mean_seconds'] * 1000,
    heapUsed: m['nodejs_heap_size_used_bytes'],
  };
const round = (v, d = 1) => (v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10 ** d) / 10 ** d);
const MB = 1024 * 1024;
const finishedOf = (m) => {
  if (!m) return null;
  let n = 0;
  for (const [k, v] of Object.entries(m)) if (k.startsWith('tributary_executions_finished_total')) n += v;
  return n;
};

const samples = [];
let prevCpu = { machine: machineCpu(), api: cpuSeconds(api.pid), worker: cpuSeconds(worker.pid) };
let prevSinkTotal = 0;
let prevFinished = null;
let prevSampleAt = performance.now();
const runStart = performance.now();
async function takeSample() {
  const now = performance.now();
  const seconds = (now - prevSampleAt) / 1000;
  prevSampleAt = now;
  const w = win;
  win = fresh();
  const eventsWindow = ws.eventsWindow;
  ws.eventsWindow = 0;
  const [apiM, workerM, d, r, sinkStats] = await Promise.all([
    scrape(`${base}/metrics`),
    scrape(`http://127.0.0.1:${workerMetricsPort}/metrics`),
    dbSample().catch((e) => ({ error: e.message })),
    redisSample(),
    fetch(`${sinkUrl}/__stats`).then((x) => x.json()).catch(() => null),
  ]);
  const cpuNow = { machine: machineCpu(), api: cpuSeconds(api.pid), worker: cpuSeconds(worker.pid) };
  const dTotal = cpuNow.machine.total - prevCpu.machine.total || 1;
  const cpu = {
    api: round(((cpuNow.api - prevCpu.api) / seconds) * 100),
    worker: round(((cpuNow.worker - prevCpu.worker) / seconds) * 100),
    machineBusy: round((1 - (cpuNow.machine.idle - prevCpu.machine.idle) / dTotal) * 100),
    steal: round(((cpuNow.machine.steal - prevCpu.machine.steal) / dTotal) * 100),
  };
  prevCpu = cpuNow;
  const sinkTotal = sinkStats ? Object.values(sinkStats.byTag).reduce((a, b) => a + b, 0) : prevSinkTotal;
  const finished = finishedOf(workerM);
  const s = {
    t: round((now - runStart) / 1000, 1),
    at: new Date().toISOString(),
    rssMb: {
      api: round(memoryOf(api.pid).rss / MB),
      worker: round(memoryOf(worker.pid).rss / MB),
      sink: round(memoryOf(sink.pid).rss / MB),
      postgres: round(d.rss / MB),
      postgresPss: round(d.pss / MB),
      redis: round((r?.usedMemoryRss ?? NaN) / MB),
      soakDriver: round(process.memoryUsage().rss / MB),
    },
    cpuPercent: cpu,
    heapUsedMb: { api: round(lag(apiM)?.heapUsed / MB), worker: round(lag(workerM)?.heapUsed / MB) },
    eventLoopMs: { api: lag(apiM) && { p50: round(lag(apiM).p50, 2), p99: round(lag(apiM).p99, 2), max: round(lag(apiM).max, 2) }, worker: lag(workerM) && { p50: round(lag(workerM).p50, 2), p99: round(lag(workerM).p99, 2), max: round(lag(workerM).max, 2) } },
    db: d.error
      ? { error: d.error }
      : {
          databaseMb: round(d.databaseBytes / MB, 2),
          executionsTableMb: round((d.tables.executions?.table ?? NaN) / MB, 2),
          executionsIndexesMb: round((d.tables.executions?.indexes ?? NaN) / MB, 2),
          tables: Object.fromEntries(Object.entries(d.tables).map(([k, v]) => [k, { tableMb: round(v.table / MB, 3), indexesMb: round(v.indexes / MB, 3) }])),
          executions: d.executionsByStatus,
          executionsDeadTuples: d.executionsDead,
          autovacuums: d.autovacuums,
          backends: d.backends,
        },
    redisUsedMemoryMb: round((r?.usedMemory ?? NaN) / MB, 2),
    latencyMs: Object.fromEntries(cats.map((c) => [c, percentiles(w[c].lat)])),
    perSecond: {
      ...Object.fromEntries(cats.map((c) => [c, round(w[c].lat.length / seconds, 2)])),
      executionsFinished: finished !== null && prevFinished !== null ? round((finished - prevFinished) / seconds, 2) : null,
      sinkCalls: round((sinkTotal - prevSinkTotal) / seconds, 2),
      wsEvents: round(eventsWindow / seconds, 2),
    },
    errors: Object.fromEntries(cats.map((c) => [c, { status4xx: w[c].status4xx, status5xx: w[c].status5xx, network: w[c].netErrors, expected404: w[c].expected404 }])),
    ws: { connected: ws.connected, reconnects: ws.reconnects },
    inFlight,
    skipped,
    sinkInFlight: sinkStats?.inFlight ?? null,
  };
  prevSinkTotal = sinkTotal;
  if (finished !== null) prevFinished = finished;
  samples.push(s);
  const fmt = (v, d = 0) => (v === null || v === undefined ? '-' : Number(v).toFixed(d));
  const el = (x) => `${fmt(x?.p99, 1)}`;
  const mmss = (sec) => `${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;
  const errs = cats.reduce((a, c) => a + w[c].status4xx + w[c].status5xx + w[c].netErrors, 0);
  log(
    `${mmss(s.t)}/${mmss(DURATION_MS / 1000)} rss api ${fmt(s.rssMb.api)} worker ${fmt(s.rssMb.worker)} sink ${fmt(s.rssMb.sink)} pg ${fmt(s.rssMb.postgresPss)} redis ${fmt(s.rssMb.redis)} MB` +
      ` | loop p99 api ${el(s.eventLoopMs.api)} worker ${el(s.eventLoopMs.worker)} ms` +
      ` | db ${fmt(s.db.databaseMb, 1)} MB, executions ${fmt(s.db.executionsTableMb, 1)}+${fmt(s.db.executionsIndexesMb, 1)} MB ${s.db.executions ? Object.values(s.db.executions).reduce((a, b) => a + b, 0) : '-'} rows` +
      ` | webhook ${fmt(s.perSecond.webhook, 1)}/s p50/p99 ${fmt(s.latencyMs.webhook.p50, 1)}/${fmt(s.latencyMs.webhook.p99, 1)} ms, dashboard p99 ${fmt(s.latencyMs.dashboard.p99, 1)} ms` +
      ` | cpu api ${fmt(cpu.api)}% worker ${fmt(cpu.worker)}% machine ${fmt(cpu.machineBusy)}% steal ${fmt(cpu.steal)}%` +
      ` | done ${fmt(s.perSecond.executionsFinished, 1)}/s ws ${fmt(s.perSecond.wsEvents, 0)} ev/s | errors ${errs}`,
  );
}

log(
  `running ${DURATION_MS / 1000} s${SMOKE ? ' (smoke)' : ''}: ${WEBHOOK_RATE}/s async + ${SLOW_RATE}/s slow + ${SYNC_RATE}/s sync webhooks, ${DASHBOARD_RATE}/s dashboard calls, ` +
    `${WS_CLIENTS} WebSocket clients, 3 schedules; retention ${RETENTION} swept every ${RETENTION_SWEEP}; a sample every ${SAMPLE_MS / 1000} s` +
    (vacuumStandIn ? `; the server has autovacuum ${autovacuumOn ? 'on' : 'off'}: the soak runs VACUUM where autovacuum would (SOAK_VACUUM=${VACUUM_MODE})` : ''),
);
const loads = [
  steady(WEBHOOK_RATE, () => request('webhook', 'POST', `/api/webhooks/${wfAsync.id}`, { body: payload(), okStatus: [202] })),
  steady(SLOW_RATE, () => request('webhook', 'POST', `/api/webhooks/${wfSlow.id}`, { body: payload(), okStatus: [202] })),
  steady(SYNC_RATE, () => request('webhookSync', 'POST', `/api/webhooks/${wfSync.id}`, { body: payload(), okStatus: [200] })),
  steady(DASHBOARD_RATE, dashboardCall),
];
const runEnd = runStart + DURATION_MS;
let nextSample = runStart + SAMPLE_MS;
while (!fatal) {
  await sleep(Math.max(0, Math.min(nextSample, runEnd) - performance.now()));
  if (performance.now() >= nextSample - 5) {
    await takeSample();
    nextSample += SAMPLE_MS;
  }
  if (performance.now() >= runEnd - 5) break;
}
runOver = true;
for (const l of loads) l.stop();
if (vacuumTimer) {
  clearInterval(vacuumTimer);
  await vacuumTimer.closeVac();
}
// Let in-flight requests answer (sync webhooks and slow steps take seconds).
for (let i = 0; i < 100 && inFlight > 0; i++) await sleep(100);
const sinkFinal = await fetch(`${sinkUrl}/__stats`).then((x) => x.json()).catch(() => null);
const wsFinal = { ...ws, clients: WS_CLIENTS, stillConnected: ws.connected };
for (const s of sockets) s.close(1000);
await pool.close().catch(() => {});
const { rows: finalStatuses } = await db.query(`SELECT status, trigger_type AS trigger, count(*)::int AS n FROM executions GROUP BY 1, 2 ORDER BY 1, 2`).catch(() => ({ rows: [] }));
const apiPeak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${api.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const workerPeak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
await teardown();

// ---- results ---------------------------------------------------------------------------------------

const machine = {
  nproc: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGiB: round(os.totalmem() / 2 ** 30, 1),
  kernel: `${os.type()} ${os.release()}`,
  node: process.version,
  postgres: (await (async () => {
    const c = new pg.Client({ connectionString: pgServer.url });
    await c.connect();
    try {
      return (await c.query('SHOW server_version')).rows[0].server_version;
    } finally {
      await c.end();
    }
  })().catch(() => null)),
  redis: redis.url ? await redisCommand(redis.url, ['INFO', 'server']).then((i) => /redis_version:(\S+)/.exec(i)?.[1]).catch(() => null) : null,
};
const config = {
  smoke: SMOKE,
  durationSeconds: DURATION_MS / 1000,
  sampleSeconds: SAMPLE_MS / 1000,
  retention: RETENTION,
  retentionSweep: RETENTION_SWEEP,
  webhookPerSecond: WEBHOOK_RATE,
  slowWebhookPerSecond: SLOW_RATE,
  syncWebhookPerSecond: SYNC_RATE,
  dashboardPerSecond: DASHBOARD_RATE,
  wsClients: WS_CLIENTS,
  scheduleSeconds: SCHEDULE_SECONDS,
  workerConcurrency: Number(WORKER_CONCURRENCY),
  queueBackend: env.QUEUE_BACKEND,
  serverAutovacuum: autovacuumOn,
  vacuumStandIn,
};
const totalsOut = {
  requests: totals,
  skippedAtInFlightCap: skipped,
  sinkCallsByTag: sinkFinal?.byTag ?? null,
  ws: wsFinal,
  executionsLeftByStatus: finalStatuses,
  peakRssMb: { api: round(apiPeak), worker: round(workerPeak) },
  standInVacuums: vacuums,
  firstErrors,
  fatal,
};
const verdict = judge({ samples, totals: totalsOut, config, smoke: SMOKE });
const result = { startedAt: new Date(started).toISOString(), machine, config, thresholds: THRESHOLDS, totals: totalsOut, verdict, samples };

mkdirSync(OUT_DIR, { recursive: true });
const jsonPath = join(OUT_DIR, `${STAMP}.json`);
writeFileSync(jsonPath, JSON.stringify(result, null, 2));
const csvCols = [
  ['t', (s) => s.t],
  ['at', (s) => s.at],
  ...['api', 'worker', 'sink', 'postgres', 'postgresPss', 'redis', 'soakDriver'].map((k) => [`rss_${k}_mb`, (s) => s.rssMb[k]]),
  ...['api', 'worker', 'machineBusy', 'steal'].map((k) => [`cpu_${k}_percent`, (s) => s.cpuPercent[k]]),
  ['heap_api_mb', (s) => s.heapUsedMb.api],
  ['heap_worker_mb', (s) => s.heapUsedMb.worker],
  ...['api', 'worker'].flatMap((p) => ['p50', 'p99', 'max'].map((q) => [`loop_${p}_${q}_ms`, (s) => s.eventLoopMs[p]?.[q]])),
  ['db_mb', (s) => s.db.databaseMb],
  ['executions_table_mb', (s) => s.db.executionsTableMb],
  ['executions_indexes_mb', (s) => s.db.executionsIndexesMb],
  ['executions_rows', (s) => (s.db.executions ? Object.values(s.db.executions).reduce((a, b) => a + b, 0) : null)],
  ['executions_dead_tuples', (s) => s.db.executionsDeadTuples],
  ['redis_used_mb', (s) => s.redisUsedMemoryMb],
  ...cats.flatMap((c) => ['p50', 'p95', 'p99'].map((q) => [`${c}_${q}_ms`, (s) => s.latencyMs[c][q]])),
  ...cats.map((c) => [`${c}_per_s`, (s) => s.perSecond[c]]),
  ['executions_finished_per_s', (s) => s.perSecond.executionsFinished],
  ['ws_events_per_s', (s) => s.perSecond.wsEvents],
  ['ws_connected', (s) => s.ws.connected],
  ['errors_5xx', (s) => cats.reduce((a, c) => a + s.errors[c].status5xx, 0)],
  ['errors_other', (s) => cats.reduce((a, c) => a + s.errors[c].status4xx + s.errors[c].network, 0)],
];
writeFileSync(join(OUT_DIR, `${STAMP}.csv`), [csvCols.map((c) => c[0]).join(','), ...samples.map((s) => csvCols.map(([, f]) => f(s) ?? '').join(','))].join('\n') + '\n');
log(`samples: ${jsonPath} (and .csv)`);
let pngPath = null;
try {
  pngPath = await renderPng(result, join(OUT_DIR, `${STAMP}.png`));
  log(`plot: ${pngPath}`);
} catch (err) {
  verdict.checks.push({ name: 'plot rendered', ok: false, detail: err.message });
  verdict.ok = false;
}
if (pngPath) verdict.checks.push({ name: 'plot rendered', ok: true, detail: pngPath });
writeFileSync(jsonPath, JSON.stringify(result, null, 2));

const t = totals;
log(
  `totals: webhooks ${t.webhook.ok} accepted, sync ${t.webhookSync.ok} answered, dashboard ${t.dashboard.ok} ok (+${t.dashboard.expected404} expected 404); ` +
    `5xx ${cats.reduce((a, c) => a + t[c].status5xx, 0)}, 4xx ${cats.reduce((a, c) => a + t[c].status4xx, 0)}, network errors ${cats.reduce((a, c) => a + t[c].netErrors, 0)}; ` +
    `ws events ${ws.events}, reconnects ${ws.reconnects}; sink calls ${JSON.stringify(sinkFinal?.byTag ?? {})}`,
);
for (const c of verdict.checks) log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
log(verdict.ok ? `verdict: PASS${SMOKE ? ' (smoke: flatness not judged)' : ''}` : 'verdict: FAIL');
process.exit(verdict.ok ? 0 : 1);
