// The soak's verdict: what "flat" means and the other checks. Documented in docs/reliability.md (Soak).

export const THRESHOLDS = {
  /**
   * Warm-up excluded from the flatness fits: the longer of a quarter of the run and retention plus
   * two sweeps (before that the executions table is still filling up to its steady size).
   */
  warmupFraction: 0.25,
  warmupSweeps: 2,
  /** Flatness is judged only on at least this much post-warm-up time (a shorter fit is noise). */
  minJudgedSeconds: 120,
  /**
   * Least-squares slope of each Node process's RSS (api, worker, sink) after warm-up, MB per 10 min.
   * At the default load (about 23 executions/s) a leak of 360 bytes per execution is 5 MB / 10 min.
   */
  nodeRssSlopeMbPer10Min: 5,
  /**
   * Slope of pg_database_size and of the executions table plus its indexes after warm-up. Before its
   * first rows expire, the executions table grows about 24 MB / 10 min at the default load.
   */
  dbSlopeMbPer10Min: 2,
  /** 4xx (other than a 404 for an execution retention removed) and network errors, of all requests. */
  maxErrorRate: 0.001,
  /** Webhooks accepted per second, of the rate asked for (the load generator kept up). */
  minWebhookRateRatio: 0.9,
  /** Executions still queued at the end: at most this many seconds of arrivals (the worker keeps up). */
  maxQueuedSeconds: 30,
};

/** Least-squares slope of y over x (seconds), in units per 10 minutes; null under 3 points. */
export function slopePer10Min(points) {
  const p = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (p.length < 3) return null;
  const n = p.length;
  const mx = p.reduce((a, [x]) => a + x, 0) / n;
  const my = p.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of p) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den ? (num / den) * 600 : null;
}

const durationSeconds = (v) => {
  const m = /^(\d+)(s|m|h|d)$/.exec(v);
  return m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]] : 0;
};

export function warmupSeconds(config) {
  return Math.max(config.durationSeconds * THRESHOLDS.warmupFraction, durationSeconds(config.retention) + THRESHOLDS.warmupSweeps * durationSeconds(config.retentionSweep));
}

const r2 = (v) => (v === null ? null : Math.round(v * 100) / 100);

export function judge({ samples, totals, config, smoke }) {
  const checks = [];
  const add = (name, ok, detail) => checks.push({ name, ok, detail });
  const req = totals.requests;
  const cats = Object.keys(req);
  const all = cats.reduce((a, c) => a + req[c].ok + req[c].status4xx + req[c].status5xx + req[c].netErrors + req[c].expected404, 0);
  const fiveXx = cats.reduce((a, c) => a + req[c].status5xx, 0);
  const otherErrors = cats.reduce((a, c) => a + req[c].status4xx + req[c].netErrors, 0);

  add('process survived', !totals.fatal, totals.fatal ? totals.fatal.split('\n')[0] : 'api, worker and sink ran to the end');
  add('samples taken', samples.length >= 3, `${samples.length} samples`);
  add('no 5xx', fiveXx === 0, `${fiveXx} responses 5xx of ${all}`);
  add('errors', otherErrors <= all * THRESHOLDS.maxErrorRate, `${otherErrors} 4xx or network errors of ${all} requests (limit ${THRESHOLDS.maxErrorRate * 100}%); ${totals.skippedAtInFlightCap} not sent (in-flight cap)`);
  const tags = totals.sinkCallsByTag ?? {};
  for (const tag of ['async1', 'async2', 'slow', 'slowdone', 'sync', 'interval']) add(`workload ran: ${tag}`, (tags[tag] ?? 0) > 0, `${tags[tag] ?? 0} calls at the sink`);
  add('dashboard queries answered', req.dashboard.ok > 0, `${req.dashboard.ok} ok`);
  add('WebSocket clients', totals.ws.events > 0 && totals.ws.stillConnected === totals.ws.clients, `${totals.ws.stillConnected}/${totals.ws.clients} connected at the end, ${totals.ws.events} events, ${totals.ws.reconnects} reconnects`);
  const created = req.webhook.ok + req.webhookSync.ok + (tags.interval ?? 0) + (tags.cron ?? 0);
  const left = (totals.executionsLeftByStatus ?? []).reduce((a, r) => a + r.n, 0);
  add('retention deleted finished executions', left < created, `${left} rows left of about ${created} executions created`);
  const queued = (totals.executionsLeftByStatus ?? []).filter((r) => r.status === 'queued').reduce((a, r) => a + r.n, 0);
  const rate = config.webhookPerSecond + config.slowWebhookPerSecond + config.syncWebhookPerSecond;
  add('worker keeps up', queued <= rate * THRESHOLDS.maxQueuedSeconds, `${queued} executions queued at the end (limit ${rate * THRESHOLDS.maxQueuedSeconds})`);
  if (!smoke) {
    const asked = (config.webhookPerSecond + config.slowWebhookPerSecond) * config.durationSeconds;
    add('webhook rate achieved', req.webhook.ok >= asked * THRESHOLDS.minWebhookRateRatio, `${req.webhook.ok} accepted of ${Math.round(asked)} asked`);
  }

  const warmup = warmupSeconds(config);
  const after = samples.filter((s) => s.t >= warmup);
  const judgedSeconds = after.length ? after[after.length - 1].t - after[0].t : 0;
  const flatness = { warmupSeconds: Math.round(warmup), judgedSeconds: Math.round(judgedSeconds), samples: after.length, slopesMbPer10Min: {} };
  const slope = (f) => r2(slopePer10Min(after.map((s) => [s.t, f(s)])));
  for (const p of ['api', 'worker', 'sink', 'postgresPss', 'redis']) flatness.slopesMbPer10Min[`rss.${p}`] = slope((s) => s.rssMb[p]);
  flatness.slopesMbPer10Min['heapUsed.api'] = slope((s) => s.heapUsedMb.api);
  flatness.slopesMbPer10Min['heapUsed.worker'] = slope((s) => s.heapUsedMb.worker);
  flatness.slopesMbPer10Min.database = slope((s) => s.db.databaseMb);
  flatness.slopesMbPer10Min.executions = slope((s) => s.db.executionsTableMb + s.db.executionsIndexesMb);
  if (smoke) {
    flatness.judged = false;
    flatness.reason = 'smoke run: flatness not judged';
  } else if (judgedSeconds < THRESHOLDS.minJudgedSeconds) {
    flatness.judged = false;
    flatness.reason = `only ${Math.round(judgedSeconds)} s after a warm-up of ${Math.round(warmup)} s (need ${THRESHOLDS.minJudgedSeconds} s): flatness not judged; run longer`;
    // Not a failure (a short debugging run is legitimate), but said plainly.
    add('flatness', true, `NOT JUDGED: ${flatness.reason}`);
  } else {
    flatness.judged = true;
    for (const p of ['api', 'worker', 'sink']) {
      const v = flatness.slopesMbPer10Min[`rss.${p}`];
      add(`memory flat: ${p}`, v !== null && v < THRESHOLDS.nodeRssSlopeMbPer10Min, `RSS slope ${v} MB / 10 min after ${Math.round(warmup)} s (limit ${THRESHOLDS.nodeRssSlopeMbPer10Min})`);
    }
    for (const k of ['database', 'executions']) {
      const v = flatness.slopesMbPer10Min[k];
      add(`database flat: ${k}`, v !== null && v < THRESHOLDS.dbSlopeMbPer10Min, `size slope ${v} MB / 10 min after ${Math.round(warmup)} s (limit ${THRESHOLDS.dbSlopeMbPer10Min})`);
    }
  }
  return { ok: checks.every((c) => c.ok), checks, flatness };
}
