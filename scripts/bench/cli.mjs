// CLI benchmark: `node scripts/bench/cli.mjs` starts the real api from backend/dist (BENCH_DIST for
// another build) on a fresh database, creates N (BENCH_CLI_COUNT, 500) workflows through the API, then
// times the BUILT CLI (backend/cli/dist/main.js; `make build` builds both):
//
//   pull          every workflow into an empty folder (one file each)
//   pull_again    the same, over the folder: must rewrite nothing (byte-identical files)
//   push_nochange push of the unchanged folder: must create no version
//   push_edit10   push after editing 10 files: exactly 10 new versions
//
// and counts workflow_versions before and after each push. The target (the issue): pull then push of
// 500 unchanged workflows under 10 s with no new version. Prints one JSON object on stdout (progress
// on stderr); exits 1 when a check fails.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { apiCall } from '../lib/api.mjs';
import { ensurePostgres, ensureRedis, ROOT } from '../lib/services.mjs';
import { freshDatabase, log, round, startProcess, stopProcess, waitHttp } from './harness.mjs';

const COUNT = Number(process.env.BENCH_CLI_COUNT ?? 500);
const PORT = Number(process.env.BENCH_CLI_PORT ?? 18190);
const BIN = join(ROOT, 'backend/cli/dist/main.js');
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`make build\` (or npm run build -w @tributary/cli) first`);

/** A workflow of some realistic shape: varied triggers, 2 to 8 steps, some blocks. */
function workflow(i) {
  const triggers = [{ type: 'manual' }, { type: 'webhook', responseMode: 'async' }, { type: 'schedule', cron: `${i % 60} * * * *`, timezone: 'UTC' }, { type: 'event', topic: `orders.${i}.created` }];
  const steps = [];
  const n = 2 + (i % 7);
  for (let s = 0; s < n; s++) {
    steps.push({ id: `step${s}`, connector: 'core', action: 'transform', input: { value: { index: i, step: s, text: `{{payload.name}} #${s}`, nested: { a: [1, 2, 3], b: { c: 'x'.repeat(20) } } } } });
  }
  if (i % 3 === 0) steps.push({ id: 'each', type: 'loop', items: '{{payload.items}}', concurrency: 2, steps: [{ id: 'item', connector: 'core', action: 'transform', input: { value: '{{item}}' } }] });
  if (i % 5 === 0) steps.push({ id: 'check', type: 'condition', if: '{{payload.ok}}', then: [{ id: 'yes', connector: 'core', action: 'transform', input: { value: 'yes' } }], else: [] });
  return { name: `Bench workflow ${String(i).padStart(4, '0')}`, description: `Workflow ${i} of the CLI benchmark`, trigger: triggers[i % triggers.length], steps };
}

function cli(args, env) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: round(performance.now() - started, 0) }));
  });
}

async function folderHash(dir) {
  const h = createHash('sha256');
  const names = (await readdir(dir)).sort();
  let bytes = 0;
  for (const n of names) {
    const b = await readFile(join(dir, n));
    bytes += b.length;
    h.update(n).update(b);
  }
  return { files: names.length, bytes, sha256: h.digest('hex') };
}

const pgInfo = await ensurePostgres({ database: 'postgres' });
const redis = await ensureRedis();
const dbName = 'tributary_bench_cli';
const dbUrl = await freshDatabase(pgInfo.url, dbName);
const base = `http://127.0.0.1:${PORT}`;
const api = startProcess('api', 'main.js', {
  NODE_ENV: 'production',
  JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123456789',
  ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
  HOST: '127.0.0.1',
  PORT: String(PORT),
  PUBLIC_URL: base,
  DATABASE_URL: dbUrl,
  DATABASE_POOL_SIZE: '10',
  ...(redis.url ? { REDIS_URL: redis.url, REDIS_PREFIX: `benchcli${Date.now()}` } : {}),
  LOG_LEVEL: 'warn',
  API_RATE_LIMIT_PER_MINUTE: '100000000',
  LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
});
const db = new pg.Pool({ connectionString: dbUrl, max: 2 });
const home = await mkdtemp(join(tmpdir(), 'tributary-bench-cli-'));
const dir = join(home, 'workflows');
const result = { count: COUNT, api: base, postgres: pgInfo.how, redis: redis.how };
const failures = [];
try {
  await waitHttp(`${base}/health`);
  const { token } = await apiCall(base, 'POST', '/api/auth/register', undefined, { email: 'bench-cli@example.com', password: 'password123' });
  let t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < COUNT) await apiCall(base, 'POST', '/api/workflows', token, workflow(next++));
    }),
  );
  result.create_ms = round(performance.now() - t0, 0);
  log(`created ${COUNT} workflows in ${result.create_ms} ms`);
  const versions = async () => Number((await db.query('SELECT count(*)::int AS n FROM workflow_versions')).rows[0].n);
  // The key in the environment, as CI would have it (TRIBUTARY_API_KEY); a JWT until API keys land.
  const env = { HOME: home, TRIBUTARY_API_URL: base, TRIBUTARY_API_KEY: token };

  const step = async (name, args, check) => {
    const r = await cli(args, env);
    if (r.code !== 0) failures.push(`${name}: exit ${r.code}: ${r.stderr.slice(-500)}`);
    log(`${name}: ${r.ms} ms (exit ${r.code}) ${r.stderr.trim().split('\n').pop()}`);
    result[name] = { ms: r.ms, ...(await check?.(r)) };
    return r;
  };

  await step('pull', ['pull', '--dir', dir], async () => folderHash(dir));
  await step('pull_again', ['pull', '--dir', dir], async () => {
    const h = await folderHash(dir);
    if (h.sha256 !== result.pull.sha256) failures.push('pull_again: files differ from the first pull');
    return { identical: h.sha256 === result.pull.sha256 };
  });
  const before = await versions();
  await step('push_nochange', ['push', '--dir', dir], async (r) => {
    const after = await versions();
    if (after !== before) failures.push(`push_nochange: ${after - before} new version(s)`);
    return { versions_before: before, versions_after: after, plan: r.stdout.match(/Plan: [^\n]*/)?.[0] };
  });
  result.pull_then_push_ms = round(result.pull.ms + result.push_nochange.ms, 0);
  if (result.pull_then_push_ms >= 10_000) failures.push(`pull + push of ${COUNT} unchanged workflows took ${result.pull_then_push_ms} ms (target < 10 s)`);

  const names = (await readdir(dir)).sort().slice(0, 10);
  for (const n of names) {
    const doc = JSON.parse(await readFile(join(dir, n), 'utf8'));
    doc.description = `${doc.description} (edited)`;
    await writeFile(join(dir, n), `${JSON.stringify(doc, null, 2)}\n`);
  }
  const beforeEdit = await versions();
  await step('push_edit10', ['push', '--dir', dir, '--no-diff'], async (r) => {
    const after = await versions();
    if (after - beforeEdit !== 10) failures.push(`push_edit10: ${after - beforeEdit} new version(s), expected 10`);
    return { new_versions: after - beforeEdit, plan: r.stdout.match(/Plan: [^\n]*/)?.[0] };
  });
  await step('validate', ['validate', dir, '--quiet']);
} finally {
  await db.end();
  await stopProcess(api);
  await rm(home, { recursive: true, force: true });
}
result.ok = failures.length === 0;
if (failures.length) result.failures = failures;
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exitCode = failures.length ? 1 : 0;
