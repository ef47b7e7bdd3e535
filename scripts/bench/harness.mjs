// Helpers of the engine v2 benchmark (scripts/bench/engine-v2.mjs), copied from scripts/bench/run.mjs
// (which keeps its own copies): the api and worker processes from backend/dist, CPU and RSS from
// /proc, wrk from Debian's packages (or a Node closed loop), a mock HTTP sink, percentiles.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { WORKER_NODE_ARGS } from '../lib/platform.mjs';
import { ROOT } from '../lib/services.mjs';

export const DIST = process.env.BENCH_DIST ?? join(ROOT, 'backend/dist');
export const WRK_SCRIPT = join(ROOT, 'scripts/bench/webhooks.lua');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
// BENCH_NODE_ARGS: extra node flags for the api and worker (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof').
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
// The worker's own flags, as it runs everywhere (BENCH_WORKER_NODE_ARGS replaces them: '' for V8's defaults).
const WORKER_ARGS = process.env.BENCH_WORKER_NODE_ARGS !== undefined ? process.env.BENCH_WORKER_NODE_ARGS.split(' ').filter(Boolean) : WORKER_NODE_ARGS;

export const log = (m) => console.error(`[bench] ${m}`);

/** `--name N` on the command line: a positive integer, else `fallback` when the flag is absent. */
export function intFlag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer`);
  return n;
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Wall clock in ms with sub-ms resolution (the clock wrk's webhooks.lua stamps `sentAt` with). */
export const nowMs = () => performance.timeOrigin + performance.now();
export const round = (x, digits = 1) => (x == null || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);

export function percentile(sorted, p) {
  if (!sorted.length) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}

/** n, min, p50, p90, p99, max of a list of numbers (ms). */
export function summary(values) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return { n: s.length, min: round(s[0]), p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: round(s[s.length - 1]) };
}

/** CPU time of the whole machine (to report busy and steal over a run). */
export function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), idle: f[3] + f[4], steal: f[7] ?? 0 };
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

function statusKb(pid, field) {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
/** Resident memory now, MB (one decimal). */
export const rssMb = (pid) => round((statusKb(pid, 'VmRSS') ?? NaN) / 1024);
/** Peak resident memory so far, MB. */
export const peakRssMb = (pid) => round((statusKb(pid, 'VmHWM') ?? NaN) / 1024, 0);

export function startProcess(name, entry, env) {
  const own = entry === 'worker.js' ? WORKER_ARGS : [];
  const child = spawn(process.execPath, [...own, ...NODE_ARGS, join(DIST, entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  return child;
}

export async function waitHttp(url, ms = 60000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer`);
}

/** Sends SIGTERM and waits (up to `ms`) for the process to exit, then SIGKILL. */
export async function stopProcess(child, ms = 15000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(ms).then(() => false)])) return;
  child.kill('SIGKILL');
  await exited;
}

/** wrk from Debian's packages: present, or installed when we may (root), else null (BENCH_LOADGEN=node forces null). */
export function findWrk() {
  if (process.env.BENCH_LOADGEN === 'node') return null;
  if (existsSync('/usr/bin/wrk')) return '/usr/bin/wrk';
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0 && existsSync('/usr/bin/wrk')) {
    return '/usr/bin/wrk';
  }
  log('wrk not available: the load comes from a Node closed loop (more CPU taken from the api)');
  return null;
}

/**
 * wrk with webhooks.lua against a webhook URL (bodies `{"user":{"name":"Alex"},"order":{"id":n},
 * "seq":n,"sentAt":ms}`, n from `seqStart`). webhooks.lua stops sending webhooks after `count` > 0 (then
 * only GET /health), but wrk itself runs on until its duration: the caller ends it with stop() (SIGINT,
 * upon which wrk prints its summary) once it has seen them accepted. `result` resolves wrk's summary.
 */
export function runWrk(wrk, url, { count = 0, seqStart = 0, connections = 50, maxSeconds = 900 }) {
  const child = spawn(wrk, ['-t1', `-c${connections}`, `-d${maxSeconds}s`, '--timeout', '10s', '-s', WRK_SCRIPT, url], {
    env: { ...process.env, BENCH_SEQ_START: String(seqStart), BENCH_COUNT: String(count) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => process.stderr.write(`[wrk] ${d}`));
  const result = new Promise((resolve, reject) =>
    child.on('close', () => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (line) resolve(JSON.parse(line.slice('BENCH_RESULT '.length)));
      else reject(new Error(`wrk printed no result: ${out.slice(0, 500)}`));
    }),
  );
  return { result, stop: () => child.kill('SIGINT') };
}

/** Closed loop: `connections` requests in flight until `count` were sent; 202s counted as accepted. */
export async function closedLoop(pool, path, connections, count, makeBody) {
  const latencies = [];
  const failures = [];
  let seq = 0;
  const lanes = Array.from({ length: Math.min(connections, count) }, async () => {
    while (seq < count) {
      const n = seq++;
      const t0 = performance.now();
      try {
        const { statusCode, body } = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: makeBody(n) });
        const text = await body.text();
        if (statusCode === 202) latencies.push(performance.now() - t0);
        else if (failures.length < 5) failures.push({ status: statusCode, body: text.slice(0, 300) });
        else failures.push({ status: statusCode });
      } catch (err) {
        failures.push({ error: err.message });
      }
    }
  });
  await Promise.all(lanes);
  return { accepted: latencies.length, latencies, errors: failures.length, firstErrors: failures.slice(0, 5) };
}

/** A fixed CPU workload (JSON round trips, SHA-256), timed: compares the machine's speed between runs. */
export function cpuCalibrationMs() {
  const t0 = performance.now();
  const o = { user: { name: 'Alex' }, order: { id: 1, items: [1, 2, 3] }, s: 'x'.repeat(200) };
  let n = 0;
  for (let i = 0; i < 300_000; i++) n += JSON.stringify(JSON.parse(JSON.stringify(o))).length;
  const h = createHash('sha256');
  const buf = Buffer.alloc(1 << 20, 7);
  for (let i = 0; i < 64; i++) h.update(buf);
  h.digest();
  return n > 0 ? Math.round(performance.now() - t0) : 0;
}

/**
 * The mock HTTP endpoint the workflows POST to, answering 200 at once: `POST /sink/<tag>` counts per
 * tag; for tags being tracked it parses the JSON body and notes when each `seq` arrived (and its
 * `sentAt`), on the clock of nowMs().
 */
export function startSink() {
  const counts = new Map();
  const tracked = new Map();
  const server = http.createServer((req, res) => {
    const tag = req.url.split('/')[2] ?? '';
    const t = tracked.get(tag);
    const chunks = [];
    req.on('data', (d) => t && chunks.push(d));
    req.on('end', () => {
      const at = nowMs();
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
      if (t) {
        try {
          const b = JSON.parse(Buffer.concat(chunks).toString());
          t.set(Number(b.seq), { at, sentAt: Number(b.sentAt) });
        } catch {
          /* not ours */
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${server.address().port}`,
        count: (tag) => counts.get(tag) ?? 0,
        /** Starts noting arrivals of `tag` (a fresh map). */
        track: (tag) => {
          const m = new Map();
          tracked.set(tag, m);
          return m;
        },
      }),
    ),
  );
}

/** Drops and creates the database `name` on the PostgreSQL server at `serverUrl`; answers its URL (each run starts empty). */
export async function freshDatabase(serverUrl, name) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
}
