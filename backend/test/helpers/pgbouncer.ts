/**
 * Debian's PgBouncer in front of the test PostgreSQL, on its own port with its own ini and userlist in
 * a temporary folder: any database name passes through (`* =`), so it fronts every test database.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminUrl } from './databases.js';
import { exited, freePort, listening } from './processes.js';

export interface PgBouncer {
  port: number;
  /** The same database URL, through PgBouncer. */
  url(databaseUrl: string): string;
  /** What PgBouncer logged so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export async function startPgBouncer(program: string, opts: { poolMode: 'session' | 'transaction'; poolSize: number }): Promise<PgBouncer> {
  const server = new URL(adminUrl());
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tributary-pgbouncer-'));
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      `pool_mode = ${opts.poolMode}`,
      // Few server connections per database and user, so consecutive statements of one client really hop.
      `default_pool_size = ${opts.poolSize}`,
      'max_client_conn = 2000',
      'log_connections = 0',
      'log_disconnections = 0',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'userlist.txt'), `"${decodeURIComponent(server.username) || 'postgres'}" ""\n`);
  // PgBouncer refuses to run as root; as root (CI) it drops to the postgres user, which must read the folder.
  chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const child = spawn(program, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const early = exited(child).then(({ code }) => Promise.reject(new Error(`pgbouncer exited (${code}): ${output}`)));
  early.catch(() => undefined /* only an exit before it listens is an error */);
  try {
    await Promise.race([listening(port, 'pgbouncer'), early]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    url(databaseUrl) {
      const u = new URL(databaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    log: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
