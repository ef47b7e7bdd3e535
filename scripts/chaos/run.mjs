// `make chaos`: faults injected under load into a platform spread over several hosts (network
// namespaces), proving the promise "a webhook answered 202 runs, exactly once per completed step".
// Needs root (ip netns, veth, iptables). See docs/reliability.md.
//   CHAOS_SCALE=short|full (default short), CHAOS_SCENARIOS=worker-kill,redis-kill,… (default all)
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import pg from 'pg';
import { ROOT } from '../lib/services.mjs';
import { apiCall } from '../lib/api.mjs';
import { cleanupNetwork, ensureTools, GATEWAY, heal, HOSTS, linkDown, moveAddress, partition, probeNetns, redirectPg, setupNetwork } from './net.mjs';
import { Hosts, LB_PORT, PG_PORT } from './hosts.mjs';
import { Sender, startSink } from './load.mjs';
import { classifyRepeats } from './classify.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (m) => console.log(`[chaos ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${m}`);

const SCALE = process.env.CHAOS_SCALE ?? 'short';
const SETTINGS = {
  short: { rate: 40, loadMs: 15_000, drainTimeoutMs: 90_000, backlog: 20_000, burstDrainTimeoutMs: 240_000, concurrency: 20, burstTimeoutMs: 120_000, burstSteps: 3 },
  // The full burst's workflow has one HTTP step: a 1,000,000 backlog drains in minutes, not hours (the other scenarios keep three).
  full: { rate: 500, loadMs: 20_000, drainTimeoutMs: 600_000, backlog: 1_000_000, burstDrainTimeoutMs: 3_600_000, concurrency: 50, burstTimeoutMs: 1_800_000, burstSteps: 1 },
}[SCALE];
if (!SETTINGS) {
  console.error(`CHAOS_SCALE must be short or full (got ${SCALE})`);
  process.exit(2);
}
for (const k of Object.keys(SETTINGS)) {
  const env = process.env[`CHAOS_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`];
  if (env) SETTINGS[k] = Number(env);
}

const LEASE_MS = 4000;
const LB_INTER_MS = 500;
const LB_FALL = 2;
const DRAIN_DELAY_MS = 3000; // > LB_INTER_MS × LB_FALL, with margin for a loaded machine
const SINK_PORT = 18999;
const STEPS = ['s1', 's2', 's3'];
const RUN_ID = new Date().toISOString().replace(/[:.]/g, '-');
const STATE_DIR = '/tmp/trc-chaos';
const ARTIFACTS = join(ROOT, 'artifacts', 'chaos');

const ENV = {
  NODE_ENV: 'production',
  JWT_SECRET: 'chaos-jwt-secret-chaos-jwt-secret-0123456789',
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  DATABASE_URL: `postgres://postgres@${HOSTS.pg}:${PG_PORT}/tributary`,
  DATABASE_POOL_SIZE: '20',
  DATABASE_CONNECT_TIMEOUT_MS: '2000',
  DATABASE_QUERY_TIMEOUT_MS: '10000',
  REDIS_URL: `redis://${HOSTS.redis}:6379`,
  REDIS_PREFIX: 'chaos',
  LOG_LEVEL: 'warn',
  ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000000',
  API_RATE_LIMIT_PER_MINUTE: '100000000',
  WORKER_CONCURRENCY: String(SETTINGS.concurrency),
  EXECUTION_LEASE_MS: String(LEASE_MS),
  RECONCILE_AFTER_MS: '3000',
  WORKER_LOCK_MS: '10000',
  MAX_QUEUED_EXECUTIONS: String(SETTINGS.backlog),
  SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
  WORKER_METRICS_PORT: '9464',
};

let hosts;
let sink;
let cleaning = false;

async function cleanup() {
  if (cleaning) return;
  cleaning = true;
  try {
    await hosts?.stopAll();
  } catch (err) {
    log(`stopping processes: ${err.message}`);
  }
  await sink?.close().catch(() => undefined);
  cleanupNetwork();
  rmSync(STATE_DIR, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  if (!cleaning) cleanupNetwork();
});

// ---------------------------------------------------------------------------------------------
// Platform

let db; // the suite's own PostgreSQL client pool (root namespace)
let token;

const api = (method, path, body) => apiCall(`http://${HOSTS.lb}:${LB_PORT}`, method, path, token, body);

async function createWorkflow(name, steps = STEPS) {
  return api('POST', '/api/workflows', {
    name: `chaos: ${name}`,
    trigger: { type: 'webhook' },
    steps: steps.map((id) => ({
      id,
      connector: 'http',
      action: 'request',
      input: { method: 'POST', url: `${sink.url}/${id}`, body: { ref: '{{ref}}', step: id }, timeoutMs: 10000 },
      retry: { attempts: 3, backoffMs: 200 },
    })),
  });
}

async function query(sql, params) {
  for (let i = 0; ; i++) {
    try {
      return (await db.query(sql, params)).rows;
    } catch (err) {
      if (i >= 60) throw err;
      await sleep(1000);
    }
  }
}

/** Brings back whatever a scenario left down (it should have restarted everything itself). */
async function ensureHealthy() {
  if (!hosts.pgRunning()) {
    log('PostgreSQL is down: starting it');
    await hosts.startPostgres();
  }
  if (!hosts.alive('redis')) await hosts.startRedis();
  for (const a of ['api1', 'api2']) if (!hosts.alive(a)) await hosts.startApi(a);
  for (const w of ['worker1', 'worker2']) if (!hosts.alive(w)) await hosts.startWorker(w);
  await hosts.waitBalancerUp(['api1', 'api2']);
}

// ---------------------------------------------------------------------------------------------
// Scenarios: each injects its fault while steady load runs (ctx.at(ms): ms after the load started).

const kill9Restart = async (ctx, name, downMs) => {
  ctx.event(`SIGKILL ${name}`);
  await hosts.kill(name, 'SIGKILL');
  await sleep(downMs);
  if (name.startsWith('worker')) await hosts.startWorker(name);
  else await hosts.startApi(name);
  ctx.event(`${name} restarted and healthy`);
};

/** `pg_ctl stop -m <mode>`, `downMs` without PostgreSQL, then start it again. */
async function pgDown(ctx, mode, downMs, startedNote) {
  ctx.event(`pg_ctl stop -m ${mode}`);
  hosts.stopPostgres(mode);
  await sleep(downMs);
  await hosts.startPostgres();
  ctx.event(startedNote);
}

/** A real partition: `host` and `peer` drop each other's packets (iptables) for `ms`, then heal. */
async function cutOff(ctx, host, peer, ms) {
  ctx.event(`DROP ${host} <-> ${peer}`);
  partition(host, peer);
  try {
    await sleep(ms);
  } finally {
    heal(host, peer);
  }
  ctx.event(`healed ${host} <-> ${peer}`);
}

const SCENARIOS = [
  {
    id: 'worker-kill',
    title: '1. worker SIGKILL mid-run (3 kills, restarted)',
    async fault(ctx) {
      // Restarts run in the background (a worker takes seconds to boot on a busy machine) so the
      // kills stay inside the load window.
      const D = ctx.loadMs;
      await ctx.at(D * 0.2);
      const first = kill9Restart(ctx, 'worker1', 1000);
      await ctx.at(D * 0.45);
      const second = kill9Restart(ctx, 'worker2', 1000);
      await ctx.at(D * 0.7);
      await first;
      await kill9Restart(ctx, 'worker1', 1000);
      await second;
    },
  },
  {
    id: 'redis-kill',
    title: '2. Redis SIGKILL, restarted empty',
    async fault(ctx) {
      await ctx.at(ctx.loadMs * 0.3);
      ctx.event('SIGKILL redis');
      await hosts.kill('redis', 'SIGKILL');
      await sleep(2000);
      await hosts.startRedis();
      ctx.event('redis restarted (empty: no persistence)');
    },
  },
  {
    id: 'api-kill',
    title: '3. api SIGKILL (restarted)',
    async fault(ctx) {
      await ctx.at(ctx.loadMs * 0.3);
      await kill9Restart(ctx, 'api1', 1000);
      await hosts.waitBalancerUp(['api1']);
      await ctx.at(ctx.loadMs * 0.6);
      await kill9Restart(ctx, 'api2', 1000);
    },
  },
  {
    id: 'pg-restart',
    title: '4. PostgreSQL fast stop, 5 s down, start',
    async fault(ctx) {
      await ctx.at(ctx.loadMs * 0.3);
      await pgDown(ctx, 'fast', 5000, 'PostgreSQL started');
    },
  },
  {
    id: 'pg-crash',
    title: '5. PostgreSQL crash (immediate stop: every connection dropped, recovery) and restart',
    async fault(ctx) {
      await ctx.at(ctx.loadMs * 0.3);
      await pgDown(ctx, 'immediate', 3000, 'PostgreSQL started (crash recovery done)');
    },
  },
  {
    id: 'partition-redis',
    title: '6. worker1 partitioned from Redis for 10 s',
    async fault(ctx) {
      await ctx.at(ctx.loadMs * 0.2);
      await cutOff(ctx, 'worker1', 'redis', 10_000);
    },
  },
  {
    id: 'partition-pg',
    title: `7. worker1 partitioned from PostgreSQL for ${(LEASE_MS * 3) / 1000} s (3 leases: worker2 resumes its runs)`,
    loadMs: (s) => Math.max(s.loadMs, LEASE_MS * 3 + 8000),
    async fault(ctx) {
      await ctx.at(3000);
      await cutOff(ctx, 'worker1', 'pg', LEASE_MS * 3);
    },
  },
  {
    id: 'slow-pg',
    title: '8. slow PostgreSQL: +200 ms on every answer for 10 s',
    async fault(ctx) {
      const proxyPort = 15432;
      hosts.spawnIn('delay-proxy', 'pg', process.execPath, [join(ROOT, 'scripts/chaos/delay-proxy.mjs'), HOSTS.pg, String(proxyPort), HOSTS.pg, String(PG_PORT), '200']);
      await ctx.at(ctx.loadMs * 0.2);
      ctx.event('PostgreSQL connections redirected through the 200 ms delay (existing ones terminated so they reconnect slow)');
      redirectPg(PG_PORT, proxyPort, true);
      try {
        const killed = await query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND client_addr IS NOT NULL AND client_addr <> $1`, [HOSTS.pg]);
        ctx.event(`${killed[0].n} connections terminated`);
        // Evidence that the delay is there: a new connection's round trips.
        const probe = new pg.Client({ connectionString: hosts.pgUrl() });
        const tc = Date.now();
        await probe.connect();
        const connectMs = Date.now() - tc;
        const rtts = [];
        for (let i = 0; i < 5; i++) {
          const tq = Date.now();
          await probe.query('SELECT 1');
          rtts.push(Date.now() - tq);
        }
        await probe.end();
        ctx.event(`through the delay: connect ${connectMs} ms, SELECT 1 ${rtts.join('/')} ms`);
        await sleep(10_000);
      } finally {
        redirectPg(PG_PORT, proxyPort, false);
      }
      ctx.event('redirect removed (connections made meanwhile stay slow until they close)');
    },
    async after() {
      await hosts.kill('delay-proxy', 'SIGKILL');
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Analysis

/**
 * Classifies what the sink saw and what PostgreSQL holds for one scenario's refs.
 * A repeat of (ref, step) is a duplicate of a completed step when it carries another
 * Idempotency-Key, arrives once the sink has seen the next step, or once the execution finished;
 * otherwise it is the allowed at-least-once retry of the step in flight (same key).
 */
async function analyze(sender, workflowId, refPrefix, steps = STEPS) {
  const rows = await query(`SELECT id, status, payload->>'ref' AS ref, created_at, started_at, finished_at, attempts, job_id FROM executions WHERE workflow_id = $1`, [workflowId]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byRef = new Map();
  for (const r of rows) byRef.set(r.ref, [...(byRef.get(r.ref) ?? []), r]);
  const statuses = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;

  const lost = [];
  let delivered = 0;
  for (const rec of sender.refs.values()) {
    if (!rec.accepted) continue;
    const row = byId.get(rec.executionId);
    const d = sink.deliveries.get(rec.ref) ?? [];
    const seen = steps.filter((s) => d.some((x) => x.step === s));
    if (seen.length === steps.length) delivered++;
    if (!row || row.status !== 'succeeded' || seen.length !== steps.length) {
      lost.push({ ref: rec.ref, executionId: rec.executionId, status: row?.status ?? 'no row', stepsDelivered: seen });
    }
  }

  const duplicateExecutions = [];
  for (const [ref, execs] of byRef) if (execs.length > 1) duplicateExecutions.push({ ref, executions: execs.map((e) => e.id) });
  const { duplicateCompleted, completedPerStep, inFlightRepeats, inFlightPerStep } = classifyRepeats(
    sink.deliveries,
    steps,
    (id) => (byId.get(id)?.finished_at ? new Date(byId.get(id).finished_at).getTime() : undefined),
    (ref) => ref.startsWith(`${refPrefix}-`),
  );
  const stuck = rows.filter((r) => r.status === 'queued' || r.status === 'running').map((r) => ({ id: r.id, ref: r.ref, status: r.status, attempts: r.attempts }));
  const acceptedRefs = new Set([...sender.refs.values()].filter((r) => r.accepted).map((r) => r.ref));
  const unacknowledged = rows.filter((r) => !acceptedRefs.has(r.ref)).length;
  const slowest = rows
    .filter((r) => r.finished_at)
    .map((r) => ({ id: r.id, ref: r.ref, attempts: r.attempts, jobId: r.job_id, createdAt: r.created_at.toISOString(), startedAt: r.started_at?.toISOString(), finishedAt: r.finished_at.toISOString(), ms: r.finished_at - r.created_at, deliveries: (sink.deliveries.get(r.ref) ?? []).map((d) => `${d.step}@${new Date(d.at).toISOString().slice(11, 23)}`) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5);
  return { steps, statuses, slowest, delivered, lost, duplicateCompleted, completedPerStep, inFlightRepeats, inFlightPerStep, duplicateExecutions, stuck, unacknowledgedRuns: unacknowledged };
}

async function waitDrain(workflowId, timeoutMs) {
  const started = Date.now();
  for (;;) {
    const rows = await query(`SELECT count(*) FILTER (WHERE status IN ('queued','running'))::int AS open FROM executions WHERE workflow_id = $1`, [workflowId]);
    if (rows[0].open === 0) return { drained: true, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) return { drained: false, ms: Date.now() - started, open: rows[0].open };
    await sleep(500);
  }
}

function verdict(r) {
  const problems = [];
  if (r.error) problems.push(`scenario error: ${r.error}`);
  if (r.lost?.length) problems.push(`${r.lost.length} lost`);
  if (r.duplicateCompleted?.length) problems.push(`${r.duplicateCompleted.length} duplicate(s) of completed steps`);
  if (r.duplicateExecutions?.length) problems.push(`${r.duplicateExecutions.length} ref(s) with several executions`);
  if (r.stuck?.length) problems.push(`${r.stuck.length} stuck`);
  if (r.load?.served500) problems.push(`${r.load.served500} answer(s) 500`);
  if (r.zeroRefusals && r.load?.refusedAttempts) problems.push(`${r.load.refusedAttempts} refused request(s) (must be 0)`);
  if (r.extraProblems?.length) problems.push(...r.extraProblems);
  return problems;
}

function printScenario(r) {
  const l = r.load ?? {};
  console.log(`\n=== ${r.title} ===`);
  for (const e of r.events ?? []) console.log(`  +${(e.atMs / 1000).toFixed(1)}s ${e.what}`);
  console.log(`  webhooks sent (unique refs): ${l.refs ?? '-'}, attempts ${l.attempts ?? '-'}`);
  console.log(`  accepted (202): ${l.accepted ?? '-'} (of which answered as an idempotent replay: ${l.acceptedAsReplay ?? 0})`);
  console.log(`  refused attempts: ${l.refusedAttempts ?? '-'} ${JSON.stringify(l.refused ?? {})}; refs retried: ${l.refsRetried ?? 0}; refs given up: ${l.gaveUp ?? 0}`);
  console.log(`  executions by status: ${JSON.stringify(r.statuses ?? {})}`);
  console.log(`  delivered (all ${r.steps?.length ?? STEPS.length} steps): ${r.delivered ?? '-'}; lost: ${r.lost?.length ?? '-'}; stuck: ${r.stuck?.length ?? '-'}`);
  console.log(`  duplicates of completed steps: ${r.duplicateCompleted?.length ?? '-'} ${JSON.stringify(r.completedPerStep ?? {})}; in-flight repeats (same key): ${r.inFlightRepeats?.length ?? '-'} ${JSON.stringify(r.inFlightPerStep ?? {})}`);
  if (l.acceptLatencyMs) console.log(`  202 latency ms: p50 ${l.acceptLatencyMs.p50}, p99 ${l.acceptLatencyMs.p99}, max ${l.acceptLatencyMs.max}; accepted ${l.acceptedPerSecond}/s; waits for a free sender connection: p99 ${l.senderWaitMs?.p99} ms, max ${l.senderWaitMs?.max} ms; slowest execution (accept to finish): ${r.slowest?.[0] ? `${r.slowest[0].ms} ms` : '-'}`);
  console.log(`  time to drain: ${r.drain ? `${(r.drain.ms / 1000).toFixed(1)} s${r.drain.drained ? '' : ' (NOT drained)'}` : '-'}`);
  if (r.extra) console.log(`  ${JSON.stringify(r.extra)}`);
  if (r.drain?.ms > 10_000) for (const x of r.slowest ?? []) console.log(`    slowest: ${JSON.stringify(x)}`);
  for (const sample of [...(r.lost ?? []).slice(0, 5), ...(r.duplicateCompleted ?? []).slice(0, 5), ...(r.stuck ?? []).slice(0, 5)]) console.log(`    evidence: ${JSON.stringify(sample)}`);
  const problems = verdict(r);
  console.log(`  => ${problems.length ? `FAIL: ${problems.join('; ')}` : 'PASS'}`);
}

// ---------------------------------------------------------------------------------------------
// Running a scenario

async function runSteadyScenario(def) {
  const refPrefix = `${def.id}-${RUN_ID}`;
  const loadMs = def.loadMs ? def.loadMs(SETTINGS) : SETTINGS.loadMs;
  const result = { id: def.id, title: def.title, zeroRefusals: !!def.zeroRefusals, events: [], extraProblems: [] };
  const wf = await createWorkflow(def.id);
  const sender = new Sender(`http://${HOSTS.lb}:${LB_PORT}`, `/api/webhooks/${wf.id}`);
  const load = sender.runSteady({ rate: SETTINGS.rate, durationMs: loadMs, refPrefix });
  const ctx = {
    loadMs,
    sender,
    at: async (ms) => {
      const wait = load.started + ms - Date.now();
      if (wait > 0) await sleep(wait);
    },
    event: (what) => {
      result.events.push({ atMs: Date.now() - load.started, what });
      log(`${def.id}: ${what}`);
    },
  };
  log(`${def.id}: load ${SETTINGS.rate}/s for ${loadMs / 1000} s`);
  try {
    result.extra = await def.fault(ctx, result);
  } catch (err) {
    result.error = err.message;
    log(`${def.id}: fault failed: ${err.stack}`);
  }
  if (def.stopLoadAfterFault) load.stop();
  await load.sentRefs;
  await sender.settle();
  ctx.event('load over, every webhook answered or given up');
  result.drain = await waitDrain(wf.id, SETTINGS.drainTimeoutMs);
  ctx.event(result.drain.drained ? `drained in ${(result.drain.ms / 1000).toFixed(1)} s` : 'drain deadline passed');
  await sleep(500); // the last deliveries' answers
  result.load = sender.summary();
  Object.assign(result, await analyze(sender, wf.id, refPrefix));
  await sender.close();
  result.sender = sender; // for scenario-specific analysis (dropped from the report)
  try {
    await def.after?.();
  } catch (err) {
    result.extraProblems.push(`after: ${err.message}`);
  }
  return result;
}

/** 9. Burst: workers stopped, ingest as fast as possible until the backlog limit sheds, then drain. */
async function runBurst() {
  const def = { id: 'burst', title: `9. burst to the backlog limit (MAX_QUEUED_EXECUTIONS=${SETTINGS.backlog.toLocaleString('en')}), workers stopped, then drain` };
  const refPrefix = `${def.id}-${RUN_ID}`;
  const result = { id: def.id, title: def.title, events: [], extraProblems: [] };
  const burstSteps = STEPS.slice(0, SETTINGS.burstSteps);
  const wf = await createWorkflow(def.id, burstSteps);
  const started = Date.now();
  const event = (what) => {
    result.events.push({ atMs: Date.now() - started, what });
    log(`burst: ${what}`);
  };
  // Workers stopped (SIGTERM: they finish what they run).
  await Promise.all(['worker1', 'worker2'].map((w) => hosts.kill(w, 'SIGTERM')));
  event('workers stopped');
  const LANES = 64;
  const sender = new Sender(`http://${HOSTS.lb}:${LB_PORT}`, `/api/webhooks/${wf.id}`, { connections: LANES, maxAttempts: 1000, maxRetryMs: SETTINGS.burstDrainTimeoutMs });
  let n = 0;
  let stop = false;
  let firstShedAt;
  const memory = { api1: null, api2: null, redis: null, samples: [] };
  const sampleMemory = async () => {
    const s = { atMs: Date.now() - started, api1: hosts.rss('api1'), api2: hosts.rss('api2'), redis: await hosts.redisUsedMemory().catch(() => null) };
    memory.samples.push(s);
    return s;
  };
  // Lanes: each a sender of its own refs; a shed ref waits its Retry-After and is sent again (well behaved).
  const lanes = Array.from({ length: LANES }, async () => {
    while (!stop) await sender.send(`${refPrefix}-${n++}`);
  });
  // Watch the backlog; stop new refs a few seconds after shedding began.
  let queued;
  let lastLog = 0;
  for (;;) {
    await sleep(1000);
    queued = (await query(`SELECT count(*)::int AS n FROM executions WHERE status = 'queued'`))[0].n;
    const sh = sender.progress();
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      const m = await sampleMemory();
      log(`burst: queued ${queued}, accepted ${sh.accepted}, refused ${sh.refusedAttempts} ${JSON.stringify(sh.refused)}, api1 RSS ${m.api1?.rssMb} MB, Redis ${m.redis?.usedMemoryMb} MB`);
    }
    if ((sh.refused['503 (Retry-After)'] ?? 0) > 0) firstShedAt ??= Date.now();
    if (firstShedAt && queued >= SETTINGS.backlog && Date.now() - firstShedAt >= 3000) break;
    if (Date.now() - started > SETTINGS.burstTimeoutMs) {
      result.extraProblems.push(`backlog did not reach the limit within ${SETTINGS.burstTimeoutMs / 1000} s (queued ${queued})`);
      break;
    }
  }
  stop = true;
  event(`backlog at the limit: ${queued} queued; shedding`);
  // A rude flood while at the limit: first attempts only, as fast as the lanes go, for 3 s.
  const floodStart = Date.now();
  const flood = new Sender(`http://${HOSTS.lb}:${LB_PORT}`, `/api/webhooks/${wf.id}`, { connections: LANES });
  let m = 0;
  await Promise.all(Array.from({ length: LANES }, async () => {
    while (Date.now() - floodStart < 3000) await flood.send(`${refPrefix}-flood-${m++}`, { firstAttemptOnly: true });
  }));
  const floodSummary = flood.summary();
  event(`flood at the limit: ${floodSummary.refs} webhooks in 3 s: ${JSON.stringify(floodSummary.refused)}, accepted ${floodSummary.accepted}`);
  const atLimit = await sampleMemory();
  memory.api1 = atLimit.api1;
  memory.api2 = atLimit.api2;
  memory.redis = atLimit.redis;
  // Start the workers and drain everything (the lanes' shed refs are retried after Retry-After).
  const drainStart = Date.now();
  await Promise.all([hosts.startWorker('worker1'), hosts.startWorker('worker2')]);
  event('workers started');
  await Promise.all(lanes);
  await sender.settle();
  event('every webhook of the lanes answered (accepted after its Retry-After, or given up)');
  const drain = await waitDrain(wf.id, SETTINGS.burstDrainTimeoutMs - (Date.now() - drainStart));
  result.drain = { ...drain, ms: Date.now() - drainStart };
  event(drain.drained ? `drained in ${(result.drain.ms / 1000).toFixed(1)} s after the workers started` : 'drain deadline passed');
  await sleep(500);
  // One report over both senders: merge the flood's refs into the lanes' sender.
  for (const [k, v] of flood.refs) sender.refs.set(k, v);
  result.load = sender.summary();
  Object.assign(result, await analyze(sender, wf.id, refPrefix, burstSteps));
  const floodNo503 = floodSummary.refused['503 (no Retry-After)'] ?? 0;
  if (floodNo503) result.extraProblems.push(`${floodNo503} 503s without Retry-After`);
  const otherRefusals = Object.keys(floodSummary.refused).filter((k) => !k.startsWith('503'));
  if (otherRefusals.length) result.extraProblems.push(`the api answered something else than 503 at the limit: ${JSON.stringify(floodSummary.refused)}`);
  const after = await sampleMemory();
  result.extra = {
    backlogAtLimit: queued,
    flood: { webhooks: floodSummary.refs, perSecond: Math.round(floodSummary.refs / 3), refused: floodSummary.refused, accepted: floodSummary.accepted },
    memoryAtLimit: { api1: memory.api1, api2: memory.api2, redis: memory.redis },
    memoryAfterDrain: { api1: after.api1, api2: after.api2, redis: after.redis },
  };
  result.memorySamples = memory.samples;
  await sender.close();
  await flood.close();
  return result;
}

/**
 * 11. A PostgreSQL failover: a synchronous standby on its own host (pg2) is made before the load;
 * at 30 % the primary's host goes dark (its link down: packets vanish, nobody gets a reset), 3 s
 * later (a failure detector's delay) the standby is promoted and takes over the service address, as
 * keepalived would move a floating IP. The platform keeps its DATABASE_URL; what it had committed is
 * on the new primary; nothing accepted may be lost, repeated or left stuck. Runs last: the suite's
 * PostgreSQL is the promoted standby afterwards.
 */
const FAILOVER = {
  id: 'pg-failover',
  title: `11. PostgreSQL failover: the primary's host goes dark, its synchronous standby (another host) is promoted and takes over ${HOSTS.pg}`,
  async fault(ctx) {
    await ctx.at(ctx.loadMs * 0.3);
    ctx.event('primary host link down (its packets dropped, no resets)');
    linkDown('pg');
    await sleep(3000);
    hosts.stopPostgres('immediate'); // the old primary never comes back (no split brain)
    hosts.promoteStandby();
    ctx.event('standby promoted (pg_ctl promote)');
    moveAddress(HOSTS.pg, 'pg', 'pg2');
    ctx.event(`${HOSTS.pg} moved to pg2 (neighbour caches flushed)`);
  },
};

async function runFailover() {
  log('pg-failover: making a synchronous standby on pg2 (pg_basebackup)');
  await hosts.startStandby();
  return runSteadyScenario(FAILOVER);
}

/** 10. Rolling restart of both api processes behind HAProxy under steady load: zero refused. */
async function runRolling() {
  const def = {
    id: 'rolling-restart',
    title: '10. rolling restart of api1 then api2 behind HAProxy (SIGTERM, drain, new process healthy), zero refused',
    zeroRefusals: true,
    loadMs: () => 600_000, // until both restarts are done (stopLoadAfterFault)
    stopLoadAfterFault: true,
    async fault(ctx) {
      await ctx.at(3000);
      const restarts = [];
      for (const name of ['api1', 'api2']) {
        const child = hosts.procs.get(name);
        const sigtermAt = Date.now();
        ctx.event(`SIGTERM ${name}`);
        child.kill('SIGTERM');
        // When HAProxy stops sending to it.
        let downAt = null;
        const watch = (async () => {
          while (hosts.alive(name)) {
            const s = await hosts.haproxyState().catch(() => ({}));
            if (!downAt && s[name] && s[name] !== 'UP') downAt = Date.now();
            await sleep(100);
          }
        })();
        const exit = await child.exitInfo;
        await watch;
        ctx.event(`${name} exited (${exit.signal ?? exit.code}) ${exit.at - sigtermAt} ms after SIGTERM; HAProxy marked it down after ${downAt ? downAt - sigtermAt : '?'} ms`);
        const startAt = Date.now();
        await hosts.startApi(name);
        await hosts.waitBalancerUp([name]);
        ctx.event(`new ${name} healthy and UP in HAProxy ${Date.now() - startAt} ms after its start`);
        restarts.push({ name, sigtermAt, exitAt: exit.at, exitCode: exit.code, exitSignal: exit.signal, downInBalancerAfterMs: downAt ? downAt - sigtermAt : null, drainMs: exit.at - sigtermAt, newProcessUpAfterMs: Date.now() - startAt });
        await sleep(2000);
      }
      await sleep(2000);
      return restarts;
    },
  };
  const result = await runSteadyScenario(def);
  // What each api's graceful SIGTERM finished: requests in flight at SIGTERM, and requests that
  // reached it during the drain delay (before HAProxy marked it down), by their answers.
  const restarts = Array.isArray(result.extra) ? result.extra : [];
  const attempts = [...result.sender.refs.values()].flatMap((rec) => rec.attempts);
  for (const r of restarts) {
    const mine = attempts.filter((a) => a.server === r.name && a.t1 >= r.sigtermAt && a.t0 <= r.exitAt);
    const inFlight = mine.filter((a) => a.t0 < r.sigtermAt);
    const during = mine.filter((a) => a.t0 >= r.sigtermAt);
    const answers = (list) => list.reduce((o, a) => ((o[a.status ?? a.error] = (o[a.status ?? a.error] ?? 0) + 1), o), {});
    r.inFlightAtSigterm = { count: inFlight.length, answers: answers(inFlight) };
    r.receivedDuringDrainDelay = { count: during.length, answers: answers(during), lastAnsweredMsAfterSigterm: during.length ? Math.max(...during.map((a) => a.t1)) - r.sigtermAt : null };
    const failed = attempts.filter((a) => a.t0 >= r.sigtermAt - 1000 && a.t0 <= r.exitAt + 5000 && a.status !== 202);
    r.refusedAroundRestart = failed.length;
  }
  result.extra = { restarts };
  return result;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (process.getuid?.() !== 0) {
    console.error('[chaos] cannot build the hosts: the chaos suite needs root (ip netns, veth, iptables): run it as root');
    process.exit(2);
  }
  // First the tools (a fresh machine has no iptables or HAProxy), then whether namespaces work here.
  ensureTools(log);
  const problem = probeNetns();
  if (problem) {
    console.error(`[chaos] cannot build the hosts: ${problem}`);
    process.exit(2);
  }
  cleanupNetwork(log);
  rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const selected = (process.env.CHAOS_SCENARIOS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const all = [...SCENARIOS.map((s) => s.id), 'burst', 'rolling-restart', 'pg-failover'];
  for (const s of selected) if (!all.includes(s)) throw new Error(`unknown scenario ${s} (known: ${all.join(', ')})`);
  const wanted = (id) => !selected.length || selected.includes(id);

  log(`scale ${SCALE}: ${JSON.stringify(SETTINGS)}; scenarios: ${all.filter(wanted).join(', ')}`);
  setupNetwork();
  log(`network: bridge trc-br0 ${GATEWAY}/24, hosts ${Object.entries(HOSTS).map(([h, a]) => `${h}=${a}`).join(' ')}`);
  hosts = new Hosts({ dir: STATE_DIR, logsDir: join(ARTIFACTS, RUN_ID), root: ROOT, env: ENV, log });
  sink = await startSink(GATEWAY, SINK_PORT);
  hosts.initPostgres();
  await hosts.startPostgres();
  const admin = new pg.Client({ connectionString: hosts.pgUrl('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE tributary');
  await admin.end();
  await hosts.startRedis();
  await hosts.startApi('api1'); // migrates
  await Promise.all([hosts.startApi('api2'), hosts.startWorker('worker1'), hosts.startWorker('worker2')]);
  await hosts.startHaproxy({ interMs: LB_INTER_MS, fall: LB_FALL, rise: 2 });
  await hosts.waitBalancerUp(['api1', 'api2']);
  db = new pg.Pool({ connectionString: hosts.pgUrl(), max: 2, connectionTimeoutMillis: 2000 });
  db.on('error', () => undefined);
  ({ token } = await api('POST', '/api/auth/register', { email: 'chaos@example.com', password: 'password123' }));
  log(`platform up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const results = [];
  const run = async (id, fn) => {
    if (!wanted(id)) return;
    await ensureHealthy();
    const started = Date.now();
    let r;
    try {
      r = await fn();
    } catch (err) {
      r = { id, title: id, error: err.stack ?? String(err) };
    }
    r.seconds = Math.round((Date.now() - started) / 100) / 10;
    r.problems = verdict(r);
    printScenario(r);
    delete r.sender;
    results.push(r);
  };
  for (const def of SCENARIOS) await run(def.id, () => runSteadyScenario(def));
  await run('burst', runBurst);
  await run('rolling-restart', runRolling);
  await run('pg-failover', runFailover);

  const summary = {
    suite: 'chaos',
    scale: SCALE,
    settings: SETTINGS,
    env: { EXECUTION_LEASE_MS: LEASE_MS, RECONCILE_AFTER_MS: ENV.RECONCILE_AFTER_MS, SHUTDOWN_DRAIN_DELAY_MS: DRAIN_DELAY_MS, WORKER_CONCURRENCY: ENV.WORKER_CONCURRENCY, MAX_QUEUED_EXECUTIONS: ENV.MAX_QUEUED_EXECUTIONS, haproxy: { interMs: LB_INTER_MS, fall: LB_FALL } },
    machine: { nproc: os.cpus().length, memoryGb: Math.round(os.totalmem() / 1e9), kernel: os.release(), node: process.version },
    startedAt: new Date(t0).toISOString(),
    seconds: Math.round((Date.now() - t0) / 1000),
    passed: results.every((r) => !r.problems.length),
    scenarios: results.map((r) => ({
      ...r,
      lost: r.lost?.length ?? null,
      lostSamples: r.lost?.slice(0, 20),
      duplicateCompleted: r.duplicateCompleted?.length ?? null,
      duplicateCompletedSamples: r.duplicateCompleted?.slice(0, 20),
      inFlightRepeats: r.inFlightRepeats?.length ?? null,
      inFlightRepeatSamples: r.inFlightRepeats?.slice(0, 5),
      stuck: r.stuck?.length ?? null,
      stuckSamples: r.stuck?.slice(0, 20),
      duplicateExecutions: r.duplicateExecutions?.length ?? null,
    })),
  };
  const file = join(ARTIFACTS, `${RUN_ID}.json`);
  writeFileSync(file, JSON.stringify(summary, null, 2));
  console.log('\n=== summary ===');
  console.log('scenario            accepted refused lost dup-completed in-flight-repeats stuck drain-s  verdict');
  for (const r of summary.scenarios) {
    console.log(
      `${r.id.padEnd(19)} ${String(r.load?.accepted ?? '-').padStart(8)} ${String(r.load?.refusedAttempts ?? '-').padStart(7)} ${String(r.lost ?? '-').padStart(4)} ${String(r.duplicateCompleted ?? '-').padStart(13)} ${String(r.inFlightRepeats ?? '-').padStart(17)} ${String(r.stuck ?? '-').padStart(5)} ${String(r.drain ? (r.drain.ms / 1000).toFixed(1) : '-').padStart(7)}  ${r.problems.length ? `FAIL (${r.problems.join('; ')})` : 'PASS'}`,
    );
  }
  console.log('\nas a Markdown table (docs/reliability.md):');
  console.log('| scenario | sent (refs) | accepted (202) | refused attempts (kind) | executions by status | delivered | lost | duplicates of completed steps | in-flight repeats (same key) | stuck | 202 p50 / p99 ms | sender wait p99 ms | time to drain | verdict |');
  console.log('| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |');
  for (const r of summary.scenarios) {
    const l = r.load ?? {};
    const kinds = Object.entries(l.refused ?? {}).map(([k, v]) => `${v} ${k}`).join(', ');
    const refused = l.refusedAttempts ? `${l.refusedAttempts}: ${kinds}` : String(l.refusedAttempts ?? '-');
    const statuses = Object.entries(r.statuses ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
    const lat = l.acceptLatencyMs ? `${l.acceptLatencyMs.p50} / ${l.acceptLatencyMs.p99}` : '-';
    console.log(`| ${r.id} | ${l.refs ?? '-'} | ${l.accepted ?? '-'} | ${refused} | ${statuses} | ${r.delivered ?? '-'} | ${r.lost ?? '-'} | ${r.duplicateCompleted ?? '-'} | ${r.inFlightRepeats ?? '-'} | ${r.stuck ?? '-'} | ${lat} | ${l.senderWaitMs?.p99 ?? '-'} | ${r.drain ? `${(r.drain.ms / 1000).toFixed(1)} s` : '-'} | ${r.problems.length ? `FAIL: ${r.problems.join('; ')}` : 'PASS'} |`);
  }
  console.log(`\nsummary written to ${file}; process logs in ${join(ARTIFACTS, RUN_ID)}/`);
  await db.end().catch(() => undefined);
  return summary.passed;
}

main()
  .then(async (passed) => {
    await cleanup();
    log(passed ? 'make chaos: every scenario passed' : 'make chaos: FAILED (see above)');
    process.exit(passed ? 0 : 1);
  })
  .catch(async (err) => {
    console.error(`[chaos] ${err.stack ?? err}`);
    await cleanup();
    process.exit(1);
  });
