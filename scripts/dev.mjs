// `make dev`: PostgreSQL and Redis (found, started or embedded), the mock external APIs, the api,
// the worker and the dashboard; then demo data, then the URLs. Ctrl-C stops everything it started.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { connectorBaseUrls, Platform, portFree, waitForHttp, WORKER_NODE_ARGS } from './lib/platform.mjs';
import { ensurePostgres, ensureRedis, ROOT } from './lib/services.mjs';
import { APPROVAL_DEMO, seedDemo } from './seed.mjs';

const API_PORT = Number(process.env.PORT ?? 8080);
const MOCK_PORT = Number(process.env.MOCK_APIS_PORT ?? 4010);
const WEB_PORT = Number(process.env.DASHBOARD_PORT ?? 3000);
let stopPostgres = async () => {};
let shuttingDown = false;
const platform = new Platform({ onUnexpectedExit: () => void shutdown(1) });

async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  await platform.stop();
  await stopPostgres();
  process.exit(code);
}
/**
 * Every page of the dashboard, from frontend/app's page files: route groups `(x)` dropped, a dynamic
 * segment `[id]` given a placeholder (the page compiles the same whatever the id; it then shows "not found").
 */
function dashboardRoutes() {
  const app = join(ROOT, 'frontend/app');
  const routes = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (/^page\.(tsx|ts|jsx|js)$/.test(entry.name)) {
        const segments = relative(app, dir).split(sep).filter((s) => s && !/^\(.*\)$/.test(s) && !s.startsWith('@'));
        routes.push(`/${segments.map((s) => (s.startsWith('[') ? 'warm-up' : s)).join('/')}`);
      }
    }
  };
  if (existsSync(app)) walk(app);
  // The overview first (the page everyone opens), then static pages before dynamic ones.
  return [...new Set(routes)].sort((a, b) => (a === '/' ? -1 : b === '/' ? 1 : Number(a.includes('warm-up')) - Number(b.includes('warm-up')) || a.localeCompare(b)));
}

/** Loads a page as a first visit does: its HTML, then the scripts it names (Next compiles both on demand). Answers the time in ms. */
async function visit(base, route, timeoutMs) {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  const res = await fetch(`${base}${route}`, { signal, headers: { accept: 'text/html' } });
  const html = await res.text();
  if (res.status >= 500) throw new Error(`answered ${res.status}`);
  const scripts = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')))];
  await Promise.all(scripts.map((src) => fetch(new URL(src, base), { signal }).then((r) => r.arrayBuffer())));
  return performance.now() - started;
}

/**
 * `next dev` compiles a page on its first visit (2-9 s each): visit every page once before saying the
 * dashboard is up, so a person's first visits answer at once; then time each page's first visit.
 * Bounded: a page that takes longer than `timeoutMs` is left to compile on its own.
 */
async function warmUpDashboard(base, timeoutMs = 60_000) {
  const routes = dashboardRoutes();
  const started = Date.now();
  const slow = [];
  for (const [i, route] of routes.entries()) {
    let note;
    try {
      note = `${route} ${((await visit(base, route, timeoutMs)) / 1000).toFixed(1)} s`;
    } catch (err) {
      slow.push(route);
      note = `${route} ${err.name === 'TimeoutError' ? `not ready after ${timeoutMs / 1000} s` : `failed: ${err.message}`}`;
    }
    console.log(`warming up the dashboard: ${i + 1}/${routes.length} pages (${note})`);
  }
  const timings = [];
  for (const route of routes) {
    if (slow.includes(route)) continue;
    timings.push([route, await visit(base, route, timeoutMs).catch(() => NaN)]);
  }
  const over = timings.filter(([, ms]) => !(ms < 1000)).map(([r]) => r);
  return {
    seconds: ((Date.now() - started) / 1000).toFixed(0),
    pages: routes.length,
    timings: timings.map(([r, ms]) => `${r} ${Number.isNaN(ms) ? 'failed' : `${Math.round(ms)} ms`}`).join(', '),
    slow: [...slow, ...over],
  };
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  for (const [what, port, variable] of [['api', API_PORT, 'PORT'], ['mock APIs', MOCK_PORT, 'MOCK_APIS_PORT'], ['dashboard', WEB_PORT, 'DASHBOARD_PORT']]) {
    if (!(await portFree(port))) throw new Error(`port ${port} (${what}) is in use: stop what holds it, or set ${variable}=<another port>`);
  }
  const pgInfo = await ensurePostgres({ database: 'tributary' });
  stopPostgres = pgInfo.stop;
  const redis = await ensureRedis();
  const mockUrl = `http://127.0.0.1:${MOCK_PORT}`;
  const env = {
    NODE_ENV: 'development',
    PORT: String(API_PORT),
    PUBLIC_URL: process.env.PUBLIC_URL ?? `http://localhost:${API_PORT}`,
    DATABASE_URL: pgInfo.url,
    ...(redis.url ? { REDIS_URL: redis.url } : {}),
    DEV_MODE: process.env.DEV_MODE ?? 'true',
    // The demo's external APIs are the local mock: loopback must be allowed.
    ALLOW_PRIVATE_TARGETS: 'true',
    MOCK_APIS_URL: mockUrl,
    CORS_ORIGINS: `http://localhost:${WEB_PORT},http://127.0.0.1:${WEB_PORT}`,
    ...connectorBaseUrls(mockUrl),
  };

  const hasMock = existsSync(join(ROOT, 'scripts/mock-apis/server.js'));
  if (hasMock) platform.run('mock', process.execPath, ['scripts/mock-apis/server.js'], { MOCK_APIS_PORT: String(MOCK_PORT) });
  platform.run('api', process.execPath, ['backend/dist/main.js'], env);
  if (!(await waitForHttp(`http://127.0.0.1:${API_PORT}/health`, 60000))) throw new Error('the api did not answer /health within 60 s (see its log above)');
  if (existsSync(join(ROOT, 'backend/dist/worker.js'))) platform.run('worker', process.execPath, [...WORKER_NODE_ARGS, 'backend/dist/worker.js'], env);
  const frontendPkg = JSON.parse(readFileSync(join(ROOT, 'frontend/package.json'), 'utf8'));
  const hasDashboard = Boolean(frontendPkg.scripts?.dev);
  if (hasDashboard) {
    platform.run('web', 'npm', ['run', 'dev', '-w', 'frontend', '--', '--port', String(WEB_PORT)], {
      NEXT_PUBLIC_API_URL: `http://localhost:${API_PORT}`,
    });
  }

  const seeded = await seedDemo(`http://127.0.0.1:${API_PORT}`, mockUrl);
  // The approval demo's seeded run waits for someone: say where to approve it.
  const { approval } = seeded;
  const approveAt = approval?.executionId
    ? `its run waits for you: ${hasDashboard ? `http://localhost:${WEB_PORT}/logs/${approval.executionId} → Approve` : `POST /api/executions/${approval.executionId}/approve`}`
    : 'run it, then approve its run under Logs';
  let warm = null;
  if (hasDashboard) {
    await waitForHttp(`http://127.0.0.1:${WEB_PORT}`, 120000);
    // DEV_WARM_UP=false skips it (pages then compile on their first visit).
    if (process.env.DEV_WARM_UP !== 'false') warm = await warmUpDashboard(`http://127.0.0.1:${WEB_PORT}`);
  }

  console.log(`
  Tributary is up.
    Dashboard        ${hasDashboard ? `http://localhost:${WEB_PORT} or http://127.0.0.1:${WEB_PORT}   (click "Skip login — dev mode": the demo workspace, or demo@tributary.local / password123)` : '(not built yet)'}
${warm ? `    Warmed up        ${warm.pages} pages compiled in ${warm.seconds} s; first visit: ${warm.timings}${warm.slow.length ? `\n                     over 1 s: ${warm.slow.join(', ')}` : ''}\n` : ''}    API              http://localhost:${API_PORT}/api      health: http://localhost:${API_PORT}/health
    Mock APIs        ${hasMock ? mockUrl : '(not present)'}
    PostgreSQL       ${pgInfo.how}
    Queue            ${redis.url ? `Redis (${redis.how})` : `BullMQ on PostgreSQL: ${redis.how}`}
    Demo data        ${seeded.summary}
    Flow demos       loop, parallel, sub-workflow, error workflow and approval under Workflows, their runs under Logs
                     "${APPROVAL_DEMO}": ${approveAt}
  Ctrl-C stops everything.
`);
} catch (err) {
  console.error(`make dev failed: ${err.message}`);
  await shutdown(1);
}
