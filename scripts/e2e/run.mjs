// `make test-e2e`: the dashboard in a real browser against the real api, worker and mock APIs.
// Builds the dashboard for this run's api URL, starts everything on test ports with a fresh
// database, runs scripts/e2e/dashboard.e2e.mjs, and stops it all.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { connectorBaseUrls, Platform, portFree, waitForHttp } from '../lib/platform.mjs';
import { ensurePostgres, ensureRedis, ROOT } from '../lib/services.mjs';

const API_PORT = 18181;
const WEB_PORT = 13131;
const MOCK_PORT = 14141;
const apiUrl = `http://127.0.0.1:${API_PORT}`;
const mockUrl = `http://127.0.0.1:${MOCK_PORT}`;
const webUrl = `http://127.0.0.1:${WEB_PORT}`;

function sh(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

if (!existsSync('/usr/bin/chromium')) {
  if (process.getuid?.() !== 0) throw new Error('the browser tests need Debian chromium: apt-get install -y chromium');
  console.log('[e2e] installing Debian chromium (once)');
  sh('apt-get', ['update', '-qq']);
  sh('apt-get', ['install', '-y', '-qq', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' });
}

for (const port of [API_PORT, WEB_PORT, MOCK_PORT]) if (!(await portFree(port))) throw new Error(`port ${port} is in use`);

console.log('[e2e] building the dashboard');
sh('npm', ['run', 'build', '-w', 'frontend'], { NEXT_PUBLIC_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' });

const server = await ensurePostgres({ database: 'postgres' });
const redis = await ensureRedis();
const dbName = `tributary_e2e_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = Object.assign(new URL(server.url), { pathname: `/${dbName}` }).toString();

const platform = new Platform({ quiet: ['api', 'worker', 'mock', 'web'] });
let code = 1;
try {
  const env = {
    NODE_ENV: 'development',
    PORT: String(API_PORT),
    PUBLIC_URL: apiUrl,
    DATABASE_URL: dbUrl,
    ...(redis.url ? { REDIS_URL: redis.url, REDIS_PREFIX: dbName } : {}),
    DEV_MODE: 'true',
    // The browser test sends requests as Kong would (consumer headers) to check usage metering.
    TRUSTED_PROXIES: '127.0.0.1,::1',
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'warn',
    CORS_ORIGINS: `${webUrl},http://localhost:${WEB_PORT}`,
    ...connectorBaseUrls(mockUrl),
  };
  platform.run('mock', process.execPath, ['scripts/mock-apis/server.js'], { MOCK_APIS_PORT: String(MOCK_PORT) });
  platform.run('api', process.execPath, ['backend/dist/main.js'], env);
  platform.run('worker', process.execPath, ['backend/dist/worker.js'], env);
  platform.run('web', 'npx', ['next', 'start', 'frontend', '-p', String(WEB_PORT), '-H', '127.0.0.1'], {});
  for (const [what, url] of [['api', `${apiUrl}/health`], ['mock APIs', `${mockUrl}/__requests`], ['dashboard', webUrl]]) {
    if (!(await waitForHttp(url, 90_000))) throw new Error(`${what} did not come up at ${url}`);
  }
  const r = spawnSync(process.execPath, ['scripts/e2e/dashboard.e2e.mjs'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, BASE_URL: webUrl, API_URL: apiUrl, MOCK_URL: mockUrl },
  });
  code = r.status ?? 1;
} catch (err) {
  console.error(`[e2e] ${err.message}`);
} finally {
  await platform.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
}
process.exit(code);
