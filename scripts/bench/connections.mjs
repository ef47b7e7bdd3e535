// Connections benchmark: `node scripts/bench/connections.mjs` (or `make bench-connections`) starts the
// real api and two workers from backend/dist (BENCH_DIST for another build) on a fresh database, with
// scripts/mock-apis as every provider, and measures the numbers. Prints one JSON object on
// stdout (progress on stderr). Every number is measured here.
//
//   token_refresh   an OAuth2 connection (authorization code with PKCE, through the mock's consent
//                   form) whose tokens the provider expires; then N (200) runs at once, spread over
//                   the two workers, all needing a new token: token requests the provider counted
//                   (the target is exactly 1), failures, the runs' wall time.
//   slack_limit     a Slack webhook connection whose provider enforces 1 message/s (the mock's
//                   opt-in `mock-rate-limit`, 429 + Retry-After as Slack answers) receiving M (300)
//                   runs at once: failures, provider 429s, messages delivered per second from the
//                   first to the last, the steps' throttled time (p50/max), worker CPU per run, how
//                   many runs parked for their turn, and how many held a worker slot at once.
//
// BENCH_CONN_PHASES=token_refresh,slack_limit selects phases; BENCH_CONN_REFRESH_RUNS (200) and
// BENCH_CONN_SLACK_RUNS (300: five minutes at 1/s) set the counts.
import pg from 'pg';
import { apiCall } from '../lib/api.mjs';
import { ensurePostgres, ensureRedis } from '../lib/services.mjs';
import { startMockApis } from '../mock-apis/server.js';
import { cpuMs, freshDatabase, log, round, sleep, startProcess, stopProcess, summary, waitHttp } from './harness.mjs';

const ALL = ['token_refresh', 'slack_limit'];
const PHASES = (process.env.BENCH_CONN_PHASES ?? ALL.join(',')).split(',').filter(Boolean);
for (const p of PHASES) if (!ALL.includes(p)) throw new Error(`BENCH_CONN_PHASES: unknown phase "${p}" (known: ${ALL.join(', ')})`);
const REFRESH_RUNS = Number(process.env.BENCH_CONN_REFRESH_RUNS ?? 200);
const SLACK_RUNS = Number(process.env.BENCH_CONN_SLACK_RUNS ?? 300);
const FINAL = ['succeeded', 'failed', 'cancelled'];

const server = await ensurePostgres({ database: 'postgres' });
const redis = await ensureRedis();
if (!redis.url) throw new Error('the connections bench needs Redis (the rate limit is shared through it)');
const dbName = 'tributary_bench_connections';
const dbUrl = await freshDatabase(server.url, dbName);

const mock = await startMockApis({ port: 0 });
const port = 18190;
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
  REDIS_URL: redis.url,
  REDIS_PREFIX: `benchconn${Date.now()}`,
  LOG_LEVEL: 'warn',
  ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000000',
  API_RATE_LIMIT_PER_MINUTE: '100000000',
  WORKER_CONCURRENCY: '400',
  CORS_ORIGINS: 'http://localhost:3000',
  CONNECTOR_SLACK_BASE_URL: `${mock.url}/slack`,
};
const api = startProcess('api', 'main.js', env);
await waitHttp(`${base}/health`);
const workers = [0, 1].map((i) => startProcess(`worker${i}`, 'worker.js', { ...env, WORKER_METRICS_PORT: String(19480 + i) }));
await Promise.all([0, 1].map((i) => waitHttp(`http://127.0.0.1:${19480 + i}/health`)));
const db = new pg.Pool({ connectionString: dbUrl, max: 4 });
const { token } = await apiCall(base, 'POST', '/api/auth/register', undefined, { email: 'bench-connections@example.com', password: 'password123' });
const call = (method, path, body) => apiCall(base, method, path, token, body);

async function workflow(name, steps) {
  return (await call('POST', '/api/workflows', { name: `bench connections: ${name}`, trigger: { type: 'manual' }, steps })).id;
}

/** Starts `n` runs at once; answers when all have finished, with their statuses and step results. */
async function runAll(workflowId, n) {
  const ids = await Promise.all(Array.from({ length: n }, async () => (await call('POST', `/api/workflows/${workflowId}/run`, {})).executionId));
  for (;;) {
    const { rows } = await db.query(`SELECT count(*) FILTER (WHERE status = ANY($2))::int AS done FROM executions WHERE id = ANY($1::uuid[])`, [ids, FINAL]);
    if (rows[0].done === n) break;
    await sleep(250);
  }
  const { rows } = await db.query(`SELECT status, error, steps FROM executions WHERE id = ANY($1::uuid[])`, [ids]);
  return rows;
}

const results = { runs: { refresh: REFRESH_RUNS, slack: SLACK_RUNS }, phases: {} };
try {
  if (PHASES.includes('token_refresh')) {
    const clientId = `bench-${Date.now()}`;
    const cred = await call('POST', '/api/credentials', {
      connector: 'http',
      name: 'bench oauth',
      oauth2: { grant: 'authorization_code', clientId, clientSecret: `${clientId}-secret`, authorizationUrl: `${mock.url}/oauth/authorize`, tokenUrl: `${mock.url}/oauth/token` },
    });
    // The consent, as a browser would: the provider's form, Approve, then our callback.
    const { authorizationUrl } = await call('POST', `/api/credentials/${cred.id}/oauth2/authorize`, {});
    const u = new URL(authorizationUrl);
    const decided = await fetch(`${mock.url}/oauth/authorize`, { method: 'POST', body: new URLSearchParams({ ...Object.fromEntries(u.searchParams), decision: 'approve' }), redirect: 'manual' });
    const cb = new URL(decided.headers.get('location'));
    await fetch(`${base}${cb.pathname}${cb.search}`, { redirect: 'manual' });
    const wf = await workflow('userinfo', [{ id: 'me', connector: 'http', action: 'request', credentialId: cred.id, input: { url: `${mock.url}/oauth/userinfo` }, retry: { attempts: 1 } }]);
    // Warm both workers' caches with the current token, then the provider expires it.
    await runAll(wf, 20);
    await fetch(`${mock.url}/oauth/__expire/${clientId}`, { method: 'POST' });
    const before = (await (await fetch(`${mock.url}/oauth/__stats?client_id=${clientId}`)).json()).tokenRequests;
    log(`token_refresh: ${REFRESH_RUNS} runs at once on an expired token`);
    const t0 = performance.now();
    const rows = await runAll(wf, REFRESH_RUNS);
    const wallMs = performance.now() - t0;
    const after = (await (await fetch(`${mock.url}/oauth/__stats?client_id=${clientId}`)).json()).tokenRequests;
    results.phases.token_refresh = {
      runs: REFRESH_RUNS,
      workers: 2,
      token_requests: after.refresh_token - before.refresh_token,
      failed: rows.filter((r) => r.status !== 'succeeded').length,
      refreshed_on_401: rows.filter((r) => (r.steps?.[0]?.warnings ?? []).some((w) => /refreshed it/.test(w))).length,
      wall_ms: round(wallMs, 0),
    };
    log(`token_refresh: ${JSON.stringify(results.phases.token_refresh)}`);
  }

  if (PHASES.includes('slack_limit')) {
    const cred = await call('POST', '/api/credentials', {
      connector: 'slack',
      name: 'bench slack 1/s',
      data: { webhookUrl: `${mock.url}/slack/services/T00000000/B00000000/tributarymockwebhook0001?mock-rate-limit` },
    });
    const wf = await workflow('slack', [{ id: 'post', connector: 'slack', action: 'send_message', credentialId: cred.id, input: { text: 'bench {{$execution.id}}' } }]);
    mock.reset();
    const cpu0 = workers.map((w) => cpuMs(w.pid));
    log(`slack_limit: ${SLACK_RUNS} runs at once on a 1 message/s connection (about ${SLACK_RUNS} s)`);
    // How many of them hold a worker slot (running) while the queue drains, sampled every 250 ms.
    const running = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows: r } = await db.query(`SELECT count(*)::int AS n FROM executions WHERE workflow_id = $1 AND status = 'running'`, [wf]);
        running.push(r[0].n);
        await sleep(250);
      }
    })();
    const rows = await runAll(wf, SLACK_RUNS).finally(() => (sampling = false));
    await sampler;
    const { rows: parkedRows } = await db.query(
      `SELECT count(DISTINCT w.execution_id)::int AS n FROM execution_waits w JOIN executions e ON e.id = w.execution_id WHERE e.workflow_id = $1 AND w.kind = 'duration'`,
      [wf],
    );
    const cpu = workers.reduce((s, w, i) => s + (cpuMs(w.pid) - cpu0[i]), 0);
    const posts = mock.requests.filter((r) => r.path.startsWith('/slack/services/'));
    const refused = posts.filter((r) => r.headers['x-mock-rate-limited']).length;
    const delivered = posts.length - refused;
    const times = posts.filter((r) => !r.headers['x-mock-rate-limited']).map((r) => Date.parse(r.time)).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const throttled = rows.map((r) => r.steps?.[0]?.throttledMs ?? 0).sort((a, b) => a - b);
    results.phases.slack_limit = {
      runs: SLACK_RUNS,
      failed: rows.filter((r) => r.status !== 'succeeded').length,
      provider_429: refused,
      delivered,
      per_second: times.length > 1 ? round((times.length - 1) / ((times.at(-1) - times[0]) / 1000), 3) : null,
      gap_ms: summary(gaps),
      throttled_ms: summary(throttled),
      worker_cpu_ms_per_run: round(cpu / SLACK_RUNS, 2),
      // Runs whose turn was more than WAIT_DURABLE_AFTER_MS off parked (a duration wait) instead of holding a slot.
      parked_runs: parkedRows[0].n,
      running_while_draining: { max: Math.max(0, ...running), p50: summary(running).p50, samples: running.length },
    };
    log(`slack_limit: ${JSON.stringify(results.phases.slack_limit)}`);
  }
  console.log(JSON.stringify(results, null, 2));
} finally {
  for (const w of workers) await stopProcess(w);
  await stopProcess(api);
  await db.end();
  await mock.close();
}
