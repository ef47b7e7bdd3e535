// API key vs JWT benchmark: `node scripts/bench/api-keys.mjs` starts the real api from backend/dist
// (BENCH_DIST for another build) on a fresh database with Redis (the per-tenant API rate limit counts
// every request, as in production), registers one tenant, creates an admin-scoped personal API key
// for its user, and measures `GET /api/workflows?limit=1` with the session JWT and with the key: the
// same tenant, user and answer. Closed loop over undici (BENCH_API_KEYS_CONNECTIONS, 10), warmed up
// (1,000 each), then BENCH_API_KEYS_COUNT (5,000) requests per credential in interleaved rounds
// (JWT, key, key, JWT, … 10 rounds) so drift of the machine falls on both alike. Prints one JSON
// object on stdout: p50/p90/p99 latency (ms) and api CPU per request (µs, /proc) for each, and the
// key's p50 relative to the JWT's (the target: within +10 %).
import os from 'node:os';
import { Pool } from 'undici';
import { apiCall } from '../lib/api.mjs';
import { ensurePostgres, ensureRedis } from '../lib/services.mjs';
import { cpuCalibrationMs, cpuMs, freshDatabase, log, round, startProcess, stopProcess, summary, waitHttp } from './harness.mjs';

const COUNT = Number(process.env.BENCH_API_KEYS_COUNT ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_API_KEYS_CONNECTIONS ?? 10);
const WARMUP = Number(process.env.BENCH_API_KEYS_WARMUP ?? 1000);
const ROUNDS = 10;
const PORT = Number(process.env.BENCH_API_KEYS_PORT ?? 18290);
const PATH = '/api/workflows?limit=1';

/** `count` GETs with `token`, `connections` in flight: latencies (ms) of the 200s, and the failures. */
async function closedLoop(pool, token, count) {
  const latencies = [];
  const failures = [];
  let seq = 0;
  const headers = { authorization: `Bearer ${token}` };
  await Promise.all(
    Array.from({ length: Math.min(CONNECTIONS, count) }, async () => {
      while (seq < count) {
        seq++;
        const t0 = performance.now();
        try {
          const { statusCode, body } = await pool.request({ method: 'GET', path: PATH, headers });
          const text = await body.text();
          if (statusCode === 200) latencies.push(performance.now() - t0);
          else failures.push({ status: statusCode, body: text.slice(0, 200) });
        } catch (err) {
          failures.push({ error: err.message });
        }
      }
    }),
  );
  if (failures.length) throw new Error(`${failures.length} requests failed, e.g. ${JSON.stringify(failures.slice(0, 3))}`);
  return latencies;
}

const calibrationMs = cpuCalibrationMs();
const pgInfo = await ensurePostgres({ database: 'postgres' });
const redis = await ensureRedis();
const dbName = 'tributary_bench_api_keys';
const dbUrl = await freshDatabase(pgInfo.url, dbName);
const base = `http://127.0.0.1:${PORT}`;
const env = {
  NODE_ENV: 'production',
  JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123456789',
  ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
  HOST: '127.0.0.1',
  PORT: String(PORT),
  PUBLIC_URL: base,
  DATABASE_URL: dbUrl,
  DATABASE_POOL_SIZE: '20',
  ...(redis.url ? { REDIS_URL: redis.url, REDIS_PREFIX: `benchkeys${Date.now()}` } : {}),
  LOG_LEVEL: 'warn',
  API_RATE_LIMIT_PER_MINUTE: '100000000',
  LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
};
log(`starting the api on ${base}`);
const api = startProcess('api', 'main.js', env);
let pool;
try {
  await waitHttp(`${base}/health`);
  const { token: jwt } = await apiCall(base, 'POST', '/api/auth/register', undefined, { email: `bench-keys-${Date.now()}@example.com`, password: 'password123' });
  const created = await apiCall(base, 'POST', '/api/api-keys', jwt, { name: 'bench', scope: 'admin' });
  await apiCall(base, 'POST', '/api/workflows', jwt, { name: 'bench', trigger: { type: 'manual' }, steps: [] });
  const creds = { jwt, apiKey: created.key };
  pool = new Pool(base, { connections: CONNECTIONS, pipelining: 1 });

  log(`warming up: ${WARMUP} requests each`);
  for (const token of Object.values(creds)) await closedLoop(pool, token, WARMUP);

  const per = Math.ceil(COUNT / ROUNDS);
  const lat = { jwt: [], apiKey: [] };
  const cpu = { jwt: 0, apiKey: 0 };
  const wall = { jwt: 0, apiKey: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    for (const which of r % 2 === 0 ? ['jwt', 'apiKey'] : ['apiKey', 'jwt']) {
      const c0 = cpuMs(api.pid);
      const t0 = performance.now();
      lat[which].push(...(await closedLoop(pool, creds[which], per)));
      wall[which] += performance.now() - t0;
      cpu[which] += cpuMs(api.pid) - c0;
    }
    log(`round ${r + 1}/${ROUNDS} done`);
  }
  const result = {};
  for (const which of ['jwt', 'apiKey']) {
    const s = summary(lat[which]);
    result[which] = { ...s, requestsPerSecond: round((s.n / wall[which]) * 1000, 0), apiCpuMicrosPerRequest: round((cpu[which] / s.n) * 1000, 0) };
  }
  const cpus = os.cpus();
  console.log(
    JSON.stringify(
      {
        benchmark: 'API key vs JWT (scripts/bench/api-keys.mjs)',
        host: { cpus: cpus.length, model: cpus[0]?.model, node: process.version, postgres: pgInfo.how, redis: redis.how, cpuCalibrationMs: calibrationMs },
        config: { path: PATH, countPerCredential: per * ROUNDS, connections: CONNECTIONS, warmup: WARMUP, rounds: ROUNDS },
        results: result,
        apiKeyVsJwt: {
          p50Percent: round(((result.apiKey.p50 - result.jwt.p50) / result.jwt.p50) * 100),
          p99Percent: round(((result.apiKey.p99 - result.jwt.p99) / result.jwt.p99) * 100),
          cpuPercent: round(((result.apiKey.apiCpuMicrosPerRequest - result.jwt.apiCpuMicrosPerRequest) / result.jwt.apiCpuMicrosPerRequest) * 100),
        },
      },
      null,
      2,
    ),
  );
} finally {
  await pool?.close();
  await stopProcess(api);
}
