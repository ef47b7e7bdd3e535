// First-load JavaScript per dashboard route: `node scripts/bench/js-budget.mjs [--build] [--write]`.
// Serves frontend/.next with `next start` (port 13331), fetches each route's HTML and sums the gzip
// size (zlib level 9, as Next's own size report) of the scripts it loads on first visit (every
// `<script src="/_next/…">` of the page), then compares each route with scripts/bench/js-budget.json
// and exits 1 when one is over its budget. Prints JSON on stdout.
//   --build  runs `next build` first (else it reads the last build: run it after one)
//   --write  writes the budget file from this measurement (+15 % headroom, rounded up to 5 kB)
// Takes /tmp/tributary-e2e.lock itself (the browser tests rebuild the same frontend/.next).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Platform, portFree, waitForHttp } from '../lib/platform.mjs';
import { ROOT } from '../lib/services.mjs';
import { LOCK_FILE, sh } from '../e2e/stack.mjs';

if (process.env.TRIBUTARY_UI_LOCK !== 'held') {
  const r = spawnSync('flock', [LOCK_FILE, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, TRIBUTARY_UI_LOCK: 'held' } });
  process.exit(r.status ?? 1);
}

const PORT = 13331;
const BUDGET_FILE = join(ROOT, 'scripts/bench/js-budget.json');
const NEXT_DIR = join(ROOT, 'frontend/.next');
const ANY_ID = '00000000-0000-4000-8000-000000000000';
/** Every page of the dashboard (dynamic segments with an id that need not exist: the scripts are the same). */
const ROUTES = {
  '/': '/',
  '/login': '/login',
  '/register': '/register',
  '/workflows': '/workflows',
  '/workflows/new': '/workflows/new',
  '/workflows/[id]': `/workflows/${ANY_ID}`,
  '/logs': '/logs',
  '/logs/[id]': `/logs/${ANY_ID}`,
  '/connections': '/connections',
  '/templates': '/templates',
  '/variables': '/variables',
  '/api-keys': '/api-keys',
  '/audit': '/audit',
  '/team': '/team',
  '/gateway': '/gateway',
};
const HEADROOM = 1.15;
const STEP = 5 * 1024;

if (process.argv.includes('--build')) sh('npm', ['run', 'build', '-w', 'frontend'], { NEXT_TELEMETRY_DISABLED: '1' });
if (!existsSync(join(NEXT_DIR, 'BUILD_ID'))) throw new Error('no build in frontend/.next: run `npm run build -w frontend` first, or pass --build');
if (!(await portFree(PORT))) throw new Error(`port ${PORT} is in use`);

const gz = new Map();
function gzipBytes(src) {
  if (!gz.has(src)) {
    const file = join(NEXT_DIR, decodeURIComponent(src.replace(/^\/_next\//, '').split('?')[0]));
    gz.set(src, existsSync(file) ? gzipSync(readFileSync(file), { level: 9 }).length : null);
  }
  return gz.get(src);
}

const platform = new Platform({ quiet: ['web'] });
let code = 0;
try {
  platform.run('web', 'npx', ['next', 'start', 'frontend', '-p', String(PORT), '-H', '127.0.0.1'], { NEXT_TELEMETRY_DISABLED: '1' });
  if (!(await waitForHttp(`http://127.0.0.1:${PORT}/login`, 60_000))) throw new Error('next start did not come up');
  const routes = {};
  for (const [route, path] of Object.entries(ROUTES)) {
    const html = await (await fetch(`http://127.0.0.1:${PORT}${path}`)).text();
    const scripts = [...new Set([...html.matchAll(/<script[^>]+src="(\/_next\/[^"]+\.js[^"]*)"/g)].map((m) => m[1]))];
    const missing = scripts.filter((s) => gzipBytes(s) === null);
    if (missing.length) throw new Error(`${route}: scripts not in frontend/.next: ${missing.join(', ')}`);
    routes[route] = { scripts: scripts.length, gzipBytes: scripts.reduce((a, s) => a + gzipBytes(s), 0) };
  }
  const budget = existsSync(BUDGET_FILE) ? JSON.parse(readFileSync(BUDGET_FILE, 'utf8')) : null;
  if (process.argv.includes('--write')) {
    const routesBudget = Object.fromEntries(Object.entries(routes).map(([r, m]) => [r, Math.ceil((m.gzipBytes * HEADROOM) / STEP) * STEP]));
    writeFileSync(BUDGET_FILE, `${JSON.stringify({ $comment: 'First-load JavaScript per route, gzip bytes (scripts/bench/js-budget.mjs --write: the measurement + 15 %, rounded up to 5 kB).', routes: routesBudget }, null, 2)}\n`);
  }
  const over = [];
  for (const [route, m] of Object.entries(routes)) {
    const limit = budget?.routes?.[route];
    m.budget = limit ?? null;
    if (limit !== undefined && m.gzipBytes > limit) over.push(`${route}: ${m.gzipBytes} > ${limit}`);
    if (budget && limit === undefined) over.push(`${route}: no budget in scripts/bench/js-budget.json`);
  }
  const total = new Set(Object.values(ROUTES)).size;
  console.log(JSON.stringify({ bench: 'js-budget', unit: 'gzip bytes', pages: total, routes, overBudget: over }, null, 2));
  if (over.length && !process.argv.includes('--write')) {
    console.error(`[js-budget] over budget:\n  ${over.join('\n  ')}`);
    code = 1;
  }
} catch (err) {
  console.error(`[js-budget] ${err.message}`);
  code = 1;
} finally {
  await platform.stop();
}
process.exit(code);
