// `make dev`: PostgreSQL and Redis (found, started or embedded), the mock external APIs, the api,
// the worker and the dashboard; then demo data, then the URLs. Ctrl-C stops everything it started.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePostgres, ensureRedis, ROOT } from './lib/services.mjs';
import { seedDemo } from './seed.mjs';

const API_PORT = Number(process.env.PORT ?? 8080);
const MOCK_PORT = Number(process.env.MOCK_APIS_PORT ?? 4010);
const WEB_PORT = Number(process.env.DASHBOARD_PORT ?? 3000);
const children = [];
let stopping = false;
let stopPostgres = async () => {};

function run(name, cmd, args, env) {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}]`.padEnd(10);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (d) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop();
      for (const line of lines) if (line.trim()) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix} exited (${signal ?? code}); stopping the platform`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

async function waitForHttp(url, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return true;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  await stopPostgres();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function connectorKeys() {
  // The registry's connector keys, read from the compiled backend.
  const registry = join(ROOT, 'backend/dist/connectors/registry.js');
  if (!existsSync(registry)) return [];
  return [...readFileSync(registry, 'utf8').matchAll(/from '\.\/([a-z0-9-]+)\/index\.js'/g)].map((m) => m[1]);
}

try {
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
  };
  for (const key of connectorKeys()) env[`CONNECTOR_${key.toUpperCase().replace(/-/g, '_')}_BASE_URL`] ??= `${mockUrl}/${key}`;

  const hasMock = existsSync(join(ROOT, 'scripts/mock-apis/server.js'));
  if (hasMock) run('mock', process.execPath, ['scripts/mock-apis/server.js'], { MOCK_APIS_PORT: String(MOCK_PORT) });
  run('api', process.execPath, ['backend/dist/main.js'], env);
  if (!(await waitForHttp(`http://127.0.0.1:${API_PORT}/health`, 60000))) throw new Error('the api did not answer /health within 60 s (see its log above)');
  if (existsSync(join(ROOT, 'backend/dist/worker.js'))) run('worker', process.execPath, ['backend/dist/worker.js'], env);
  const frontendPkg = JSON.parse(readFileSync(join(ROOT, 'frontend/package.json'), 'utf8'));
  const hasDashboard = Boolean(frontendPkg.scripts?.dev);
  if (hasDashboard) {
    run('web', 'npm', ['run', 'dev', '-w', 'frontend', '--', '--port', String(WEB_PORT)], {
      NEXT_PUBLIC_API_URL: `http://localhost:${API_PORT}`,
    });
  }

  const seeded = await seedDemo(`http://127.0.0.1:${API_PORT}`, mockUrl);
  if (hasDashboard) await waitForHttp(`http://127.0.0.1:${WEB_PORT}`, 120000);

  console.log(`
  Tributary is up.
    Dashboard        ${hasDashboard ? `http://localhost:${WEB_PORT}   (click "Skip login — dev mode", or demo@tributary.local / password123)` : '(not built yet)'}
    API              http://localhost:${API_PORT}/api      health: http://localhost:${API_PORT}/health
    Mock APIs        ${hasMock ? mockUrl : '(not present)'}
    PostgreSQL       ${pgInfo.how}
    Queue            ${redis.url ? `Redis (${redis.how})` : `BullMQ on PostgreSQL: ${redis.how}`}
    Demo data        ${seeded}
  Ctrl-C stops everything.
`);
} catch (err) {
  console.error(`make dev failed: ${err.message}`);
  await shutdown(1);
}
