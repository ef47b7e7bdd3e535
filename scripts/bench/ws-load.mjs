// WebSocket load: N clients on /ws of a running api, events published at a fixed rate through
// POST /api/events, delivery latency (publish call → message on each socket) and the api's memory.
//
//   API_URL=http://127.0.0.1:8080 [TOKEN=<admin jwt>] [API_PID=<pid>] node scripts/bench/ws-load.mjs \
//     [--clients 2000] [--rate 50] [--seconds 10] [--payload-bytes 64]
//
// Without TOKEN it registers a throwaway admin. Loopback only. Prints one JSON object on stdout.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { apiCall } from '../lib/api.mjs';

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    'payload-bytes': { type: 'string' },
  },
});
const num = (flag, envName, dflt, max) => {
  const v = Number(flag ?? process.env[envName] ?? dflt);
  if (!Number.isFinite(v) || v <= 0 || v > max) throw new Error(`${envName}: expected a number in (0, ${max}], got ${flag ?? process.env[envName]}`);
  return v;
};
const API_URL = (process.env.API_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CLIENTS = Math.floor(num(flags.clients, 'CLIENTS', 2000, 50_000));
const RATE = num(flags.rate, 'RATE', 50, 10_000);
const SECONDS = num(flags.seconds, 'SECONDS', 10, 3600);
const PAYLOAD_BYTES = Math.floor(num(flags['payload-bytes'], 'PAYLOAD_BYTES', 64, 512 * 1024));
const API_PID = process.env.API_PID ? Number(process.env.API_PID) : undefined;
const CONNECT_BATCH = 200;
const DRAIN_MS = 10_000;
const log = (m) => console.error(`[ws-load] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

const host = new URL(API_URL).hostname;
if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) && !host.startsWith('127.')) {
  throw new Error(`API_URL must be a loopback address (got ${host}): this script opens thousands of sockets`);
}

/** "Max open files" soft limit of a process, from /proc. */
function fdLimit(pid = 'self') {
  try {
    const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : null;
  } catch {
    return null;
  }
}

function procMemoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { rssMb: Math.round(kb('VmRSS') / 1024), peakRssMb: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return null;
  }
}

async function apiMemoryMb() {
  if (API_PID) return { source: `/proc/${API_PID}/status`, ...procMemoryMb(API_PID) };
  try {
    const text = await (await fetch(`${API_URL}/metrics`)).text();
    const m = /^process_resident_memory_bytes(?:\{[^}]*\})?\s+([0-9.e+]+)/m.exec(text);
    return m ? { source: '/metrics', rssMb: Math.round(Number(m[1]) / 1048576) } : null;
  } catch {
    return null;
  }
}

const call = (method, path, token, body) => apiCall(API_URL, method, path, token, body);

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
}

// --- fd limits -------------------------------------------------------------------------------
const ownLimit = fdLimit();
const apiLimit = API_PID ? fdLimit(API_PID) : null;
const warnings = [];
if (ownLimit !== null && ownLimit < CLIENTS + 100) {
  throw new Error(`ulimit -n is ${ownLimit} here, too low for ${CLIENTS} clients: raise it (ulimit -n ${CLIENTS + 1024}) or lower --clients`);
}
if (apiLimit !== null && apiLimit < CLIENTS + 200) warnings.push(`the api's open-file limit (${apiLimit}) is below ${CLIENTS + 200}: connections will fail`);
if (apiLimit === null) warnings.push(`api fd limit unknown (set API_PID); it needs more than ${CLIENTS} open files`);
for (const w of warnings) log(`warning: ${w}`);

// --- setup -----------------------------------------------------------------------------------
let token = process.env.TOKEN;
if (!token) {
  const email = `ws-load-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  token = (await call('POST', '/api/auth/register', undefined, { email, password: 'ws-load-password', name: 'ws-load' })).token;
  log(`registered ${email}`);
}
const memBefore = await apiMemoryMb();
const wsUrl = `${API_URL.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`;

const EVENTS = Math.round(RATE * SECONDS);
const latencies = new Float64Array(CLIENTS * EVENTS);
let received = 0;
let closedEarly = 0;
const closeCodes = {};
const sockets = [];
const SENT_AT = /"sentAt":([0-9.]+)/;

function connect() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    let ready = false;
    const timer = setTimeout(() => reject(new Error('no auth_success within 30 s')), 30_000);
    ws.on('message', (raw) => {
      const at = now();
      const text = raw.toString();
      if (!ready) {
        if (text.startsWith('{"event":"auth_success"')) {
          ready = true;
          ws.send(JSON.stringify({ event: 'subscribe', data: { topics: ['event.published'] } }));
          clearTimeout(timer);
          resolve(ws);
        } else if (text.startsWith('{"event":"error"')) reject(new Error(text));
        return;
      }
      const m = SENT_AT.exec(text);
      if (m && received < latencies.length) latencies[received++] = at - Number(m[1]);
    });
    ws.on('close', (code) => {
      closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      if (ready && !stopping) closedEarly++;
      clearTimeout(timer);
      if (!ready) reject(new Error(`closed with ${code} before auth`));
    });
    ws.on('error', () => undefined);
  });
}

let stopping = false;
const connectStarted = now();
for (let i = 0; i < CLIENTS; i += CONNECT_BATCH) {
  const batch = await Promise.allSettled(Array.from({ length: Math.min(CONNECT_BATCH, CLIENTS - i) }, connect));
  for (const r of batch) {
    if (r.status === 'fulfilled') sockets.push(r.value);
    else log(`connect failed: ${r.reason.message}`);
  }
}
const connectMs = Math.round(now() - connectStarted);
log(`${sockets.length}/${CLIENTS} clients authenticated in ${connectMs} ms`);
await sleep(500); // let the subscribe messages land
const memConnected = await apiMemoryMb();

// --- publish at a fixed rate ---------------------------------------------------------------------
const blob = 'x'.repeat(Math.max(0, PAYLOAD_BYTES - 40));
const publishLatencies = [];
let publishErrors = 0;
const inFlight = new Set();
let peak = memConnected;
const publishStarted = now();
for (let seq = 0; seq < EVENTS; seq++) {
  const due = publishStarted + (seq * 1000) / RATE;
  const wait = due - now();
  if (wait > 0) await sleep(wait);
  const sentAt = now();
  // Clients find sentAt with one regex on the raw text (jsonb reorders keys, so no position is assumed).
  const p = call('POST', '/api/events', token, { topic: 'bench.tick', data: { seq, sentAt, blob } })
    .then(() => publishLatencies.push(now() - sentAt))
    .catch((err) => {
      publishErrors++;
      if (publishErrors <= 5) log(`publish failed: ${err.message}`);
    })
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
  if (seq % Math.max(1, Math.round(RATE)) === 0) {
    const m = API_PID ? procMemoryMb(API_PID) : null;
    if (m && (!peak || m.rssMb > (peak.rssMb ?? 0))) peak = { source: `/proc/${API_PID}/status`, ...m };
  }
}
const publishMs = now() - publishStarted;
await Promise.allSettled([...inFlight]);
const expected = sockets.length * (EVENTS - publishErrors);
const drainUntil = now() + DRAIN_MS;
while (received < expected && now() < drainUntil) await sleep(50);
const memAfter = await apiMemoryMb();
stopping = true;
for (const ws of sockets) ws.terminate();

const sorted = Array.from(latencies.subarray(0, received)).sort((a, b) => a - b);
publishLatencies.sort((a, b) => a - b);
const result = {
  apiUrl: API_URL,
  clients: { requested: CLIENTS, connected: sockets.length, connectMs, closedEarly, closeCodes },
  publish: {
    events: EVENTS,
    targetRatePerSecond: RATE,
    achievedRatePerSecond: Math.round((EVENTS / publishMs) * 10000) / 10,
    errors: publishErrors,
    payloadBytes: PAYLOAD_BYTES,
    httpLatencyMs: { p50: percentile(publishLatencies, 50), p99: percentile(publishLatencies, 99) },
  },
  delivery: {
    expected,
    received,
    missing: Math.max(0, expected - received),
    messagesPerSecond: Math.round(received / ((now() - publishStarted) / 1000)),
    latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: percentile(sorted, 100) },
  },
  apiMemoryMb: { before: memBefore, connected: memConnected, peakSampled: peak, after: memAfter },
  fdLimits: { self: ownLimit, api: apiLimit },
  warnings,
};
console.log(JSON.stringify(result, null, 2));
process.exit(0);
