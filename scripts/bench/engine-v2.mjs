// Engine v2 benchmark: `node scripts/bench/engine-v2.mjs` starts the real api and worker from
// backend/dist (BENCH_DIST for another build) on a fresh database per queue backend
// (BENCH_BACKENDS=redis,postgres), with a private Redis prefix and a local HTTP sink, runs the phases
// below, prints one JSON object on stdout (progress on stderr). Every number is measured here.
//
//   five_step       N (3,000) webhooks of a 5-step workflow (condition with a transform in its
//                   branch, transform, two HTTP POSTs, parallel block of a transform and a POST):
//                   executions/s from the first accept to the last finish (PostgreSQL's created_at
//                   and finished_at), worker CPU per execution and per step (/proc).
//   loop_100        M (200) executions of one `loop` block over 100 items, each an HTTP POST, at each
//                   concurrency of BENCH_V2_LOOP_CONCURRENCY (10,1), after a warm-up of W (20) executions
//                   of the same loop that are not counted: item steps/s, worker CPU per item.
//   waits_10k       10,000 executions parked on `wait for: duration` (BENCH_V2_WAIT_SECONDS, 30 s at
//                   full scale) then a transform recording {{$now}}: worker RSS before, when all are
//                   waiting, growth; resume lag = the next step's startedAt - the wait's due_at.
//   resume_latency  K (500) executions parked on `wait for: webhook` and K on `for: approval`, resumed
//                   at BENCH_V2_RESUME_RATE (100/s): next step's startedAt - the moment the resume or
//                   approve request was answered.
//   fair_share      tenant A floods 50,000 webhooks of a 1-step webhook → sink workflow with the worker
//                   stopped (all 50,000 queued); a worker starts, and while A's backlog drains, tenant
//                   B sends one webhook every 100 ms (100 of them) to its own: B's webhook→sink
//                   latency, A's backlog meanwhile; the same B alone first.
//
// BENCH_V2_WAITS_HEAP=1 adds the worker's live heap (heap snapshots) to waits_10k.
// BENCH_V2_PHASES=five_step,loop_100,... selects phases; BENCH_V2_SCALE=0.1 multiplies every count
// (a quick run: BENCH_V2_SCALE=0.05). Counts can be set one by one: BENCH_V2_FIVE_STEP_COUNT,
// BENCH_V2_LOOP_EXECUTIONS, BENCH_V2_LOOP_WARMUP, BENCH_V2_WAITS_COUNT, BENCH_V2_RESUME_COUNT, BENCH_V2_FAIR_A_COUNT,
// BENCH_V2_FAIR_B_COUNT. Also BENCH_WORKER_CONCURRENCY (100, as make bench), BENCH_V2_WAIT_DURABLE_AFTER_MS
// (1000: the api's and worker's WAIT_DURABLE_AFTER_MS), BENCH_V2_STALL_SECONDS (60: a phase whose
// executions make no progress for that long stops and reports what it saw), BENCH_LOADGEN=node.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { apiCall } from '../lib/api.mjs';
import { ensurePostgres, ensureRedis } from '../lib/services.mjs';
import {
  closedLoop,
  cpuCalibrationMs,
  cpuMs,
  cpuTimes,
  findWrk,
  freshDatabase,
  log,
  nowMs,
  peakRssMb,
  round,
  rssMb,
  runWrk,
  sleep,
  startProcess,
  startSink,
  stopProcess,
  summary,
  waitHttp,
} from './harness.mjs';

const ALL_PHASES = ['five_step', 'loop_100', 'waits_10k', 'resume_latency', 'fair_share'];
const PHASES = (process.env.BENCH_V2_PHASES ?? ALL_PHASES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const p of PHASES) if (!ALL_PHASES.includes(p)) throw new Error(`BENCH_V2_PHASES: unknown phase "${p}" (known: ${ALL_PHASES.join(', ')})`);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'redis,postgres').split(',').filter(Boolean);
const SCALE = Number(process.env.BENCH_V2_SCALE ?? 1);
if (!(SCALE > 0)) throw new Error('BENCH_V2_SCALE must be a positive number');
const count = (name, full, min = 1) => {
  const v = process.env[name];
  return v ? Number(v) : Math.max(min, Math.round(full * SCALE));
};
const FIVE_N = count('BENCH_V2_FIVE_STEP_COUNT', 3000);
const LOOP_M = count('BENCH_V2_LOOP_EXECUTIONS', 200);
const LOOP_ITEMS = 100;
const LOOP_WARMUP = count('BENCH_V2_LOOP_WARMUP', 20, 0);
const LOOP_CONCURRENCIES = (process.env.BENCH_V2_LOOP_CONCURRENCY ?? '10,1').split(',').map(Number).filter((n) => n >= 1 && n <= 50);
const WAITS_N = count('BENCH_V2_WAITS_COUNT', 10000);
const WAIT_SECONDS = Number(process.env.BENCH_V2_WAIT_SECONDS ?? Math.max(10, Math.round(30 * Math.min(1, SCALE))));
const RESUME_K = count('BENCH_V2_RESUME_COUNT', 500);
const RESUME_RATE = Number(process.env.BENCH_V2_RESUME_RATE ?? 100);
const FAIR_A = count('BENCH_V2_FAIR_A_COUNT', 50000);
const FAIR_B = count('BENCH_V2_FAIR_B_COUNT', 100, 10);
const FAIR_B_INTERVAL_MS = Number(process.env.BENCH_V2_FAIR_B_INTERVAL_MS ?? 100);
const WORKER_CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ?? '100';
const WAIT_DURABLE_AFTER_MS = process.env.BENCH_V2_WAIT_DURABLE_AFTER_MS ?? '1000';
const STALL_MS = Number(process.env.BENCH_V2_STALL_SECONDS ?? 60) * 1000;
// BENCH_V2_WAITS_HEAP=1: waits_10k also weighs the worker's live heap (a heap snapshot, which runs a
// full GC first) before firing and once all are waiting: what the parked executions retain.
const WAITS_HEAP = process.env.BENCH_V2_WAITS_HEAP === '1';
const HEAP_DIR = WAITS_HEAP ? mkdtempSync(join(os.tmpdir(), 'tributary-bench-heap-')) : null;
const CONNECTIONS = 50;
const FINAL = ['succeeded', 'failed', 'cancelled'];

const wrk = findWrk();

// ---- the backend under test -------------------------------------------------------------------

/** Starts the api and the worker on a fresh database; answers the context the phases share. */
async function startBackend(backend, pgServerUrl, redisUrl) {
  const index = BACKENDS.indexOf(backend);
  const dbName = `tributary_bench_v2_${backend}`;
  const dbUrl = await freshDatabase(pgServerUrl, dbName);
  const port = 18180 + index;
  const base = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123456789',
    ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: base,
    DATABASE_URL: dbUrl,
    DATABASE_POOL_SIZE: '20',
    QUEUE_BACKEND: backend,
    ...(backend === 'redis' ? { REDIS_URL: redisUrl, REDIS_PREFIX: `benchv2${Date.now()}` } : {}),
    LOG_LEVEL: 'warn',
    ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000000',
    API_RATE_LIMIT_PER_MINUTE: '100000000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    WORKER_CONCURRENCY,
    WORKER_METRICS_PORT: String(19464 + index),
    WAIT_DURABLE_AFTER_MS,
  };
  const sink = await startSink();
  const api = startProcess('api', 'main.js', env);
  await waitHttp(`${base}/health`);
  const startWorker = async () => {
    const heap = HEAP_DIR ? { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${HEAP_DIR}` } : {};
    const w = startProcess('worker', 'worker.js', { ...env, ...heap });
    await waitHttp(`http://127.0.0.1:${19464 + index}/health`);
    return w;
  };
  const worker = await startWorker();
  const db = new pg.Pool({ connectionString: dbUrl, max: 4 });
  const tenant = async (name) => {
    const { token } = await apiCall(base, 'POST', '/api/auth/register', undefined, { email: `bench-v2-${name}-${backend}@example.com`, password: 'password123' });
    return token;
  };
  const ctx = {
    backend,
    base,
    db,
    sink,
    api,
    worker,
    tokenA: await tenant('a'),
    tokenB: await tenant('b'),
    pool: new Pool(base, { connections: CONNECTIONS, pipelining: 1 }),
    /** The worker's peak RSS before it was restarted (fair_share restarts it). */
    earlierWorkerPeakRssMb: 0,
  };
  /** Stops the worker; answers a function that starts a new one as ctx.worker. */
  ctx.stopWorker = async () => {
    ctx.earlierWorkerPeakRssMb = Math.max(ctx.earlierWorkerPeakRssMb, peakRssMb(ctx.worker.pid) ?? 0);
    await stopProcess(ctx.worker);
    return async () => {
      ctx.worker = await startWorker();
    };
  };
  ctx.stop = async () => {
    await ctx.pool.close();
    await stopProcess(ctx.worker);
    await stopProcess(api);
    await db.end();
    ctx.sink.server.closeAllConnections?.();
    ctx.sink.server.close();
  };
  return ctx;
}

async function createWorkflow(ctx, token, name, steps) {
  const wf = await apiCall(ctx.base, 'POST', '/api/workflows', token, { name: `bench v2: ${name}`, trigger: { type: 'webhook' }, steps });
  return wf.id;
}

const transform = (id, value) => ({ id, connector: 'core', action: 'transform', input: { value } });
/** An HTTP POST to the sink (one attempt: a failure shows as a failed execution, not as a retry). */
const post = (ctx, id, tag, body) => ({
  id,
  connector: 'http',
  action: 'request',
  retry: { attempts: 1, backoffMs: 0 },
  input: { method: 'POST', url: `${ctx.sink.url}/sink/${tag}`, body: { seq: '{{seq}}', step: id, ...body } },
});

/** Sends `n` webhooks to the workflow: wrk with webhooks.lua (or a Node closed loop), or Node with `makeBody`. */
async function fire(ctx, workflowId, n, { makeBody, seqStart = 0, connections = CONNECTIONS } = {}) {
  const path = `/api/webhooks/${workflowId}`;
  if (!makeBody && wrk) {
    // wrk runs until this workflow has `n` more executions in PostgreSQL (each accepted webhook is a row).
    const { rows } = await ctx.db.query('SELECT count(*)::int AS n FROM executions WHERE workflow_id = $1', [workflowId]);
    const target = rows[0].n + n;
    const run = runWrk(wrk, ctx.base + path, { count: n, seqStart, connections });
    run.result.catch(() => undefined);
    let last = -1;
    let since = Date.now();
    for (;;) {
      await sleep(200);
      const { rows: now } = await ctx.db.query('SELECT count(*)::int AS n FROM executions WHERE workflow_id = $1', [workflowId]);
      if (now[0].n >= target) break;
      if (now[0].n !== last) {
        last = now[0].n;
        since = Date.now();
      } else if (Date.now() - since > STALL_MS) {
        run.stop();
        const r = await run.result.catch((e) => ({ error: e.message }));
        throw new Error(`wrk: only ${now[0].n - (target - n)} of ${n} webhooks accepted, none for ${STALL_MS / 1000} s (wrk: ${JSON.stringify(r)})`);
      }
    }
    run.stop();
    const r = await run.result;
    // webhooks.lua answers only 202 and 200 (GET /health once past the count) as fine.
    return { generator: 'wrk', errors: r.non2xx + r.socketErrors, acceptMs: { p50: round(r.latencyUs.p50 / 1000), p99: round(r.latencyUs.p99 / 1000), max: round(r.latencyUs.max / 1000), note: 'wrk latency of every request, the GET /health past the count included' } };
  }
  const body = makeBody ?? ((i) => JSON.stringify({ user: { name: 'Alex' }, order: { id: seqStart + i }, seq: seqStart + i, sentAt: nowMs() }));
  const r = await closedLoop(ctx.pool, path, connections, n, body);
  const s = summary(r.latencies);
  return { generator: 'node', errors: r.errors, firstErrors: r.firstErrors.length ? r.firstErrors : undefined, acceptMs: { p50: s.p50, p99: s.p99, max: s.max } };
}

// ---- what PostgreSQL says ---------------------------------------------------------------------

async function statusCounts(ctx, workflowIds) {
  const { rows } = await ctx.db.query(`SELECT status, count(*)::int AS n FROM executions WHERE workflow_id = ANY($1) GROUP BY status`, [workflowIds]);
  const c = { total: 0 };
  for (const r of rows) {
    c[r.status] = r.n;
    c.total += r.n;
  }
  return c;
}
const finished = (c) => FINAL.reduce((a, s) => a + (c[s] ?? 0), 0);

class Stalled extends Error {
  constructor(what, counts) {
    super(`${what}: no progress for ${STALL_MS / 1000} s; statuses ${JSON.stringify(counts)}`);
    this.counts = counts;
  }
}

/**
 * Polls the workflows' status counts until `done(counts)`; throws Stalled when the counts do not
 * change for STALL_MS (not before `notBefore`, a time until which no progress is expected).
 */
async function waitFor(ctx, workflowIds, what, done, { pollMs = 250, notBefore = 0 } = {}) {
  let last = '';
  let since = Date.now();
  for (;;) {
    const c = await statusCounts(ctx, workflowIds);
    if (done(c)) return c;
    const sig = JSON.stringify(c);
    if (sig !== last) {
      last = sig;
      since = Date.now();
    } else if (Date.now() - since > STALL_MS && Date.now() > notBefore) {
      throw new Stalled(what, c);
    }
    await sleep(pollMs);
  }
}

/** First accept and last finish of the workflows' executions, from PostgreSQL (epoch ms). */
async function span(ctx, workflowIds) {
  const { rows } = await ctx.db.query(
    `SELECT extract(epoch FROM min(created_at)) * 1000 AS first, extract(epoch FROM max(finished_at)) * 1000 AS last FROM executions WHERE workflow_id = ANY($1)`,
    [workflowIds],
  );
  const first = Number(rows[0].first);
  const last = Number(rows[0].last);
  return { first, last, seconds: (last - first) / 1000 };
}

/**
 * What went wrong, for the report: the status counts and up to `max` executions that did not succeed
 * (failed first, then the ones still queued, running or waiting) as GET /api/executions/:id answers
 * them, steps cut to their status and error.
 */
async function diagnose(ctx, token, workflowIds, max = 3) {
  const counts = await statusCounts(ctx, workflowIds);
  const { rows } = await ctx.db.query(
    `SELECT id FROM executions WHERE workflow_id = ANY($1) AND status <> 'succeeded'
     ORDER BY CASE status WHEN 'failed' THEN 0 WHEN 'cancelled' THEN 1 WHEN 'running' THEN 2 WHEN 'queued' THEN 3 ELSE 4 END, created_at LIMIT $2`,
    [workflowIds, max],
  );
  const executions = [];
  for (const { id } of rows) {
    try {
      const e = await apiCall(ctx.base, 'GET', `/api/executions/${id}`, token);
      executions.push({
        id,
        status: e.status,
        error: e.error,
        createdAt: e.createdAt,
        startedAt: e.startedAt,
        finishedAt: e.finishedAt,
        attempts: e.attempts,
        waits: e.waits,
        steps: (e.steps ?? []).map((s) => ({ path: s.path ?? s.stepId, status: s.status, error: s.error, attempts: s.attempts, startedAt: s.startedAt })),
      });
    } catch (err) {
      executions.push({ id, apiError: err.message });
    }
  }
  return { counts, executions };
}

/** Runs a phase's body; a failure (stall, error) is reported with what PostgreSQL and the api say. */
async function guarded(ctx, name, token, workflowIds, body) {
  try {
    const r = await body();
    const c = await statusCounts(ctx, workflowIds.current);
    if ((c.failed ?? 0) + (c.cancelled ?? 0) > 0) r.problems = await diagnose(ctx, token, workflowIds.current);
    return r;
  } catch (err) {
    log(`${ctx.backend}: ${name} failed: ${err.message}`);
    const out = { error: err.message };
    if (workflowIds.current.length) out.problems = await diagnose(ctx, token, workflowIds.current).catch((e) => ({ error: e.message }));
    return out;
  }
}

const cpuOf = (ctx) => ({ worker: cpuMs(ctx.worker.pid), api: cpuMs(ctx.api.pid), at: performance.now() });
/** CPU (µs) of the worker and the api between two readings, per `units`. */
function cpuPer(a, b, units) {
  return {
    workerUs: Math.round(((b.worker - a.worker) * 1000) / units),
    apiUs: Math.round(((b.api - a.api) * 1000) / units),
  };
}

// ---- phases -----------------------------------------------------------------------------------

/** 1. A 5-step workflow under a burst of webhooks: executions/s and CPU per execution and per step. */
async function fiveStep(ctx) {
  const ids = { current: [] };
  return guarded(ctx, 'five_step', ctx.tokenA, ids, async () => {
    const wf = await createWorkflow(ctx, ctx.tokenA, 'five steps', [
      { id: 'route', type: 'condition', if: '{{eq user.name "Alex"}}', then: [transform('vip', { vip: true, order: '{{order.id}}' })], else: [] },
      transform('shape', { seq: '{{seq}}', name: '{{upper user.name}}', vip: '{{steps.vip.vip}}' }),
      post(ctx, 'notify', 'five', { text: 'Order #{{order.id}} for {{steps.shape.name}}' }),
      post(ctx, 'audit', 'five', { vip: '{{steps.vip.vip}}' }),
      { id: 'fan', type: 'parallel', branches: [[transform('left', { at: '{{$now}}', seq: '{{seq}}' })], [post(ctx, 'right', 'five', { branch: 'right' })]] },
    ]);
    ids.current = [wf];
    log(`${ctx.backend}: five_step: ${FIVE_N} webhooks`);
    const sink0 = ctx.sink.count('five');
    const c0 = cpuOf(ctx);
    const t0 = nowMs();
    const load = await fire(ctx, wf, FIVE_N);
    const acceptedWall = (nowMs() - t0) / 1000;
    const counts = await waitFor(ctx, [wf], 'five_step', (c) => c.total >= FIVE_N && finished(c) >= c.total);
    const c1 = cpuOf(ctx);
    const wall = (nowMs() - t0) / 1000;
    const s = await span(ctx, [wf]);
    const { rows } = await ctx.db.query(
      `SELECT avg(jsonb_array_length(steps))::float AS results,
              avg((SELECT count(*) FROM jsonb_array_elements(steps) x WHERE coalesce(x->>'type', 'action') = 'action'))::float AS actions
       FROM executions WHERE workflow_id = $1 AND status = 'succeeded'`,
      [wf],
    );
    const perExec = cpuPer(c0, c1, counts.total);
    const stepResults = rows[0].results;
    const actions = rows[0].actions;
    log(`${ctx.backend}: five_step: ${counts.succeeded ?? 0}/${counts.total} succeeded in ${s.seconds.toFixed(2)} s`);
    return {
      what: 'webhook → condition{transform} → transform → HTTP POST → HTTP POST → parallel[transform | HTTP POST], POSTs to a local sink answering 200',
      webhooks: FIVE_N,
      load,
      statuses: counts,
      sinkRequests: ctx.sink.count('five') - sink0,
      secondsFirstAcceptToLastFinish: round(s.seconds, 2),
      executionsPerSec: Math.round((counts.succeeded ?? 0) / s.seconds),
      wallSeconds: { ingest: round(acceptedWall, 2), total: round(wall, 2) },
      stepsPerExecution: { topLevel: 5, stepResults: round(stepResults, 2), actionSteps: round(actions, 2) },
      cpuUsPerExecution: perExec,
      workerCpuUsPerStep: {
        perTopLevelStep: Math.round(perExec.workerUs / 5),
        perStepResult: Math.round(perExec.workerUs / stepResults),
        perActionStep: Math.round(perExec.workerUs / actions),
      },
    };
  });
}

/** 2. One loop of 100 HTTP POSTs per execution: item steps/s and worker CPU per item step. */
async function loop100(ctx) {
  const out = {};
  for (const concurrency of LOOP_CONCURRENCIES) {
    const ids = { current: [] };
    out[`concurrency_${concurrency}`] = await guarded(ctx, `loop_100 (concurrency ${concurrency})`, ctx.tokenA, ids, async () => {
      const tag = `loop${concurrency}`;
      const definition = [
        { id: 'lines', type: 'loop', items: '{{items}}', concurrency, steps: [post(ctx, 'line', tag, { sku: '{{item.sku}}', qty: '{{item.qty}}', index: '{{$index}}' })] },
      ];
      const wf = await createWorkflow(ctx, ctx.tokenA, `loop of ${LOOP_ITEMS}, concurrency ${concurrency}`, definition);
      const warm = await createWorkflow(ctx, ctx.tokenA, `loop warm-up, concurrency ${concurrency}`, definition);
      ids.current = [wf, warm];
      const items = Array.from({ length: LOOP_ITEMS }, (_, i) => ({ sku: `SKU-${i}`, qty: (i % 5) + 1 }));
      // Warm-up: the same loop on a workflow of its own (not counted), so the measure is the steady
      // state of a worker that has run loops, not V8 compiling the loop's code path.
      if (LOOP_WARMUP) {
        log(`${ctx.backend}: loop_100: warm-up, ${LOOP_WARMUP} executions`);
        await fire(ctx, warm, LOOP_WARMUP, { makeBody: (i) => JSON.stringify({ seq: i, items }), connections: 10 });
        await waitFor(ctx, [warm], 'loop_100 warm-up', (c) => c.total >= LOOP_WARMUP && finished(c) >= c.total);
      }
      log(`${ctx.backend}: loop_100: ${LOOP_M} executions × ${LOOP_ITEMS} items, concurrency ${concurrency}`);
      const sink0 = ctx.sink.count(tag);
      const c0 = cpuOf(ctx);
      const t0 = nowMs();
      const load = await fire(ctx, wf, LOOP_M, { makeBody: (i) => JSON.stringify({ seq: i, items }), connections: 10 });
      const counts = await waitFor(ctx, [wf], 'loop_100', (c) => c.total >= LOOP_M && finished(c) >= c.total);
      const c1 = cpuOf(ctx);
      const wall = (nowMs() - t0) / 1000;
      const s = await span(ctx, [wf]);
      const itemSteps = (counts.succeeded ?? 0) * LOOP_ITEMS;
      log(`${ctx.backend}: loop_100: ${itemSteps} item steps in ${s.seconds.toFixed(2)} s`);
      return {
        what: `webhook → loop over ${LOOP_ITEMS} payload items (concurrency ${concurrency}) of one HTTP POST to the local sink`,
        executions: LOOP_M,
        warmupExecutions: LOOP_WARMUP,
        load: { generator: load.generator, errors: load.errors, firstErrors: load.firstErrors },
        statuses: counts,
        sinkRequests: ctx.sink.count(tag) - sink0,
        secondsFirstAcceptToLastFinish: round(s.seconds, 2),
        wallSeconds: round(wall, 2),
        itemStepsPerSec: Math.round(itemSteps / s.seconds),
        target: '>= 5000 item steps/s',
        met: itemSteps / s.seconds >= 5000,
        cpuUsPerItemStep: cpuPer(c0, c1, LOOP_M * LOOP_ITEMS),
      };
    });
  }
  return out;
}

/** The worker's live heap in MB: the self sizes of a heap snapshot it writes on SIGUSR2 (after a full GC). */
async function liveHeapMb(ctx) {
  const before = new Set(readdirSync(HEAP_DIR));
  ctx.worker.kill('SIGUSR2');
  let file = null;
  for (let size = -1, until = Date.now() + 120_000; Date.now() < until; await sleep(500)) {
    file ??= readdirSync(HEAP_DIR).find((f) => !before.has(f)) ?? null;
    if (!file) continue;
    const now = statSync(join(HEAP_DIR, file)).size;
    // Written when its size stops changing (the worker writes it in one go, blocked meanwhile).
    if (now === size && now > 0) break;
    size = now;
  }
  if (!file) throw new Error('the worker wrote no heap snapshot');
  const path = join(HEAP_DIR, file);
  const snap = JSON.parse(readFileSync(path, 'utf8'));
  rmSync(path);
  const fields = snap.snapshot.meta.node_fields;
  const self = fields.indexOf('self_size');
  let bytes = 0;
  for (let i = self; i < snap.nodes.length; i += fields.length) bytes += snap.nodes[i];
  return round(bytes / 1048576, 1);
}

/** 3. Many executions parked on a duration wait: worker memory while they wait, and how late they resume. */
async function waits10k(ctx) {
  const ids = { current: [] };
  return guarded(ctx, 'waits_10k', ctx.tokenA, ids, async () => {
    const wf = await createWorkflow(ctx, ctx.tokenA, `wait ${WAIT_SECONDS} s`, [
      { id: 'nap', type: 'wait', for: 'duration', seconds: WAIT_SECONDS },
      transform('stamp', { at: '{{$now}}', seq: '{{seq}}' }),
    ]);
    // Warm-up: the same path (park, fire, resume) run first, so the RSS before firing is a warm
    // worker's (JIT, caches, pools) and the growth measured is what 10,000 parked executions add.
    const warm = await createWorkflow(ctx, ctx.tokenA, 'wait warm-up', [
      { id: 'nap', type: 'wait', for: 'duration', seconds: 1.5 },
      transform('stamp', { at: '{{$now}}', seq: '{{seq}}' }),
    ]);
    ids.current = [wf, warm];
    const warmN = Math.max(50, Math.round(WAITS_N / 5));
    log(`${ctx.backend}: waits_10k: warm-up, ${warmN} executions waiting 1.5 s`);
    await fire(ctx, warm, warmN, { seqStart: 0 });
    await waitFor(ctx, [warm], 'waits_10k warm-up', (c) => c.total >= warmN && finished(c) >= c.total, { pollMs: 250 });
    log(`${ctx.backend}: waits_10k: ${WAITS_N} executions waiting ${WAIT_SECONDS} s`);
    const rssBefore = rssMb(ctx.worker.pid);
    const heapBefore = WAITS_HEAP ? await liveHeapMb(ctx) : null;
    const c0 = cpuOf(ctx);
    const t0 = Date.now();
    const load = await fire(ctx, wf, WAITS_N, { seqStart: 0 });
    // Until every one is parked, or the first due time has passed (then they were not all parked in time).
    const firstDueBound = t0 + WAIT_SECONDS * 1000;
    let maxWaiting = 0;
    let counts;
    let tParked = null;
    for (;;) {
      counts = await statusCounts(ctx, [wf]);
      maxWaiting = Math.max(maxWaiting, counts.waiting ?? 0);
      if ((counts.waiting ?? 0) >= WAITS_N) {
        tParked = Date.now();
        break;
      }
      if (Date.now() >= firstDueBound) break;
      await sleep(100);
    }
    const rssAllWaiting = rssMb(ctx.worker.pid);
    const heapAllWaiting = WAITS_HEAP && tParked ? await liveHeapMb(ctx) : null;
    const c1 = cpuOf(ctx);
    const { rows: dueRows } = await ctx.db.query(
      `SELECT extract(epoch FROM min(w.due_at)) * 1000 AS first, extract(epoch FROM max(w.due_at)) * 1000 AS last
       FROM execution_waits w JOIN executions e ON e.id = w.execution_id WHERE e.workflow_id = $1 AND w.step_path = 'nap'`,
      [wf],
    );
    const firstDue = Number(dueRows[0].first);
    const lastDue = Number(dueRows[0].last);
    log(`${ctx.backend}: waits_10k: ${tParked ? `all ${WAITS_N} waiting after ${((tParked - t0) / 1000).toFixed(1)} s` : `only ${maxWaiting} waiting at once`}, worker RSS ${rssBefore} → ${rssAllWaiting} MB; waiting for them to resume`);
    const done = await waitFor(ctx, [wf], 'waits_10k resume', (c) => c.total >= WAITS_N && finished(c) >= c.total, { pollMs: 500, notBefore: lastDue + 5000 });
    const c2 = cpuOf(ctx);
    const { rows } = await ctx.db.query(
      `SELECT extract(epoch FROM w.due_at) * 1000 AS due, extract(epoch FROM e.finished_at) * 1000 AS fin,
              (SELECT x->>'startedAt' FROM jsonb_array_elements(e.steps) x WHERE x->>'stepId' = 'stamp' LIMIT 1) AS stamp,
              (SELECT x->>'startedAt' FROM jsonb_array_elements(e.steps) x WHERE x->>'stepId' = 'nap' AND x->>'status' = 'succeeded' LIMIT 1) AS resumed
       FROM executions e JOIN execution_waits w ON w.execution_id = e.id AND w.step_path = 'nap'
       WHERE e.workflow_id = $1 AND e.status = 'succeeded'`,
      [wf],
    );
    const lag = rows.filter((r) => r.stamp).map((r) => Date.parse(r.stamp) - Number(r.due));
    const lagFinished = rows.map((r) => Number(r.fin) - Number(r.due));
    const lagPickup = rows.filter((r) => r.resumed).map((r) => Date.parse(r.resumed) - Number(r.due));
    const resumeLag = summary(lag);
    const s = await span(ctx, [wf]);
    return {
      what: `webhook → wait for: duration ${WAIT_SECONDS} s (parked: WAIT_DURABLE_AFTER_MS=${WAIT_DURABLE_AFTER_MS}) → transform recording {{$now}}`,
      executions: WAITS_N,
      load: { generator: load.generator, errors: load.errors, acceptMs: load.acceptMs },
      parking: {
        allWaitingAtOnce: tParked !== null,
        maxWaitingSeen: maxWaiting,
        secondsFirstSendToAllWaiting: tParked ? round((tParked - t0) / 1000, 2) : null,
        allParkedBeforeFirstDue: tParked !== null && tParked < firstDue,
        marginBeforeFirstDueSeconds: tParked ? round((firstDue - tParked) / 1000, 2) : null,
        dueSpreadSeconds: round((lastDue - firstDue) / 1000, 2),
        cpuUsPerParkedExecution: cpuPer(c0, c1, WAITS_N),
      },
      workerRssMb: { warmUpExecutions: warmN, beforeFiring: rssBefore, allWaiting: rssAllWaiting, growth: round(rssAllWaiting - rssBefore), peakSoFar: peakRssMb(ctx.worker.pid), target: 'growth < 50 MB', met: rssAllWaiting - rssBefore < 50 },
      ...(WAITS_HEAP
        ? {
            workerLiveHeapMb: {
              measured: 'self sizes of a heap snapshot (V8 runs a full GC first); the first snapshot, taken before firing, also raises the RSS read when all are waiting',
              beforeFiring: heapBefore,
              allWaiting: heapAllWaiting,
              growth: heapAllWaiting === null ? null : round(heapAllWaiting - heapBefore, 1),
            },
          }
        : {}),
      statuses: done,
      resumeLagMs: {
        measured: "per execution: startedAt of the step after the wait (executions.steps, 'stamp') − the wait's due_at (execution_waits)",
        ...resumeLag,
        target: 'p99 <= 1000 ms',
        met: resumeLag.p99 !== null && resumeLag.p99 <= 1000,
        resumedWaitStepStartedMinusDue: summary(lagPickup),
        finishedAtMinusDue: summary(lagFinished),
      },
      resumeSeconds: { firstDueToLastFinish: round((s.last - firstDue) / 1000, 2) },
      cpuUsPerResumedExecution: cpuPer(c1, c2, WAITS_N),
    };
  });
}

/** 4. Executions parked on a resume webhook and on an approval: from the answered request to the next step's start. */
async function resumeLatency(ctx) {
  const ids = { current: [] };
  return guarded(ctx, 'resume_latency', ctx.tokenA, ids, async () => {
    const after = transform('after', { at: '{{$now}}', seq: '{{seq}}' });
    const hookWf = await createWorkflow(ctx, ctx.tokenA, 'resume webhook', [{ id: 'hold', type: 'wait', for: 'webhook', timeoutSeconds: 3600 }, after]);
    const approvalWf = await createWorkflow(ctx, ctx.tokenA, 'approval', [{ id: 'hold', type: 'wait', for: 'approval', message: 'bench' }, after]);
    ids.current = [hookWf, approvalWf];
    log(`${ctx.backend}: resume_latency: parking ${RESUME_K} on a webhook wait and ${RESUME_K} on an approval`);
    await fire(ctx, hookWf, RESUME_K, { makeBody: (i) => JSON.stringify({ seq: i }), connections: 20 });
    await fire(ctx, approvalWf, RESUME_K, { makeBody: (i) => JSON.stringify({ seq: i }), connections: 20 });
    const parked = await waitFor(ctx, ids.current, 'resume_latency parking', (c) => (c.waiting ?? 0) >= 2 * RESUME_K || finished(c) > 0);
    if ((parked.waiting ?? 0) < 2 * RESUME_K) throw new Error(`executions ended instead of waiting: ${JSON.stringify(parked)}`);
    const idsOf = async (wf) => (await ctx.db.query(`SELECT id FROM executions WHERE workflow_id = $1 AND status = 'waiting' ORDER BY created_at`, [wf])).rows.map((r) => r.id);
    const hookIds = await idsOf(hookWf);
    const approvalIds = await idsOf(approvalWf);
    // The resume URLs, as a user reads them: GET /api/executions/:id → waits[].resumeUrl.
    const urls = new Map();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < hookIds.length) {
          const id = hookIds[next++];
          const e = await apiCall(ctx.base, 'GET', `/api/executions/${id}`, ctx.tokenA);
          const url = e.waits?.find((w) => w.kind === 'webhook')?.resumeUrl;
          if (!url) throw new Error(`GET /api/executions/${id}: no resume URL in waits: ${JSON.stringify(e.waits)}`);
          urls.set(id, new URL(url).pathname);
        }
      }),
    );
    // Interleaved, open loop at RESUME_RATE per second: each request leaves on time whatever the others do.
    const plan = [];
    for (let i = 0; i < RESUME_K; i++) plan.push({ kind: 'webhook', id: hookIds[i] }, { kind: 'approval', id: approvalIds[i] });
    log(`${ctx.backend}: resume_latency: ${plan.length} resumes at ${RESUME_RATE}/s`);
    const c0 = cpuOf(ctx);
    const start = performance.now();
    const sent = [];
    for (const [i, p] of plan.entries()) {
      const wait = start + (i * 1000) / RESUME_RATE - performance.now();
      if (wait > 1) await sleep(wait);
      const req =
        p.kind === 'webhook'
          ? { method: 'POST', path: urls.get(p.id), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reply: 'ok', i }) }
          : { method: 'POST', path: `/api/executions/${p.id}/approve`, headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.tokenA}` }, body: '{}' };
      const sentAt = Date.now();
      sent.push(
        ctx.pool.request(req).then(
          async (r) => {
            const answeredAt = Date.now();
            const text = await r.body.text();
            return { ...p, sentAt, answeredAt, status: r.statusCode, body: r.statusCode >= 300 ? text.slice(0, 300) : undefined };
          },
          (err) => ({ ...p, sentAt, error: err.message }),
        ),
      );
    }
    const answers = await Promise.all(sent);
    const sendSeconds = (performance.now() - start) / 1000;
    const bad = answers.filter((a) => a.error || (a.kind === 'webhook' ? a.status !== 202 : a.status !== 200));
    const counts = await waitFor(ctx, ids.current, 'resume_latency resume', (c) => finished(c) + (c.waiting ?? 0) >= c.total && (c.waiting ?? 0) <= bad.length);
    const c1 = cpuOf(ctx);
    const { rows } = await ctx.db.query(
      `SELECT id, (SELECT x->>'startedAt' FROM jsonb_array_elements(steps) x WHERE x->>'stepId' = 'after' LIMIT 1) AS after,
              (SELECT x->>'startedAt' FROM jsonb_array_elements(steps) x WHERE x->>'stepId' = 'hold' AND x->>'status' = 'succeeded' LIMIT 1) AS resumed
       FROM executions WHERE workflow_id = ANY($1) AND status = 'succeeded'`,
      [ids.current],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const measure = (kind) => {
      const mine = answers.filter((a) => a.kind === kind && !a.error && byId.get(a.id)?.after);
      const next = (a) => Date.parse(byId.get(a.id).after);
      return {
        resumed: mine.length,
        answeredToNextStepStartMs: summary(mine.map((a) => next(a) - a.answeredAt)),
        sentToNextStepStartMs: summary(mine.map((a) => next(a) - a.sentAt)),
        requestMs: summary(mine.map((a) => a.answeredAt - a.sentAt)),
        sentToResumedWaitStepStartMs: summary(mine.filter((a) => byId.get(a.id).resumed).map((a) => Date.parse(byId.get(a.id).resumed) - a.sentAt)),
      };
    };
    const webhook = measure('webhook');
    const approval = measure('approval');
    const p99 = Math.max(webhook.answeredToNextStepStartMs.p99 ?? Infinity, approval.answeredToNextStepStartMs.p99 ?? Infinity);
    log(`${ctx.backend}: resume_latency: p99 webhook ${webhook.answeredToNextStepStartMs.p99} ms, approval ${approval.answeredToNextStepStartMs.p99} ms`);
    return {
      what: 'webhook → wait (for: webhook | for: approval) → transform; resumed by POST <resumeUrl> (202) or POST /api/executions/:id/approve (200)',
      measured:
        "answeredToNextStepStartMs = startedAt of the step after the wait ('after', from executions.steps, the worker's clock, ms resolution) − the moment this script received the answer to the resume/approve request (same machine's clock); negative when the worker started the step before the answer reached the client. sentToNextStepStartMs counts from the moment the request was sent. sentToResumedWaitStepStartMs: to the re-run of the wait step itself (the resumed run's first step).",
      perKind: RESUME_K,
      ratePerSec: RESUME_RATE,
      sendSeconds: round(sendSeconds, 2),
      badAnswers: bad.length ? { count: bad.length, first: bad.slice(0, 5) } : undefined,
      statuses: counts,
      webhook,
      approval,
      target: 'p99 <= 50 ms',
      met: p99 <= 50,
      cpuUsPerResume: cpuPer(c0, c1, plan.length),
    };
  });
}

/** B's webhooks one every FAIR_B_INTERVAL_MS (open loop) to its workflow; answers when they reached the sink. */
async function sendB(ctx, wfB, tag, onSend) {
  const arrivals = ctx.sink.track(tag);
  const start = performance.now();
  const sends = [];
  for (let i = 0; i < FAIR_B; i++) {
    const wait = start + i * FAIR_B_INTERVAL_MS - performance.now();
    if (wait > 1) await sleep(wait);
    const sentAt = nowMs();
    const info = onSend?.() ?? {};
    sends.push(
      ctx.pool
        .request({ method: 'POST', path: `/api/webhooks/${wfB}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant: 'B', seq: i, sentAt }) })
        .then(async (r) => ({ seq: i, sentAt, acceptMs: nowMs() - sentAt, status: r.statusCode, body: r.statusCode !== 202 ? (await r.body.text()).slice(0, 300) : (await r.body.dump(), undefined), ...info }))
        .catch((err) => ({ seq: i, sentAt, error: err.message, ...info })),
    );
  }
  const answers = await Promise.all(sends);
  const accepted = answers.filter((a) => a.status === 202).length;
  const deadline = Date.now() + Math.max(STALL_MS, 120_000);
  while (arrivals.size < accepted && Date.now() < deadline) await sleep(20);
  const latencies = [...arrivals.values()].map((a) => a.at - a.sentAt);
  return { answers, accepted, arrivals, latencies };
}

/** 5. Tenant A floods; tenant B's light traffic meanwhile: B's webhook→sink latency. */
async function fairShare(ctx) {
  const ids = { current: [] };
  return guarded(ctx, 'fair_share', ctx.tokenA, ids, async () => {
    const deliver = (tag) => [{ id: 'deliver', connector: 'http', action: 'request', retry: { attempts: 1, backoffMs: 0 }, input: { method: 'POST', url: `${ctx.sink.url}/sink/${tag}`, body: { seq: '{{seq}}', sentAt: '{{sentAt}}' } } }];
    const wfA = await createWorkflow(ctx, ctx.tokenA, 'tenant A: webhook to sink', deliver('fairA'));
    const wfB = await createWorkflow(ctx, ctx.tokenB, 'tenant B: webhook to sink', deliver('fairB'));
    ids.current = [wfA, wfB];
    const tenantA = (await ctx.db.query('SELECT tenant_id FROM workflows WHERE id = $1', [wfA])).rows[0].tenant_id;

    // B alone first (no flood): the comparison.
    log(`${ctx.backend}: fair_share: baseline, tenant B alone: ${FAIR_B} webhooks every ${FAIR_B_INTERVAL_MS} ms`);
    const alone = await sendB(ctx, wfB, 'fairB');
    await waitFor(ctx, [wfB], 'fair_share baseline', (c) => finished(c) >= c.total);
    await sleep(2000);

    // A's flood, as fast as the api takes it, with the worker stopped: all of it is queued when B
    // starts, however fast this machine's worker would have drained it meanwhile. Then a worker
    // starts (cold) and B sends as soon as it answers.
    log(`${ctx.backend}: fair_share: worker stopped; tenant A floods ${FAIR_A} webhooks`);
    const startWorker = await ctx.stopWorker();
    const aSink0 = ctx.sink.count('fairA');
    const api0 = cpuMs(ctx.api.pid);
    const tA = nowMs();
    const loadA = await fire(ctx, wfA, FAIR_A, { seqStart: 0 });
    const ingestSeconds = (nowMs() - tA) / 1000;
    await startWorker();
    const c0 = { ...cpuOf(ctx), api: api0 };

    // A's backlog sampled while B sends.
    let latest = null;
    const samples = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // By tenant (its status index): every other execution of tenant A has finished by now.
        const { rows } = await ctx.db.query(`SELECT status, count(*)::int AS n FROM executions WHERE tenant_id = $1 AND status IN ('queued', 'running') GROUP BY status`, [tenantA]);
        const s = { at: nowMs(), queued: 0, running: 0 };
        for (const r of rows) s[r.status] = r.n;
        latest = s;
        samples.push(s);
        await sleep(250);
      }
    })();
    while (!latest) await sleep(5);
    const backlogAtBStart = { queued: latest.queued, running: latest.running };
    log(`${ctx.backend}: fair_share: A accepted in ${ingestSeconds.toFixed(1)} s, backlog ${latest.queued} queued; tenant B sends ${FAIR_B}`);
    const bStart = nowMs();
    const flood = await sendB(ctx, wfB, 'fairB', () => ({ aQueued: latest.queued }));
    sampling = false;
    await sampler;
    // The samples B's sends saw: the last one before B started, and those taken while it sent.
    const firstB = samples.findIndex((s) => s.at >= bStart);
    const bSamples = firstB < 0 ? samples.slice(-1) : samples.slice(Math.max(0, firstB - 1));
    const countsA = await waitFor(ctx, [wfA], 'fair_share drain of A', (c) => c.total >= FAIR_A && finished(c) >= c.total, { pollMs: 500 });
    const c1 = cpuOf(ctx);
    await waitFor(ctx, [wfB], 'fair_share B', (c) => finished(c) >= c.total);
    const sA = await span(ctx, [wfA]);
    const floodLat = summary(flood.latencies);
    const whileBacklog = flood.answers.filter((a) => a.aQueued > 0);
    const latOf = (list) => summary(list.map((a) => flood.arrivals.get(a.seq)).filter(Boolean).map((x) => x.at - x.sentAt));
    log(`${ctx.backend}: fair_share: B p99 ${floodLat.p99} ms under A's flood (alone: ${summary(alone.latencies).p99} ms)`);
    return {
      what: 'tenant A: webhook → HTTP POST to the sink, flooded; tenant B: the same workflow in another tenant, one webhook every interval; latency = sink arrival − the moment B sent the webhook (both on this process\'s clock)',
      tenantA: {
        webhooks: FAIR_A,
        load: loadA,
        ingestSeconds: round(ingestSeconds, 2),
        acceptedPerSec: Math.round(FAIR_A / ingestSeconds),
        statuses: countsA,
        sinkRequests: ctx.sink.count('fairA') - aSink0,
        backlogAtBStart,
        backlogAtBEnd: bSamples.length ? { queued: bSamples[bSamples.length - 1].queued, running: bSamples[bSamples.length - 1].running } : null,
        queuedDuringB: { min: Math.min(...bSamples.map((s) => s.queued)), max: Math.max(...bSamples.map((s) => s.queued)), samples: bSamples.length },
        secondsFirstAcceptToLastFinish: round(sA.seconds, 2),
        executionsPerSec: Math.round((countsA.succeeded ?? 0) / sA.seconds),
        cpuUsPerExecution: cpuPer(c0, c1, FAIR_A + FAIR_B),
      },
      tenantB: {
        sent: FAIR_B,
        intervalMs: FAIR_B_INTERVAL_MS,
        accepted: flood.accepted,
        delivered: flood.arrivals.size,
        badAnswers: flood.answers.filter((a) => a.status !== 202).slice(0, 5),
        sentWhileABacklogQueued: whileBacklog.length,
        webhookToSinkMs: floodLat,
        webhookToSinkMsWhileABacklogQueued: latOf(whileBacklog),
        acceptMs: summary(flood.answers.map((a) => a.acceptMs)),
        target: 'p99 < 500 ms',
        met: floodLat.p99 !== null && floodLat.p99 < 500 && flood.arrivals.size === FAIR_B,
      },
      tenantBAlone: {
        sent: FAIR_B,
        accepted: alone.accepted,
        delivered: alone.arrivals.size,
        webhookToSinkMs: summary(alone.latencies),
      },
    };
  });
}

const RUNNERS = { five_step: fiveStep, loop_100: loop100, waits_10k: waits10k, resume_latency: resumeLatency, fair_share: fairShare };

// ---- main -------------------------------------------------------------------------------------

const calibrationMs = cpuCalibrationMs();
const pgInfo = await ensurePostgres({ database: 'postgres' });
const redis = await ensureRedis();
const results = [];
for (const backend of BACKENDS) {
  if (backend === 'redis' && !redis.url) {
    log('no Redis: skipping the Redis backend');
    continue;
  }
  log(`${backend}: starting the api and the worker on a fresh database`);
  const before = cpuTimes();
  const ctx = await startBackend(backend, pgInfo.url, redis.url);
  const r = { backend, phases: {} };
  try {
    r.workerRssMbAtStart = rssMb(ctx.worker.pid);
    for (const phase of PHASES) {
      const t0 = performance.now();
      r.phases[phase] = await RUNNERS[phase](ctx);
      r.phases[phase].phaseWallSeconds = round((performance.now() - t0) / 1000, 1);
    }
    r.peakRssMb = { api: peakRssMb(ctx.api.pid), worker: Math.max(peakRssMb(ctx.worker.pid) ?? 0, ctx.earlierWorkerPeakRssMb) };
    r.executionsPersisted = (await statusCounts(ctx, (await ctx.db.query('SELECT id FROM workflows')).rows.map((w) => w.id))).total;
  } finally {
    await ctx.stop();
  }
  const after = cpuTimes();
  const total = after.total - before.total;
  r.cpu = { busyPercent: Math.round((1 - (after.idle - before.idle) / total) * 100), stealPercent: Math.round(((after.steal - before.steal) / total) * 100) };
  results.push(r);
}
const cpu = os.cpus();
console.log(
  JSON.stringify(
    {
      benchmark: 'engine v2 (scripts/bench/engine-v2.mjs)',
      host: { cpus: cpu.length, model: cpu[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres: pgInfo.how, redis: redis.how, cpuCalibrationMs: calibrationMs },
      config: {
        scale: SCALE,
        phases: PHASES,
        loadGenerator: wrk ? 'wrk (one thread, 50 connections) for plain bodies; node (undici) for custom bodies' : 'node (undici closed loop)',
        workerConcurrency: Number(WORKER_CONCURRENCY),
        waitDurableAfterMs: Number(WAIT_DURABLE_AFTER_MS),
        counts: { fiveStep: FIVE_N, loopExecutions: LOOP_M, loopItems: LOOP_ITEMS, loopConcurrency: LOOP_CONCURRENCIES, waits: WAITS_N, waitSeconds: WAIT_SECONDS, resumePerKind: RESUME_K, resumeRatePerSec: RESUME_RATE, fairA: FAIR_A, fairB: FAIR_B, fairBIntervalMs: FAIR_B_INTERVAL_MS },
      },
      results,
    },
    null,
    2,
  ),
);
if (HEAP_DIR) rmSync(HEAP_DIR, { recursive: true, force: true });
process.exit(0);
