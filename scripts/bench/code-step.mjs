// Code step benchmark: `node scripts/bench/code-step.mjs [--runs N] [--warmup N]` runs a realistic
// transform (the 20-odd lines below: filter, map, reduce and string formatting over 50 order lines)
// through the code connector's QuickJS sandbox (backend/dist/connectors/code/sandbox.js, BENCH_DIST
// for another build; build it with `cd backend && npx tsc -p tsconfig.build.json`), each run in a
// fresh runtime and context as a step gets it, on the sandbox's pool of worker threads
// (CODE_STEP_THREADS, default min(2, CPUs)). Prints one JSON object on stdout and a human line on
// stderr. Every number is measured here:
//
//   wall_us      per run (p50, p90, p99, mean, max), one run after the other: runInSandbox from
//                call to result (the thread's work and the round trip to it), after `--warmup`
//                (200) runs that are not counted; N is `--runs` (2,000).
//   cpu_us       per run: process.cpuUsage (user + system, all threads of the process) over the
//                counted runs / N.
//   parallel     N more runs, as many at a time as the pool has threads: runs per second.
//   event_loop   over the counted runs, a 10 ms interval on this thread: the longest gap between
//                two of its ticks (or between the start and the first tick, or the last and the end),
//                in ms. Code run on this thread holds it; code on the pool's threads does not.
//   memory       of one sandbox after the run: QuickJS's computeMemoryUsage (memory_used_size, its
//                own estimate: under Emscripten it misses string and buffer bytes) and the size of
//                the WebAssembly linear memory the sandbox's instance holds.
//   rss_mb       of this process: before the first run (sandbox module loaded, no thread), once
//                every thread of the pool has run (per_thread: that difference / threads, the
//                compiled WASM shared by the threads included), after the warm-up and after the
//                counted runs.
import { performance } from 'node:perf_hooks';

import { DIST, intFlag } from './harness.mjs';

const RUNS = intFlag('runs', 2000);
const WARMUP = intFlag('warmup', 200);

const CODE = `const currency = input.currency ?? 'EUR';
const money = (n) => \`\${n.toFixed(2)} \${currency}\`;
const lines = input.lines
  .filter((l) => l.qty > 0 && l.status !== 'cancelled')
  .map((l) => ({
    sku: l.sku.toUpperCase(),
    name: l.name.trim(),
    qty: l.qty,
    net: l.qty * l.unitPrice * (1 - (l.discount ?? 0)),
  }));
const byCategory = {};
for (const l of input.lines) byCategory[l.category] = (byCategory[l.category] ?? 0) + l.qty;
const net = lines.reduce((sum, l) => sum + l.net, 0);
const tax = Math.round(net * input.taxRate * 100) / 100;
const top = [...lines].sort((a, b) => b.net - a.net).slice(0, 3).map((l) => \`\${l.name} (\${l.sku}): \${money(l.net)}\`);
console.log(\`order \${input.id}: \${lines.length} of \${input.lines.length} lines\`);
return {
  orderId: input.id,
  customer: \`\${input.customer.lastName.toUpperCase()}, \${input.customer.firstName}\`,
  lines: lines.map((l) => ({ ...l, net: Math.round(l.net * 100) / 100, label: \`\${l.qty} × \${l.name}\` })),
  byCategory,
  totals: { net: money(net), tax: money(tax), gross: money(net + tax) },
  top,
};`;

const CATEGORIES = ['tea', 'coffee', 'mugs', 'books', 'gifts'];
const INPUT = {
  id: 'A-20417',
  currency: 'EUR',
  taxRate: 0.2,
  customer: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
  lines: Array.from({ length: 50 }, (_, i) => ({
    sku: `sku-${String(i).padStart(4, '0')}`,
    name: `  Item number ${i}  `,
    category: CATEGORIES[i % CATEGORIES.length],
    qty: i % 7,
    unitPrice: 3.5 + (i % 11) * 1.25,
    discount: i % 4 === 0 ? 0.1 : undefined,
    status: i % 13 === 0 ? 'cancelled' : 'open',
  })),
};

const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const rssMb = () => round(process.memoryUsage().rss / 2 ** 20);
const pct = (sorted, p) => round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

const { runInSandbox, sandboxPoolStats, closeSandboxPool } = await import(`${DIST}/connectors/code/sandbox.js`);
const options = { code: CODE, input: INPUT, timeoutMs: 1000, memoryMb: 64 };
const check = (out) => {
  if (out.result?.orderId !== 'A-20417' || out.result.lines.length !== 39 || out.logs.length !== 1) {
    throw new Error(`unexpected result: ${JSON.stringify(out).slice(0, 500)}`);
  }
};

// A build from before the thread pool (runs on this thread) has no sandboxPoolStats: `threads` is 0.
const poolStats = () => sandboxPoolStats?.() ?? { size: 0, threads: 0, started: 0, killed: 0, crashed: 0 };

const rssBefore = rssMb();
// As many runs at once as the pool has threads (size is known once the pool exists): every thread starts.
check(await runInSandbox({ ...options, stats: true }));
const threads = poolStats().size;
for (const out of await Promise.all(Array.from({ length: threads }, () => runInSandbox(options)))) check(out);
if (poolStats().threads !== threads) throw new Error(`expected ${threads} threads: ${JSON.stringify(poolStats())}`);
const rssPool = rssMb();
for (let i = 1 + threads; i < WARMUP; i++) await runInSandbox(options);
const rssAfterWarmup = rssMb();

const wallUs = new Array(RUNS);
let lastTick = performance.now();
let maxGapMs = 0;
const ticker = setInterval(() => {
  maxGapMs = Math.max(maxGapMs, performance.now() - lastTick);
  lastTick = performance.now();
}, 10);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  await runInSandbox(options);
  wallUs[i] = (performance.now() - t) * 1000;
}
const elapsedMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
maxGapMs = Math.max(maxGapMs, performance.now() - lastTick);
clearInterval(ticker);
const rssAfter = rssMb();

// The same number of runs, `threads` at a time.
let next = 0;
const tp = performance.now();
await Promise.all(
  Array.from({ length: Math.max(threads, 1) }, async () => {
    while (next++ < RUNS) await runInSandbox(options);
  }),
);
const parallelMs = performance.now() - tp;

const { stats } = await runInSandbox({ ...options, stats: true });
const pool = poolStats();
await closeSandboxPool?.();
const sorted = [...wallUs].sort((a, b) => a - b);
const report = {
  runs: RUNS,
  warmup: WARMUP,
  node: process.version,
  threads,
  wall_us: { p50: pct(sorted, 50), p90: pct(sorted, 90), p99: pct(sorted, 99), mean: round(wallUs.reduce((a, b) => a + b, 0) / RUNS), max: round(sorted[RUNS - 1]) },
  runs_per_s: round((RUNS * 1000) / elapsedMs),
  cpu_us: round((cpu.user + cpu.system) / RUNS),
  parallel: { concurrency: Math.max(threads, 1), runs_per_s: round((RUNS * 1000) / parallelMs) },
  event_loop: { max_gap_ms: round(maxGapMs) },
  memory: { quickjs_estimate_kb: round(stats.memoryBytes / 1024), wasm_linear_memory_mb: round(stats.wasmMemoryBytes / 2 ** 20, 2) },
  rss_mb: { before: rssBefore, pool_started: rssPool, per_thread: threads ? round((rssPool - rssBefore) / threads) : null, after_warmup: rssAfterWarmup, after: rssAfter },
  pool: { started: pool.started, killed: pool.killed, crashed: pool.crashed },
};
console.log(JSON.stringify(report, null, 2));
console.error(
  `[bench] code step ${threads ? `on ${threads} threads` : 'on the main thread (no pool)'}: p50 ${report.wall_us.p50} µs, p99 ${report.wall_us.p99} µs, mean ${report.wall_us.mean} µs, CPU ${report.cpu_us} µs per run; ` +
    `${report.parallel.runs_per_s} runs/s ${report.parallel.concurrency} at a time; longest event loop gap ${report.event_loop.max_gap_ms} ms; ` +
    `sandbox ${report.memory.quickjs_estimate_kb} KB (QuickJS estimate) in ${report.memory.wasm_linear_memory_mb} MB of linear memory; ` +
    `RSS ${rssBefore} → ${rssPool} MB with the pool started (${report.rss_mb.per_thread} MB per thread) → ${rssAfter} MB over ${RUNS} runs`,
);
