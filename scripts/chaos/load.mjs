// The chaos suite's load generator (a well-behaved webhook sender) and its delivery-counting sink.
import http from 'node:http';
import { Pool } from 'undici';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The sink the workflow's steps POST to: it answers 200 at once and records, per ref, every
 * delivery's step, Idempotency-Key and arrival time.
 */
export function startSink(host, port) {
  const deliveries = new Map(); // ref → [{ step, key, at }]
  let total = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const at = Date.now();
      let body = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      } catch {
        /* not JSON: counted under no ref */
      }
      const ref = String(body.ref ?? '');
      const step = String(body.step ?? req.url);
      const list = deliveries.get(ref) ?? [];
      list.push({ step, key: req.headers['idempotency-key'] ?? null, at });
      deliveries.set(ref, list);
      total++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({
        url: `http://${host}:${port}`,
        deliveries,
        get total() {
          return total;
        },
        close: () => new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      }),
    );
  });
}

function errorKind(err) {
  const code = err?.code ?? err?.cause?.code ?? err?.name ?? 'error';
  if (/TIMEOUT/i.test(code)) return 'timeout';
  return `connection error (${code}: ${err?.message ?? ''})`;
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null;
}

/**
 * Posts webhooks with a unique ref each (`Idempotency-Key: <ref>`); on a connection error, a timeout
 * or a 429/5xx it retries the same ref with exponential backoff, honouring Retry-After, up to
 * `maxAttempts` or `maxRetryMs`.
 */
/** How a refused attempt is counted: its error, or its status (and for 503/429 whether it said Retry-After). */
function attemptKind(a) {
  return a.error ?? `${a.status}${a.status === 503 || a.status === 429 ? (a.retryAfter ? ' (Retry-After)' : ' (no Retry-After)') : ''}`;
}

export class Sender {
  constructor(baseUrl, path, { connections = 64, maxAttempts = 15, maxRetryMs = 120_000, requestTimeoutMs = 15_000 } = {}) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1, connectTimeout: 3000, headersTimeout: requestTimeoutMs, bodyTimeout: requestTimeoutMs, keepAliveTimeout: 4000 });
    this.path = path;
    this.maxAttempts = maxAttempts;
    this.maxRetryMs = maxRetryMs;
    this.refs = new Map(); // ref → { ref, attempts: [], accepted, executionId, replayed, gaveUp }
    this.pending = new Set();
    // At most `connections` requests at once: a request waits here (its wait is recorded apart)
    // rather than in the pool, so an attempt's latency is the api path's alone.
    this.slots = connections;
    this.waiting = [];
    // Running totals, cheap to read every second while a million refs are in flight (summary() walks them all).
    this.totals = { accepted: 0, refusedAttempts: 0, refused: {} };
  }

  /** The running totals: accepted refs, refused attempts and their kinds. */
  progress() {
    return { accepted: this.totals.accepted, refusedAttempts: this.totals.refusedAttempts, refused: { ...this.totals.refused } };
  }

  async acquire() {
    if (this.slots > 0) {
      this.slots--;
      return;
    }
    await new Promise((resolve) => this.waiting.push(resolve));
  }

  release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.slots++;
  }

  /** One attempt; answers { status?, error?, retryAfter?, server?, executionId?, replayed? }. */
  async attempt(ref, { timeoutMs } = {}) {
    const queuedAt = Date.now();
    await this.acquire();
    const t0 = Date.now();
    const waitMs = t0 - queuedAt;
    try {
      const res = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers: { 'content-type': 'application/json', 'idempotency-key': ref },
        body: JSON.stringify({ ref }),
        ...(timeoutMs ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {}),
      });
      const text = await res.body.text();
      const out = { t0, t1: Date.now(), waitMs, status: res.statusCode, server: res.headers['x-served-by'], retryAfter: res.headers['retry-after'] };
      if (res.statusCode === 202) {
        const json = JSON.parse(text);
        out.executionId = json.executionId;
        out.replayed = res.headers['idempotent-replayed'] === 'true';
      } else {
        out.body = text.slice(0, 300);
      }
      return out;
    } catch (err) {
      return { t0, t1: Date.now(), waitMs, error: errorKind(err) };
    } finally {
      this.release();
    }
  }

  /** Sends `ref` until accepted or given up. */
  send(ref, { firstAttemptOnly = false } = {}) {
    const rec = this.refs.get(ref) ?? { ref, attempts: [], accepted: false };
    this.refs.set(ref, rec);
    const p = (async () => {
      const start = Date.now();
      for (let n = 1; ; n++) {
        const a = await this.attempt(ref);
        rec.attempts.push(a);
        if (a.status === 202) this.totals.accepted++;
        else {
          this.totals.refusedAttempts++;
          const kind = attemptKind(a);
          this.totals.refused[kind] = (this.totals.refused[kind] ?? 0) + 1;
        }
        if (a.status === 202) {
          rec.accepted = true;
          rec.executionId = a.executionId;
          rec.replayed = a.replayed;
          rec.gaveUp = false;
          return rec;
        }
        const retriable = a.error || a.status === 429 || a.status >= 500;
        if (!retriable || firstAttemptOnly || n >= this.maxAttempts || Date.now() - start > this.maxRetryMs) {
          rec.gaveUp = true;
          return rec;
        }
        const ra = Number(a.retryAfter);
        const backoff = Math.min(5000, 200 * 2 ** (n - 1)) * (0.75 + Math.random() * 0.5);
        await sleep(Number.isFinite(ra) && ra > 0 ? ra * 1000 : backoff);
      }
    })();
    this.pending.add(p);
    p.finally(() => this.pending.delete(p));
    return p;
  }

  /** Open loop: `rate` new refs a second for `durationMs` (or until stop()); retries go on meanwhile. */
  runSteady({ rate, durationMs, refPrefix }) {
    let stopped = false;
    const started = Date.now();
    const done = (async () => {
      let i = 0;
      for (;;) {
        const now = Date.now();
        if (stopped || now - started >= durationMs) break;
        const due = started + (i * 1000) / rate;
        if (due > now) {
          await sleep(Math.min(50, due - now));
          continue;
        }
        // Catch up in a burst if the event loop fell behind (keeps the average rate).
        while (started + (i * 1000) / rate <= Date.now() && !stopped) void this.send(`${refPrefix}-${i++}`);
      }
      return i;
    })();
    return {
      started,
      stop: () => {
        stopped = true;
      },
      sentRefs: done,
    };
  }

  async settle() {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Counts of refused attempts by kind, and totals. */
  summary() {
    const refused = {};
    let attempts = 0;
    let accepted = 0;
    let gaveUp = 0;
    let replayed = 0;
    let served500 = 0;
    let retried = 0;
    for (const rec of this.refs.values()) {
      attempts += rec.attempts.length;
      if (rec.accepted) accepted++;
      if (rec.gaveUp) gaveUp++;
      if (rec.replayed) replayed++;
      if (rec.attempts.length > 1) retried++;
      for (const a of rec.attempts) {
        if (a.status === 202) continue;
        const kind = attemptKind(a);
        refused[kind] = (refused[kind] ?? 0) + 1;
        if (a.status === 500) served500++;
      }
    }
    const all = [...this.refs.values()].flatMap((r) => r.attempts);
    const latencies = all.filter((a) => a.status === 202).map((a) => a.t1 - a.t0).sort((a, b) => a - b);
    const waits = all.map((a) => a.waitMs ?? 0).sort((a, b) => a - b);
    const ok = all.filter((a) => a.status === 202);
    // A loop, not Math.max(...array): a spread of a million arguments overflows the stack.
    let first = Infinity;
    let last = -Infinity;
    for (const a of ok) {
      if (a.t0 < first) first = a.t0;
      if (a.t1 > last) last = a.t1;
    }
    const spanS = ok.length > 1 ? (last - first) / 1000 : null;
    return {
      refs: this.refs.size,
      attempts,
      accepted,
      refusedAttempts: attempts - accepted,
      refused,
      refsRetried: retried,
      acceptedAsReplay: replayed,
      gaveUp,
      served500,
      acceptLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.length ? latencies[latencies.length - 1] : null },
      // Time attempts waited for a free connection of the sender (the api path saturated): p99, max.
      senderWaitMs: { p99: percentile(waits, 99), max: waits.length ? waits[waits.length - 1] : null },
      acceptedPerSecond: spanS ? Math.round(ok.length / spanS) : null,
    };
  }

  close() {
    return this.pool.close();
  }
}
