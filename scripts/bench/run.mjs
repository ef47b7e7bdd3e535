// `make bench`: measures the platform on this machine and prints JSON.
//   1. ingest: webhook req/s and latency at 50 connections (api accepting: row inserted + job queued);
//   2. end to end: 5,000 webhooks, each rendering a template and posting to a mock Slack on loopback;
//      executions/s until the last message arrives, and webhook-to-Slack latency;
//   3. latency at a steady 1,000 webhooks/s: webhook-to-Slack p50/p99;
//   4. peak RSS of the api and the worker; CPU per accepted webhook (api) and per execution (worker).
// Run for each queue backend (BENCH_BACKENDS=redis,postgres). Every execution is persisted.
// Load comes from wrk (C, one thread; installed from Debian's packages when missing and we are
// root) so the generator takes as little as possible of the cores it shares with what it measures;
// without wrk, a Node closed loop (undici) does the same job at a higher CPU cost. Process, /proc and
// wrk helpers are shared with engine-v2.mjs in harness.mjs (BENCH_NODE_ARGS: flags for the api and worker).
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import pg from 'pg';
import { Pool } from 'undici';
import { ensurePostgres, ensureRedis, ROOT } from '../lib/services.mjs';
import { apiCall } from '../lib/api.mjs';
import { cpuCalibrationMs, cpuMs, cpuTimes, DIST, findWrk, freshDatabase, log, peakRssMb, percentile, runWrk, sleep, startProcess, waitHttp } from './harness.mjs';

const BACKENDS = (process.env.BENCH_BACKENDS ?? 'redis,postgres').split(',').filter(Boolean);
const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const E2E_COUNT = Number(process.env.BENCH_E2E_COUNT ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);
const CONNECTIONS = 50;
const WORKER_CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ?? '100';
// Another build to measure (an A/B against a checkout of an older commit): its backend/dist.

/** The mock Slack: answers `ok` like Slack's incoming webhooks and notes when each message arrived. */
function startSlackSink() {
  const arrivals = new Map();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const m = /\[(\d+)\|(\d+(?:\.\d+)?)\]/.exec(body);
      if (m) arrivals.set(Number(m[1]), { sentAt: Number(m[2]), at: performance.timeOrigin + performance.now() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, arrivals, port: server.address().port })));
}


/** Closed loop: `connections` in flight until `shouldStop`; returns per-request latencies. */
async function closedLoop(pool, path, connections, makeBody, shouldStop) {
  const latencies = [];
  let errors = 0;
  let seq = 0;
  const lanes = Array.from({ length: connections }, async () => {
    while (!shouldStop(seq)) {
      const n = seq++;
      const t0 = performance.now();
      try {
        const { statusCode, body } = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: makeBody(n) });
        await body.dump();
        if (statusCode === 202) latencies.push(performance.now() - t0);
        else errors++;
      } catch {
        errors++;
      }
    }
  });
  await Promise.all(lanes);
  return { latencies, errors, sent: seq };
}

async function countExecutions(dbUrl, statuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled']) {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM executions WHERE status = ANY($1)`, [statuses]);
    return rows[0].n;
  } finally {
    await c.end();
  }
}

/**
 * PostgreSQL's work so far, machine-wide: WAL bytes written and transactions committed (every
 * database: the queue's own tables too on the PostgreSQL backend). Their differences over a phase,
 * per execution, do not drift with the machine's speed as times do.
 */
async function pgWork(dbUrl) {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    // Counters are flushed to shared memory about every second: wait that long so the phase's commits show.
    await sleep(1100);
    const { rows } = await c.query(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS wal, (SELECT sum(xact_commit)::bigint FROM pg_stat_database) AS commits`,
    );
    return { wal: Number(rows[0].wal), commits: Number(rows[0].commits) };
  } finally {
    await c.end();
  }
}

/** Redis commands served so far (INFO commandstats), by command, over a plain socket. */
function redisCalls(redisUrl) {
  const u = new URL(redisUrl);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    let buf = '';
    s.on('error', reject);
    s.on('connect', () => s.write('INFO commandstats\r\n'));
    s.on('data', (d) => {
      buf += d.toString();
      const m = /^\$(\d+)\r\n/.exec(buf);
      if (!m || Buffer.byteLength(buf) < m[0].length + Number(m[1])) return;
      s.destroy();
      const calls = {};
      for (const line of buf.split('\r\n')) {
        const c = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
        if (c) calls[c[1]] = Number(c[2]);
      }
      resolve(calls);
    });
  });
}

async function benchBackend(backend, pgServerUrl, redisUrl, wrk) {
  const dbName = `tributary_bench_${backend}`;
  const dbUrl = await freshDatabase(pgServerUrl, dbName);
  const sink = await startSlackSink();
  const port = 18080 + BACKENDS.indexOf(backend);
  const env = {
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123456789',
    ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    PORT: String(port),
    DATABASE_URL: dbUrl,
    DATABASE_POOL_SIZE: '20',
    QUEUE_BACKEND: backend,
    ...(backend === 'redis' ? { REDIS_URL: redisUrl, REDIS_PREFIX: `bench${Date.now()}` } : {}),
    LOG_LEVEL: 'warn',
    ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000000',
    WORKER_CONCURRENCY,
  };
  const apiProc = startProcess('api', 'main.js', env);
  const base = `http://127.0.0.1:${port}`;
  let workerProc;
  try {
    await waitHttp(`${base}/health`);
    const { token } = await apiCall(base, 'POST', '/api/auth/register', undefined, { email: `bench-${backend}@example.com`, password: 'password123' });
    const cred = await apiCall(base, 'POST', '/api/credentials', token, { connector: 'slack', name: 'sink', data: { webhookUrl: `http://127.0.0.1:${sink.port}/services/T0/B0/bench` } });
    const wf = await apiCall(base, 'POST', '/api/workflows', token, {
      name: 'bench: webhook to Slack',
      trigger: { type: 'webhook' },
      steps: [{ id: 'notify', connector: 'slack', action: 'send_message', credentialId: cred.id, input: { text: 'Hello {{user.name}}! Order #{{order.id}} [{{seq}}|{{sentAt}}]' }, retry: { attempts: 1, backoffMs: 0 } }],
    });
    const path = `/api/webhooks/${wf.id}`;
    const pool = new Pool(base, { connections: CONNECTIONS, pipelining: 1 });
    const body = (n, sentAt = 0) => JSON.stringify({ user: { name: 'Alex' }, order: { id: n }, seq: n, sentAt });

    // 1. Ingest, with no worker running: what the api alone accepts and persists.
    log(`${backend}: ingest for ${INGEST_SECONDS} s at ${CONNECTIONS} connections (${wrk ? 'wrk' : 'node'})`);
    let ingest;
    let apiCpu0;
    if (wrk) {
      await runWrk(wrk, base + path, { maxSeconds: 2, connections: CONNECTIONS, seqStart: 200_000_000 }).result; // warm-up
      apiCpu0 = cpuMs(apiProc.pid);
      const r = await runWrk(wrk, base + path, { maxSeconds: INGEST_SECONDS, connections: CONNECTIONS, seqStart: 100_000_000 }).result;
      const accepted = r.requests - r.non2xx;
      ingest = { seconds: r.durationUs / 1e6, accepted, errors: r.non2xx + r.socketErrors, p50: r.latencyUs.p50 / 1000, p99: r.latencyUs.p99 / 1000 };
    } else {
      await closedLoop(pool, path, CONNECTIONS, (n) => body(-1 - n), (n) => n >= 500); // warm-up
      apiCpu0 = cpuMs(apiProc.pid);
      const t0 = performance.now();
      const until = t0 + INGEST_SECONDS * 1000;
      const r = await closedLoop(pool, path, CONNECTIONS, (n) => body(-1 - n), () => performance.now() >= until);
      r.latencies.sort((a, b) => a - b);
      ingest = { seconds: (performance.now() - t0) / 1000, accepted: r.latencies.length, errors: r.errors, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99) };
    }

    // What accepting one webhook costs the api (CPU per webhook; the rest of the machine is shared).
    const apiCpuUsPerWebhook = Math.round(((cpuMs(apiProc.pid) - apiCpu0) * 1000) / ingest.accepted);

    // Drain that backlog with the worker before the end-to-end phase.
    const backlog = await countExecutions(dbUrl);
    const pgBefore = await pgWork(dbUrl);
    const redisBefore = backend === 'redis' ? await redisCalls(redisUrl) : undefined;
    workerProc = startProcess('worker', 'worker.js', env);
    const drainStart = performance.now();
    // Worker CPU per execution, counted from its first finished execution (not its start-up).
    let workerCpu0;
    for (;;) {
      const done = await countExecutions(dbUrl, ['succeeded', 'failed']);
      if (!workerCpu0 && done > 0) workerCpu0 = { ms: cpuMs(workerProc.pid), done };
      if (done >= backlog) break;
      if (performance.now() - drainStart > 600_000) throw new Error(`backlog did not drain: ${done}/${backlog}`);
      await sleep(500);
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    const pgAfter = await pgWork(dbUrl);
    let redisPerExecution;
    if (redisBefore) {
      const after = await redisCalls(redisUrl);
      const total = (calls) => Object.values(calls).reduce((a, b) => a + b, 0);
      redisPerExecution = { commands: Math.round(((total(after) - total(redisBefore)) / backlog) * 1000) / 1000 };
      for (const [cmd, n] of Object.entries(after)) {
        const per = (n - (redisBefore[cmd] ?? 0)) / backlog;
        if (per >= 0.01) redisPerExecution[cmd] = Math.round(per * 1000) / 1000;
      }
    }
    const postgresPerExecution = {
      walBytes: Math.round((pgAfter.wal - pgBefore.wal) / backlog),
      commits: Math.round(((pgAfter.commits - pgBefore.commits) / backlog) * 1000) / 1000,
    };
    const workerCpuUsPerExecution = Math.round(((cpuMs(workerProc.pid) - workerCpu0.ms) * 1000) / Math.max(1, backlog - workerCpu0.done));
    log(`${backend}: drained ${backlog} in ${drainSeconds.toFixed(1)} s`);
    sink.arrivals.clear();

    // 2. End to end: E2E_COUNT webhooks as fast as 50 connections send them.
    log(`${backend}: end to end, ${E2E_COUNT} webhooks`);
    const e2eStart = performance.timeOrigin + performance.now();
    let e2eLoad;
    if (wrk) {
      e2eLoad = runWrk(wrk, base + path, { maxSeconds: 600, connections: CONNECTIONS, count: E2E_COUNT, seqStart: 0 });
      e2eLoad.result.catch(() => undefined);
    } else {
      await closedLoop(pool, path, CONNECTIONS, (n) => body(n, performance.timeOrigin + performance.now()), (n) => n >= E2E_COUNT);
    }
    const deadline = Date.now() + 300_000;
    while (sink.arrivals.size < E2E_COUNT && Date.now() < deadline) await sleep(50);
    e2eLoad?.stop();
    const arrivals = [...sink.arrivals.values()];
    const lastArrival = Math.max(...arrivals.map((a) => a.at));
    const e2eSeconds = (lastArrival - e2eStart) / 1000;
    const e2eLatencies = arrivals.map((a) => a.at - a.sentAt).sort((a, b) => a - b);
    sink.arrivals.clear();

    // 3. Steady 1,000 webhooks/s: open loop, webhook-to-Slack latency.
    log(`${backend}: ${RATE} webhooks/s for ${RATE_SECONDS} s`);
    const total = RATE * RATE_SECONDS;
    const offset = 10_000_000;
    const rateStart = performance.now();
    const inflight = [];
    for (let i = 0; i < total; i++) {
      const due = rateStart + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      inflight.push(
        pool
          .request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: body(offset + i, performance.timeOrigin + performance.now()) })
          .then((r) => r.body.dump())
          .catch(() => undefined),
      );
    }
    await Promise.all(inflight);
    const rateDeadline = Date.now() + 120_000;
    while (sink.arrivals.size < total && Date.now() < rateDeadline) await sleep(50);
    const rateLatencies = [...sink.arrivals.values()].map((a) => a.at - a.sentAt).sort((a, b) => a - b);
    const achievedRate = total / ((performance.now() - rateStart) / 1000);
    await pool.close();

    const persisted = await countExecutions(dbUrl, ['succeeded', 'failed', 'queued', 'running']);
    return {
      backend,
      ingest: {
        loadGenerator: wrk ? 'wrk' : 'node',
        connections: CONNECTIONS,
        seconds: Math.round(ingest.seconds * 10) / 10,
        accepted: ingest.accepted,
        errors: ingest.errors,
        reqPerSec: Math.round(ingest.accepted / ingest.seconds),
        latencyMs: { p50: ingest.p50, p99: ingest.p99 },
        apiCpuUsPerWebhook,
      },
      backlogDrain: { executions: backlog, seconds: Math.round(drainSeconds * 10) / 10, executionsPerSec: Math.round(backlog / drainSeconds), workerCpuUsPerExecution, postgresPerExecution, redisPerExecution },
      endToEnd: {
        webhooks: E2E_COUNT,
        delivered: arrivals.length,
        seconds: Math.round(e2eSeconds * 100) / 100,
        executionsPerSec: Math.round(arrivals.length / e2eSeconds),
        webhookToConnectorMs: { p50: percentile(e2eLatencies, 50), p99: percentile(e2eLatencies, 99) },
      },
      steadyRate: {
        targetPerSec: RATE,
        achievedPerSec: Math.round(achievedRate),
        delivered: rateLatencies.length,
        webhookToConnectorMs: { p50: percentile(rateLatencies, 50), p99: percentile(rateLatencies, 99) },
      },
      peakRssMb: { api: peakRssMb(apiProc.pid), worker: peakRssMb(workerProc.pid) },
      executionsPersisted: persisted,
    };
  } finally {
    workerProc?.kill('SIGTERM');
    apiProc.kill('SIGTERM');
    await sleep(500);
    sink.server.close();
  }
}

const calibrationMs = cpuCalibrationMs();
const wrk = findWrk();
const pgInfo = await ensurePostgres({ database: 'postgres' });
const redis = await ensureRedis();
const results = [];
for (const backend of BACKENDS) {
  if (backend === 'redis' && !redis.url) {
    log('no Redis: skipping the Redis backend');
    continue;
  }
  const before = cpuTimes();
  const r = await benchBackend(backend, pgInfo.url, redis.url, wrk);
  const after = cpuTimes();
  const total = after.total - before.total;
  // Steal: CPU the hypervisor gave to other guests; high steal means the numbers understate the code.
  r.cpu = { busyPercent: Math.round((1 - (after.idle - before.idle) / total) * 100), stealPercent: Math.round(((after.steal - before.steal) / total) * 100) };
  results.push(r);
}
const cpu = os.cpus();
console.log(
  JSON.stringify(
    {
      machine: { cpus: cpu.length, model: cpu[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres: pgInfo.how, redis: redis.how, cpuCalibrationMs: calibrationMs },
      loadGenerator: wrk ? 'wrk (one thread)' : 'node (undici closed loop)',
      workerConcurrency: Number(WORKER_CONCURRENCY),
      results,
    },
    null,
    2,
  ),
);
process.exit(0);
