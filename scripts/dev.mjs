// `make dev`: PostgreSQL and Redis (found, started or embedded), the mock external APIs, the api,
// the worker and the dashboard; then demo data, then the URLs. Ctrl-C stops everything it started.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectorBaseUrls, Platform, portFree, waitForHttp } from './lib/platform.mjs';
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
  if (existsSync(join(ROOT, 'backend/dist/worker.js'))) platform.run('worker', process.execPath, ['backend/dist/worker.js'], env);
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
  if (hasDashboard) await waitForHttp(`http://127.0.0.1:${WEB_PORT}`, 120000);

  console.log(`
  Tributary is up.
    Dashboard        ${hasDashboard ? `http://localhost:${WEB_PORT}   (click "Skip login — dev mode", or demo@tributary.local / password123)` : '(not built yet)'}
    API              http://localhost:${API_PORT}/api      health: http://localhost:${API_PORT}/health
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
