/** Separate worker and api processes and private servers (Redis, PgBouncer, Sentinel), for tests that kill and restart things. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

const WORKER_ENTRY = join(process.cwd(), 'dist', 'worker.js');
const API_ENTRY = join(process.cwd(), 'dist', 'main.js');

export function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawnEntry(WORKER_ENTRY, env);
}

/** A separate api process (set PORT in `env`). */
export function spawnApi(env: Record<string, string>): ChildProcess {
  return spawnEntry(API_ENTRY, env);
}

function spawnEntry(entry: string, env: Record<string, string>): ChildProcess {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the backend first (make test does)`);
  const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  // TEST_WORKER_LOG=<file>: keep what separate processes print (set TEST_LOG_LEVEL too), to debug a test.
  const logFile = process.env.TEST_WORKER_LOG;
  if (logFile) {
    const out = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  return child;
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode, at: Date.now() });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server on its own port (so stopping it disturbs nobody else). */
export async function startRedis(port: number, args: string[] = []): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
  await listening(port, 'redis-server');
  return child;
}

/**
 * A program from Debian's packages (pgbouncer, redis-sentinel): present, or installed when we may
 * (root, as on CI), else the reason a test skips. Runs once, synchronously, where a file declares its tests.
 */
export function debianProgram(pkg: string, path: string): { path: string } | { skip: string } {
  if (existsSync(path)) return { path };
  if (process.getuid?.() !== 0) return { skip: `${path} is missing and installing ${pkg} needs root (apt-get install -y ${pkg})` };
  const apt = (...args: string[]) => spawnSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status;
  // A fresh machine may have no package lists yet: update once and try again.
  const status = apt('install', '-y', '-qq', pkg) === 0 ? 0 : (apt('update', '-qq'), apt('install', '-y', '-qq', pkg));
  if (status === 0 && existsSync(path)) return { path };
  return { skip: `${path} is missing and \`apt-get install -y ${pkg}\` failed (exit ${status})` };
}

/** Resolves once something accepts TCP connections on the port (or rejects after `timeoutMs`). */
export async function listening(port: number, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
}

/** A private redis-server a test may kill, hang and bring back (empty: it keeps nothing on disk), always on the same port. */
export interface OwnRedis {
  port: number;
  url: string;
  /** SIGKILL, and wait until it is gone (nothing when it is not running). */
  kill(): Promise<void>;
  /** Start it (again, empty) on the same port. */
  start(): Promise<void>;
  /** Send a signal (SIGSTOP/SIGCONT to hang it). */
  signal(sig: NodeJS.Signals): void;
}

/**
 * The one way a test gets a Redis of its own to stop: `redis = await withOwnRedis()` in a beforeAll,
 * `await redis.kill()` in the afterAll after the app using it is closed.
 */
export async function withOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const own: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      c.kill('SIGKILL');
      await exited(c);
    },
    async start() {
      await own.kill();
      child = await startRedis(port);
    },
    signal(sig) {
      child?.kill(sig);
    },
  };
  await own.start();
  return own;
}
