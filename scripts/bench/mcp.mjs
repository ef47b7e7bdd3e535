// MCP tool call round trip: `node scripts/bench/mcp.mjs` starts the real api and one worker from
// backend/dist (BENCH_DIST for another build) on a fresh database, registers a tenant, creates a
// write-scoped API key and a 1-step tool workflow (a core transform of the arguments), and connects
// the MCP SDK's own client (Streamable HTTP) to /mcp. Then, per queue backend (BENCH_MCP_BACKENDS,
// default `redis,postgres`: Redis pub/sub and BullMQ on Redis; or PostgreSQL LISTEN/NOTIFY and BullMQ's
// PostgreSQL queue, the zero-install mode):
//   1. warm-up: BENCH_MCP_WARMUP (100) calls, not measured;
//   2. sequential: BENCH_MCP_COUNT (500) `tools/call`s one after the other from one session, each
//      answered with the run's output (checked): p50/p90/p99 ms, calls/s, api and worker CPU per call (/proc);
//   3. concurrent: BENCH_MCP_CONCURRENCY (8) sessions calling at once, BENCH_MCP_CONCURRENT_COUNT (800) calls in all;
//   4. `tools/list`: BENCH_MCP_LIST_COUNT (300) sequential lists (the cached tool list, no run);
//   5. for comparison, what a client polling every 100 ms would see: BENCH_MCP_POLL_COUNT (100) runs
//      through the REST API (POST /api/workflows/:id/run, then GET /api/executions/:id every 100 ms).
// CPU per call is also given above the processes' idle CPU (measured for 3 s with the sessions open:
// timers, lease renewals, BullMQ's own polling), which is what the calls themselves cost.
// Prints one JSON object on stdout.
import os from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { apiCall } from '../lib/api.mjs';
import { ensurePostgres, ensureRedis } from '../lib/services.mjs';
import { cpuCalibrationMs, cpuMs, freshDatabase, log, round, startProcess, stopProcess, summary, waitHttp } from './harness.mjs';

const BACKENDS = (process.env.BENCH_MCP_BACKENDS ?? 'redis,postgres').split(',').map((s) => s.trim()).filter(Boolean);
const WARMUP = Number(process.env.BENCH_MCP_WARMUP ?? 100);
const COUNT = Number(process.env.BENCH_MCP_COUNT ?? 500);
const CONCURRENCY = Number(process.env.BENCH_MCP_CONCURRENCY ?? 8);
const CONCURRENT_COUNT = Number(process.env.BENCH_MCP_CONCURRENT_COUNT ?? 800);
const LIST_COUNT = Number(process.env.BENCH_MCP_LIST_COUNT ?? 300);
const POLL_COUNT = Number(process.env.BENCH_MCP_POLL_COUNT ?? 100);
const IDLE_MS = 3000;
const PORT = Number(process.env.BENCH_MCP_PORT ?? 18310);

async function connect(base, key) {
  const client = new Client({ name: 'tributary-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

let seq = 0;
/** One call, its output checked; answers its latency (ms). */
async function call(client) {
  const n = ++seq;
  const t0 = performance.now();
  const r = await client.callTool({ name: 'greet', arguments: { name: 'Ada', n } });
  const ms = performance.now() - t0;
  if (r.isError || r.structuredContent?.n !== n) throw new Error(`call ${n} answered ${JSON.stringify(r).slice(0, 300)}`);
  return ms;
}

/** CPU ms per second each process uses doing nothing (sessions open, no call). */
async function idleCpu(procs) {
  const c0 = procs.map((p) => cpuMs(p.pid));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const wall = performance.now() - t0;
  return procs.map((p, i) => (cpuMs(p.pid) - c0[i]) / (wall / 1000));
}

/** `count` calls from `clients` (one in flight per client): latencies, calls/s, api and worker CPU per call (raw, and above idle). */
async function measure(clients, count, procs, idle = [0, 0]) {
  const latencies = [];
  let left = count;
  const c0 = procs.map((p) => cpuMs(p.pid));
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (left > 0) {
        left--;
        latencies.push(await call(client));
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const [apiCpu, workerCpu] = procs.map((p, i) => cpuMs(p.pid) - c0[i]);
  const s = summary(latencies);
  const above = (cpu, perSecond) => round(((cpu - (perSecond * wallMs) / 1000) / s.n) * 1000, 0);
  return {
    ...s,
    callsPerSecond: round((s.n / wallMs) * 1000, 0),
    apiCpuMicrosPerCall: round((apiCpu / s.n) * 1000, 0),
    workerCpuMicrosPerCall: round((workerCpu / s.n) * 1000, 0),
    apiCpuMicrosPerCallAboveIdle: above(apiCpu, idle[0]),
    workerCpuMicrosPerCallAboveIdle: above(workerCpu, idle[1]),
  };
}

/** A REST client's round trip when it polls: run, then GET the execution every 100 ms until it has finished. */
async function restPolling(base, token, workflowId, count) {
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const { executionId } = await apiCall(base, 'POST', `/api/workflows/${workflowId}/run`, token, { payload: { name: 'Ada', n: i } });
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const e = await apiCall(base, 'GET', `/api/executions/${executionId}`, token);
      if (e.status === 'succeeded') break;
      if (e.status === 'failed' || e.status === 'cancelled') throw new Error(`run ${executionId} ${e.status}`);
    }
    latencies.push(performance.now() - t0);
  }
  return summary(latencies);
}

async function runBackend(backend, index, pgInfo, redis) {
  if (backend === 'redis' && !redis.url) throw new Error('BENCH_MCP_BACKENDS has redis but no Redis answers');
  const port = PORT + index;
  const base = `http://127.0.0.1:${port}`;
  const metricsPort = 19480 + index;
  const env = {
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123456789',
    ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: base,
    DATABASE_URL: await freshDatabase(pgInfo.url, `tributary_bench_mcp_${backend}`),
    DATABASE_POOL_SIZE: '20',
    QUEUE_BACKEND: backend,
    ...(backend === 'redis' ? { REDIS_URL: redis.url, REDIS_PREFIX: `benchmcp${Date.now()}` } : {}),
    LOG_LEVEL: 'warn',
    API_RATE_LIMIT_PER_MINUTE: '100000000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    MCP_RATE_LIMIT_PER_MINUTE: '100000000',
    WORKER_CONCURRENCY: '100',
    WORKER_METRICS_PORT: String(metricsPort),
  };
  log(`${backend}: starting the api on ${base} and a worker`);
  const api = startProcess('api', 'main.js', env);
  let worker;
  const clients = [];
  try {
    await waitHttp(`${base}/health`);
    worker = startProcess('worker', 'worker.js', env);
    await waitHttp(`http://127.0.0.1:${metricsPort}/health`);
    const { token } = await apiCall(base, 'POST', '/api/auth/register', undefined, { email: `bench-mcp-${backend}-${Date.now()}@example.com`, password: 'password123' });
    const { key } = await apiCall(base, 'POST', '/api/api-keys', token, { name: 'bench', scope: 'write' });
    const wf = await apiCall(base, 'POST', '/api/workflows', token, {
      name: 'greet',
      trigger: { type: 'manual' },
      steps: [{ id: 'greet', connector: 'core', action: 'transform', input: { value: { greeting: 'Hello {{name}}', n: '{{n}}' } } }],
      inputSchema: { type: 'object', properties: { name: { type: 'string' }, n: { type: 'integer' } }, required: ['name', 'n'] },
      tool: { name: 'greet', description: 'Greets someone' },
    });
    for (let i = 0; i < Math.max(CONCURRENCY, 1); i++) clients.push(await connect(base, key));
    const procs = [api, worker];

    log(`${backend}: warming up (${WARMUP} calls)`);
    await measure(clients.slice(0, 1), WARMUP, procs);
    await measure(clients, Math.min(WARMUP, CONCURRENT_COUNT), procs);
    const idle = await idleCpu(procs);
    log(`${backend}: ${COUNT} sequential calls`);
    const sequential = await measure(clients.slice(0, 1), COUNT, procs, idle);
    log(`${backend}: ${CONCURRENT_COUNT} calls from ${CONCURRENCY} sessions at once`);
    const concurrent = await measure(clients, CONCURRENT_COUNT, procs, idle);
    log(`${backend}: ${LIST_COUNT} tools/list`);
    const lists = [];
    const c0 = cpuMs(api.pid);
    for (let i = 0; i < LIST_COUNT; i++) {
      const t0 = performance.now();
      const { tools } = await clients[0].listTools();
      lists.push(performance.now() - t0);
      if (tools.length !== 2) throw new Error(`tools/list answered ${tools.length} tools`);
    }
    const list = { ...summary(lists), apiCpuMicrosPerList: round(((cpuMs(api.pid) - c0) / LIST_COUNT) * 1000, 0) };
    log(`${backend}: ${POLL_COUNT} REST runs polled every 100 ms, for comparison`);
    const restPoll100ms = POLL_COUNT > 0 ? await restPolling(base, token, wf.id, POLL_COUNT) : null;
    return {
      idleCpuMsPerSecond: { api: round(idle[0]), worker: round(idle[1]) },
      sequential,
      concurrent: { sessions: CONCURRENCY, ...concurrent },
      toolsList: list,
      restPoll100ms,
    };
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopProcess(worker);
    await stopProcess(api);
  }
}

const calibrationMs = cpuCalibrationMs();
const pgInfo = await ensurePostgres({ database: 'postgres' });
const redis = await ensureRedis();
const results = {};
for (const [i, backend] of BACKENDS.entries()) results[backend] = await runBackend(backend, i, pgInfo, redis);
const cpus = os.cpus();
console.log(
  JSON.stringify(
    {
      benchmark: 'MCP tool call -> workflow result round trip (scripts/bench/mcp.mjs)',
      host: { cpus: cpus.length, model: cpus[0]?.model, node: process.version, postgres: pgInfo.how, redis: redis.how, cpuCalibrationMs: calibrationMs, loadAverage: os.loadavg().map((x) => round(x, 2)) },
      config: { workflow: '1 step (core transform of the arguments)', warmup: WARMUP, sequential: COUNT, concurrent: CONCURRENT_COUNT, sessions: CONCURRENCY, toolsList: LIST_COUNT, restPolled: POLL_COUNT },
      results,
    },
    null,
    2,
  ),
);
