// Renders a soak's samples as one PNG: Chart.js (npm chart.js) in Debian's chromium, driven by
// playwright-core, screenshot of the page. No browser is downloaded; chromium comes from apt.
//   node scripts/soak/render.mjs artifacts/soak/<timestamp>.json [out.png]   re-renders a saved run
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { warmupSeconds } from './verdict.mjs';

const CHROMIUM = '/usr/bin/chromium';
const require = createRequire(import.meta.url);

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error('the soak plot needs Debian chromium: apt-get install -y chromium');
  console.log('[soak] installing Debian chromium (once)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (r.status !== 0 || !existsSync(CHROMIUM)) throw new Error('could not install chromium with apt-get');
}

/** Panels: [title, y-axis label, [[label, sample → number, options]]]. */
function panels(result) {
  const lat = (cat, q) => (s) => s.latencyMs[cat]?.[q];
  return [
    ['Resident memory (RSS) per process', 'MB', [
      ['api', (s) => s.rssMb.api],
      ['worker', (s) => s.rssMb.worker],
      ['sink (mock)', (s) => s.rssMb.sink],
      ['PostgreSQL backends (PSS sum)', (s) => s.rssMb.postgresPss],
      ['Redis (used_memory_rss, whole server)', (s) => s.rssMb.redis],
    ]],
    ['Event-loop delay (per scrape interval, log scale)', 'ms', [
      ['api p99', (s) => s.eventLoopMs.api?.p99],
      ['worker p99', (s) => s.eventLoopMs.worker?.p99],
      ['api p50', (s) => s.eventLoopMs.api?.p50, { dash: true }],
      ['worker p50', (s) => s.eventLoopMs.worker?.p50, { dash: true }],
    ]],
    ['PostgreSQL sizes', 'MB', [
      ['pg_database_size', (s) => s.db.databaseMb],
      ['executions: pg_table_size', (s) => s.db.executionsTableMb],
      ['executions: pg_indexes_size', (s) => s.db.executionsIndexesMb],
      ['executions rows (thousands, right axis)', (s) => (s.db.executions ? Object.values(s.db.executions).reduce((a, b) => a + b, 0) / 1000 : null), { right: true, dash: true }],
    ]],
    ['Webhook latency (async 202, and sync; log scale)', 'ms', [
      ['async p50', lat('webhook', 'p50')],
      ['async p95', lat('webhook', 'p95')],
      ['async p99', lat('webhook', 'p99')],
      ['sync p99 (whole run)', lat('webhookSync', 'p99'), { dash: true }],
    ]],
    ['Dashboard queries latency (log scale)', 'ms', [
      ['p50', lat('dashboard', 'p50')],
      ['p95', lat('dashboard', 'p95')],
      ['p99', lat('dashboard', 'p99')],
    ]],
    ['Throughput and errors', 'per second', [
      ['webhooks accepted', (s) => s.perSecond.webhook],
      ['executions finished', (s) => s.perSecond.executionsFinished],
      ['dashboard calls', (s) => s.perSecond.dashboard],
      ['WebSocket events (all clients, /10)', (s) => (s.perSecond.wsEvents === null ? null : s.perSecond.wsEvents / 10), { dash: true }],
      ['errors (any, count per sample)', (s) => Object.values(s.errors).reduce((a, e) => a + e.status4xx + e.status5xx + e.network, 0)],
    ]],
  ].map(([title, unit, series]) => ({
    title,
    unit,
    log: title.includes('log scale'),
    series: series.map(([label, f, o = {}]) => ({ label, ...o, data: result.samples.map((s) => ({ x: Math.round((s.t / 60) * 100) / 100, y: f(s) ?? null })) })),
  }));
}

export async function renderPng(result, outPath) {
  ensureChromium();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1300 }, deviceScaleFactor: 1 });
    const m = result.machine;
    const v = result.verdict;
    const title = `Tributary soak, ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(result.config.durationSeconds / 60)} min${result.config.smoke ? ' (smoke)' : ''}: ${v.ok ? 'PASS' : 'FAIL'}`;
    const sub =
      `${m.nproc} CPUs, ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis ?? '-'} | ` +
      `${result.config.webhookPerSecond}+${result.config.slowWebhookPerSecond} async + ${result.config.syncWebhookPerSecond} sync webhooks/s, ` +
      `${result.config.dashboardPerSecond} dashboard calls/s, ${result.config.wsClients} WebSocket clients, schedules every ${result.config.scheduleSeconds} s and every minute | ` +
      `retention ${result.config.retention} swept every ${result.config.retentionSweep}; shaded: warm-up (not judged)`;
    await page.setContent(`<!doctype html><html><head><style>
      body { margin: 0; padding: 14px 18px; font: 13px system-ui, sans-serif; background: #fff; color: #222; width: 1464px; }
      h1 { font-size: 18px; margin: 0 0 4px; } p { margin: 0 0 10px; color: #555; font-size: 12px; }
      .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 10px 18px; }
      .cell { height: 380px; position: relative; }
    </style></head><body><h1 id="title"></h1><p id="sub"></p><div class="grid" id="grid"></div></body></html>`);
    // Chart.js's browser build (its package exports name only the module builds).
    await page.addScriptTag({ path: join(dirname(require.resolve('chart.js')), 'chart.umd.js') });
    await page.evaluate(
      ({ title, sub, panels, warmupMin }) => {
        document.getElementById('title').textContent = title;
        document.getElementById('sub').textContent = sub;
        const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
        const warmup = {
          id: 'warmup',
          beforeDatasetsDraw(chart) {
            const x = chart.scales.x;
            const right = Math.min(x.getPixelForValue(warmupMin), x.right);
            if (!(right > x.left)) return;
            const { ctx, chartArea } = chart;
            ctx.save();
            ctx.fillStyle = 'rgba(0,0,0,0.06)';
            ctx.fillRect(x.left, chartArea.top, right - x.left, chartArea.bottom - chartArea.top);
            ctx.restore();
          },
        };
        for (const p of panels) {
          const cell = document.createElement('div');
          cell.className = 'cell';
          const canvas = document.createElement('canvas');
          cell.appendChild(canvas);
          document.getElementById('grid').appendChild(cell);
          const hasRight = p.series.some((s) => s.right);
          new Chart(canvas, {
            type: 'line',
            data: {
              datasets: p.series.map((s, i) => ({
                label: s.label,
                data: s.data,
                borderColor: colors[i % colors.length],
                backgroundColor: colors[i % colors.length],
                borderWidth: 1.5,
                borderDash: s.dash ? [5, 3] : [],
                pointRadius: 0,
                spanGaps: true,
                yAxisID: s.right ? 'y2' : 'y',
              })),
            },
            options: {
              animation: false,
              responsive: true,
              maintainAspectRatio: false,
              plugins: { title: { display: true, text: p.title, font: { size: 14 } }, legend: { position: 'bottom', labels: { boxWidth: 14, font: { size: 11 } } } },
              scales: {
                x: { type: 'linear', title: { display: true, text: 'minutes' } },
                y: p.log ? { type: 'logarithmic', title: { display: true, text: p.unit } } : { beginAtZero: true, title: { display: true, text: p.unit } },
                ...(hasRight ? { y2: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'thousand rows' } } } : {}),
              },
            },
            plugins: [warmup],
          });
        }
      },
      { title, sub, panels: panels(result), warmupMin: warmupSeconds(result.config) / 60 },
    );
    const height = await page.evaluate(() => document.body.scrollHeight);
    await page.setViewportSize({ width: 1500, height });
    await page.screenshot({ path: outPath, fullPage: true });
    return outPath;
  } finally {
    await browser.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [input, output] = process.argv.slice(2);
  if (!input) throw new Error('usage: node scripts/soak/render.mjs <run.json> [out.png]');
  const out = output ?? input.replace(/\.json$/, '.png');
  await renderPng(JSON.parse(readFileSync(input, 'utf8')), out);
  console.log(`${out} (${Math.round(statSync(out).size / 1024)} KB)`);
}
