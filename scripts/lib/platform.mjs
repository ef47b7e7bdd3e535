// Starting the platform's processes (mock APIs, api, worker, dashboard) for `make dev` and the
// browser tests: each in its own process group, its output prefixed, all stopped together.
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { portFree, ROOT } from './services.mjs';

export { portFree };

/**
 * Node flags the worker runs with (here, in backend/package.json's `worker` script and in
 * docker-compose.yml's worker command; a config test keeps them equal). A larger young generation
 * (V8's default semi-space is 16 MB): a worker with a thousand step calls in flight keeps their
 * state alive across scavenges, and with 16 MB most of it is promoted and collected by full
 * mark-compacts. Measured by `make bench-engine` (docs/benchmarks.md, 2026-12-01).
 */
export const WORKER_NODE_ARGS = ['--max-semi-space-size=64'];

/** Calls `fn` with each non-blank line a stream prints (a child process's output). */
export function onLines(stream, fn) {
  let rest = '';
  stream.on('data', (d) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop();
    for (const line of lines) if (line.trim()) fn(line);
  });
}

export class Platform {
  children = [];
  stopping = false;

  constructor({ onUnexpectedExit, quiet = [] } = {}) {
    this.onUnexpectedExit = onUnexpectedExit;
    this.quiet = new Set(quiet);
  }

  run(name, cmd, args, env = {}) {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const prefix = `[${name}]`.padEnd(10);
    const recent = [];
    for (const stream of [child.stdout, child.stderr]) {
      onLines(stream, (line) => {
        recent.push(line);
        if (recent.length > 20) recent.shift();
        if (!this.quiet.has(name)) process.stdout.write(`${prefix} ${line}\n`);
      });
    }
    child.on('exit', (code, signal) => {
      if (!this.stopping) {
        // A quiet process that dies still says why.
        if (this.quiet.has(name)) for (const line of recent) process.stderr.write(`${prefix} ${line}\n`);
        console.error(`${prefix} exited (${signal ?? code})`);
        this.onUnexpectedExit?.(name);
      }
    });
    this.children.push(child);
    return child;
  }

  async stop() {
    this.stopping = true;
    for (const c of this.children) {
      try {
        process.kill(-c.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    await Promise.all(this.children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  }
}

export async function waitForHttp(url, timeoutMs) {
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

/** CONNECTOR_<KEY>_BASE_URL for every registered connector, pointing at the mock (`<mock>/<key>`). */
export function connectorBaseUrls(mockUrl) {
  const registry = join(ROOT, 'backend/dist/connectors/registry.js');
  if (!existsSync(registry)) return {};
  const keys = [...readFileSync(registry, 'utf8').matchAll(/from '\.\/([a-z0-9-]+)\/index\.js'/g)].map((m) => m[1]);
  return Object.fromEntries(keys.map((k) => [`CONNECTOR_${k.toUpperCase().replace(/-/g, '_')}_BASE_URL`, `${mockUrl}/${k}`]));
}
