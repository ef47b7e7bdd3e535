/**
 * Boots the real api (all modules, real PostgreSQL and Redis) on a fresh database for one test file,
 * listening on a free loopback port, and gives tests a small HTTP helper.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { WorkerModule } from '../../src/worker/worker.module.js';
import { createTestDatabase } from './databases.js';

export interface TestResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: Config;
  baseUrl: string;
  databaseUrl: string;
  request<T = any>(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<TestResponse<T>>;
  /** Registers a fresh user (own tenant, admin) and returns its token. */
  register(email?: string): Promise<{ token: string; user: { id: string; tenantId: string; email: string } }>;
  /** Starts an in-process worker on the same database and queue. */
  startWorker(env?: Record<string, string>): Promise<INestApplicationContext>;
  /** The environment a separate worker process needs to join this app. */
  env: Record<string, string>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * `env` may depend on the test's database (e.g. DATABASE_URL through a pooler in front of it);
 * `opts.postgres`: the admin URL of another PostgreSQL server to create the database on (a private one a test stops).
 */
export async function createTestApp(
  env: Record<string, string> | ((db: { name: string; url: string }) => Record<string, string>) = {},
  opts: { postgres?: string } = {},
): Promise<TestApp> {
  const db = await createTestDatabase(opts.postgres);
  if (typeof env === 'function') env = env(db);
  const baseEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: db.name,
    DEV_MODE: 'true',
    ALLOW_PRIVATE_TARGETS: 'true',
    WORKER_LOCK_MS: '2000',
    // A run whose worker died is resumed after its lease lapses: seconds in tests, not the default 30.
    EXECUTION_LEASE_MS: '3000',
    // Workers of parallel test files would all want the default metrics port; tests that need it set one.
    WORKER_METRICS_PORT: '0',
    ...env,
  };
  // REDIS_URL: '' runs the app as the zero-install mode does, without Redis.
  if (!baseEnv.REDIS_URL) delete baseEnv.REDIS_URL;
  const config = loadConfig(baseEnv);
  const workers: INestApplicationContext[] = [];
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const request: TestApp['request'] = async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${baseUrl}${url}`, { method, headers, body: payload });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: body as never, headers: Object.fromEntries(res.headers), text };
  };

  return {
    app,
    config,
    baseUrl,
    databaseUrl: db.url,
    request,
    async register(email) {
      const res = await request<{ token: string; user: { id: string; tenantId: string; email: string } }>('POST', '/api/auth/register', {
        body: { email: email ?? `user${++counter}-${Date.now()}@example.com`, password: 'password123', name: 'Test User' },
      });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
      return res.body;
    },
    env: baseEnv,
    async startWorker(extra = {}) {
      const worker = await NestFactory.createApplicationContext(WorkerModule.register(loadConfig({ ...baseEnv, ...extra })), { logger: false });
      await worker.init();
      workers.push(worker);
      return worker;
    },
    async close() {
      for (const w of workers) await w.close();
      await app.close();
      await db.drop();
    },
  };
}
