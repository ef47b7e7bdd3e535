// The whole platform for a browser run (the e2e tests, the dashboard benchmarks): the dashboard built
// for this run's api URL, then mock APIs, api, worker and `next start` on the given ports with a
// fresh database. Callers hold /tmp/tributary-e2e.lock around it (`next build` writes the one
// frontend/.next every checkout user shares).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { connectorBaseUrls, Platform, portFree, waitForHttp, WORKER_NODE_ARGS } from '../lib/platform.mjs';
import { ensurePostgres, ensureRedis, ROOT } from '../lib/services.mjs';

export const LOCK_FILE = '/tmp/tributary-e2e.lock';

/** Runs a command to its end; its output goes to stderr (the benchmarks keep stdout for their JSON). */
export function sh(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 2, 2], env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

export function ensureChromium(tag) {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) throw new Error('the browser runs need Debian chromium: apt-get install -y chromium');
  console.error(`[${tag}] installing Debian chromium (once)`);
  sh('apt-get', ['update', '-qq']);
  sh('apt-get', ['install', '-y', '-qq', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' });
}

/**
 * Builds the dashboard (unless `build` is false) and starts everything; answers the URLs and
 * `stop()`, which ends the processes and drops the database.
 */
export async function startStack({ apiPort, webPort, mockPort, tag, dbPrefix, build = true, quiet = ['api', 'worker', 'mock', 'web'] }) {
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  for (const port of [apiPort, webPort, mockPort]) if (!(await portFree(port))) throw new Error(`port ${port} is in use`);

  if (build) {
    console.error(`[${tag}] building the dashboard`);
    sh('npm', ['run', 'build', '-w', 'frontend'], { NEXT_PUBLIC_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' });
  }

  const server = await ensurePostgres({ database: 'postgres' });
  const redis = await ensureRedis();
  const dbName = `${dbPrefix}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = Object.assign(new URL(server.url), { pathname: `/${dbName}` }).toString();

  const platform = new Platform({ quiet });
  const stop = async () => {
    await platform.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  };
  try {
    const env = {
      NODE_ENV: 'development',
      PORT: String(apiPort),
      PUBLIC_URL: apiUrl,
      DATABASE_URL: dbUrl,
      ...(redis.url ? { REDIS_URL: redis.url, REDIS_PREFIX: dbName } : {}),
      DEV_MODE: 'true',
      // The browser test sends requests as Kong would (consumer headers) to check usage metering.
      TRUSTED_PROXIES: '127.0.0.1,::1',
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'warn',
      CORS_ORIGINS: `${webUrl},http://localhost:${webPort}`,
      ...connectorBaseUrls(mockUrl),
    };
    platform.run('mock', process.execPath, ['scripts/mock-apis/server.js'], { MOCK_APIS_PORT: String(mockPort) });
    platform.run('api', process.execPath, ['backend/dist/main.js'], env);
    platform.run('worker', process.execPath, [...WORKER_NODE_ARGS, 'backend/dist/worker.js'], env);
    platform.run('web', 'npx', ['next', 'start', 'frontend', '-p', String(webPort), '-H', '127.0.0.1'], {});
    for (const [what, url] of [['api', `${apiUrl}/health`], ['mock APIs', `${mockUrl}/__requests`], ['dashboard', webUrl]]) {
      if (!(await waitForHttp(url, 90_000))) throw new Error(`${what} did not come up at ${url}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { apiUrl, webUrl, mockUrl, stop };
}
