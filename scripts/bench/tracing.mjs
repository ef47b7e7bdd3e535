// What tracing costs: the ingest phase of run.mjs (webhooks/s, latency and api CPU per webhook at 50
// connections, the api alone) and the worker's CPU per execution while it drains what was accepted
// (each execution a template step and an HTTP POST to a loopback endpoint: three spans and the run's),
// for builds and settings run back to back and interleaved, so that their comparison holds on a
// machine whose load drifts. Prints JSON: every run, then the median of each variant.
//
//   BENCH_VARIANTS  name=<backend dist>[+otel],…   default `off=backend/dist,on=backend/dist+otel`;
//                   `+otel` sets OTEL_EXPORTER_OTLP_ENDPOINT to a loopback receiver in this process
//                   that reads and discards every export (the cost of making and exporting spans,
//                   not of a collector). An A/B against an older build: `before=/path/to/old/dist,…`
//   BENCH_ROUNDS    rounds of every variant (default 3)   BENCH_INGEST_SECONDS (default 10)
//   BENCH_DRAIN_SECONDS how long the worker's CPU per execution is measured (default 15)
//
// Redis queue backend only (production's). Databases tributary_bench_tracing_<variant>, api port 18090.
import http from 'node:http';
import pg from 'pg';
import { ensurePostgres, ensureRedis, ROOT } from '../lib/services.mjs';
import { apiCall } from '../lib/api.mjs';
import { cpuMs, findWrk, freshDatabase, log, runWrk, sleep, startProcess, stopProcess, waitHttp } from './harness.mjs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const VARIANTS = (process.env.BENCH_VARIANTS ?? `off=${join(ROOT, 'backend/dist')},on=${join(ROOT, 'backend/dist')}+otel`).split(',').map((v) => {
  const [name, rest] = v.split('=');
  return { name, dist: rest.replace(/\+otel$/, ''), otel: rest.endsWith('+otel') };
});
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 15);
const CONNECTIONS = 50;
const PORT = 18090;

function start(name, dist, entry, env) {
  const child = spawn(process.execPath, [join(dist, entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  return child;
}

/** The mock HTTP endpoint the workflow posts to. */
function listen(handler) {
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (d) => (bytes += d.length));
    req.on('end', () => handler(req, res, bytes));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port })));
}

async function count(dbUrl, statuses) {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    return (await c.query(`SELECT count(*)::int AS n FROM executions WHERE status = ANY($1)`, [statuses])).rows[0].n;
  } finally {
    await c.end();
  }
}

async function runOnce(variant, round, pgServerUrl, redisUrl, wrk, receiver, sink) {
  const dbName = `tributary_bench_tracing_${variant.name.replace(/\W/g, '_')}`;
  const dbUrl = await freshDatabase(pgServerUrl, dbName);
  const env = {
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123456789',
    ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    PORT: String(PORT),
    DATABASE_URL: dbUrl,
    DATABASE_POOL_SIZE: '20',
    QUEUE_BACKEND: 'redis',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `benchtr${Date.now()}`,
    LOG_LEVEL: 'warn',
    ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000000',
    WORKER_CONCURRENCY: '100',
    WORKER_METRICS_PORT: '0',
    ...(variant.otel ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}` } : {}),
  };
  const load0 = (await import('node:os')).loadavg()[0];
  const api = start(`api ${variant.name}`, variant.dist, 'main.js', env);
  let worker;
  try {
    const base = `http://127.0.0.1:${PORT}`;
    await waitHttp(`${base}/health`);
    const { token } = await apiCall(base, 'POST', '/api/auth/register', undefined, { email: `bench-${round}@example.com`, password: 'password123' });
    // The generic HTTP connector with a bearer credential (run.mjs's Slack connector is limited to one message a second per credential).
    const cred = await apiCall(base, 'POST', '/api/credentials', token, { connector: 'http', name: 'sink', data: { type: 'bearer', token: 'bench-token' } });
    const wf = await apiCall(base, 'POST', '/api/workflows', token, {
      name: 'bench: webhook to an HTTP endpoint',
      trigger: { type: 'webhook' },
      steps: [
        { id: 'greet', connector: 'core', action: 'transform', input: { value: { text: 'Hello {{user.name}}! Order #{{order.id}}' } } },
        { id: 'post', connector: 'http', action: 'request', credentialId: cred.id, input: { method: 'POST', url: `http://127.0.0.1:${sink.port}/orders`, body: { text: '{{steps.greet.text}}', seq: '{{seq}}' } }, retry: { attempts: 1, backoffMs: 0 } },
      ],
    });
    const url = `${base}/api/webhooks/${wf.id}`;
    // 1. Ingest, the api alone (as run.mjs).
    await runWrk(wrk, url, { maxSeconds: 2, connections: CONNECTIONS, seqStart: 200_000_000 }).result; // warm-up
    const cpu0 = cpuMs(api.pid);
    const r = await runWrk(wrk, url, { maxSeconds: INGEST_SECONDS, connections: CONNECTIONS, seqStart: 100_000_000 }).result;
    const accepted = r.requests - r.non2xx;
    const ingest = {
      perSecond: Math.round(accepted / (r.durationUs / 1e6)),
      p50Ms: r.latencyUs.p50 / 1000,
      p99Ms: r.latencyUs.p99 / 1000,
      errors: r.non2xx + r.socketErrors,
      apiCpuUsPerWebhook: Math.round(((cpuMs(api.pid) - cpu0) * 1000) / accepted),
    };
    // 2. The worker drains the backlog: its CPU per execution over DRAIN_SECONDS, from its first finished one.
    worker = start(`worker ${variant.name}`, variant.dist, 'worker.js', env);
    let first;
    const until = Date.now() + 60_000;
    while (!first && Date.now() < until) {
      const done = await count(dbUrl, ['succeeded', 'failed']);
      if (done > 0) first = { done, cpu: cpuMs(worker.pid), at: performance.now() };
      else await sleep(200);
    }
    await sleep(DRAIN_SECONDS * 1000);
    const done = await count(dbUrl, ['succeeded', 'failed']);
    const failed = await count(dbUrl, ['failed']);
    const acceptedTotal = await count(dbUrl, ['queued', 'running', 'succeeded', 'failed']);
    const ran = done - first.done;
    const drain = {
      executionsPerSecond: Math.round(ran / ((performance.now() - first.at) / 1000)),
      workerCpuUsPerExecution: Math.round(((cpuMs(worker.pid) - first.cpu) * 1000) / Math.max(1, ran)),
      failed,
    };
    const result = { variant: variant.name, round, load1: Math.round(load0 * 10) / 10, ingest, drain };
    return { result, acceptedTotal };
  } finally {
    await stopProcess(worker);
    await stopProcess(api);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const wrk = findWrk();
if (!wrk) throw new Error('this bench needs wrk (apt-get install wrk)');
const server = await ensurePostgres({ database: 'postgres' });
const redis = await ensureRedis();
if (!redis?.url) throw new Error('this bench needs Redis');
/** What the receiver got during the current run: export requests, bytes and spans (each has one `"spanId":"`). */
let received = { requests: 0, bytes: 0, spans: 0 };
const receiver = await new Promise((resolve) => {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let spans = 0;
      for (let i = body.indexOf('"spanId":"'); i >= 0; i = body.indexOf('"spanId":"', i + 10)) spans++;
      received = { requests: received.requests + 1, bytes: received.bytes + body.length, spans: received.spans + spans };
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port }));
});
const sink = await listen((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
const runs = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of VARIANTS) {
      log(`round ${round}: ${v.name}`);
      received = { requests: 0, bytes: 0, spans: 0 };
      const { result: r, acceptedTotal } = await runOnce(v, round, server.url, redis.url, wrk, receiver, sink);
      // Spans made: a webhook.accept per accepted webhook, and an execution.run, two steps and an HTTP call per finished execution
      // (runs cut off by the stop excepted); the BatchSpanProcessor drops what overflows its queue (OTEL_BSP_MAX_QUEUE_SIZE).
      if (v.otel) r.otlp = { ...received, spansPerAcceptedWebhook: Math.round((received.spans / acceptedTotal) * 100) / 100 };
      log(JSON.stringify(r));
      runs.push(r);
    }
  }
} finally {
  receiver.server.close();
  sink.server.close();
  await server.stop?.();
}
const medians = Object.fromEntries(
  VARIANTS.map((v) => {
    const mine = runs.filter((r) => r.variant === v.name);
    return [
      v.name,
      {
        webhooksPerSecond: median(mine.map((r) => r.ingest.perSecond)),
        p50Ms: median(mine.map((r) => r.ingest.p50Ms)),
        p99Ms: median(mine.map((r) => r.ingest.p99Ms)),
        apiCpuUsPerWebhook: median(mine.map((r) => r.ingest.apiCpuUsPerWebhook)),
        executionsPerSecond: median(mine.map((r) => r.drain.executionsPerSecond)),
        workerCpuUsPerExecution: median(mine.map((r) => r.drain.workerCpuUsPerExecution)),
      },
    ];
  }),
);
console.log(JSON.stringify({ config: { rounds: ROUNDS, ingestSeconds: INGEST_SECONDS, drainSeconds: DRAIN_SECONDS, connections: CONNECTIONS }, runs, medians }, null, 2));
