/**
 * A private PostgreSQL server for tests that stop, crash or restart the database: its own data
 * directory and port, so the machine's server (and every other test) is never touched. Uses the
 * machine's PostgreSQL binaries (Debian's /usr/lib/postgresql/<v>/bin); as root, the server runs as
 * the `postgres` user (PostgreSQL refuses to run as root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './processes.js';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  return join(root, versions[0], 'bin');
}

const asRoot = process.getuid?.() === 0;

function run(cmd: string, args: string[]): string {
  const full = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const;
  const r = spawnSync(full[0], full[1] as string[], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export interface PrivatePostgres {
  port: number;
  /** A connection URL for `database` on this server. */
  url(database?: string): string;
  /** `pg_ctl stop` (fast: connections are cut; immediate: a crash, with recovery at the next start). */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  destroy(): void;
}

export async function startPostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'tributary-pg-'));
  const data = join(dir, 'data');
  if (asRoot) execFileSync('chown', ['-R', 'postgres', dir]);
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [`port = ${port}`, `listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${dir}'`, 'fsync = off', 'full_page_writes = off', 'max_connections = 200', ''].join('\n'),
  );
  if (asRoot) chownSync(join(data, 'postgresql.auto.conf'), Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), -1);
  const server: PrivatePostgres = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: (mode = 'fast') => {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop']);
    },
    start: async () => {
      run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
      const until = Date.now() + 30_000;
      for (;;) {
        const c = new pg.Client({ connectionString: server.url() });
        try {
          await c.connect();
          await c.end();
          return;
        } catch (err) {
          await c.end().catch(() => undefined);
          if (Date.now() > until) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    destroy: () => {
      spawnSync(asRoot ? 'runuser' : join(bin, 'pg_ctl'), asRoot ? ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'] : ['-D', data, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
