// The chaos suite's hosts: PostgreSQL, Redis, two api processes, two workers and HAProxy, each in
// its own network namespace (net.mjs), started, killed and restarted by the scenarios.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { chownSync, copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { HOSTS, ns } from './net.mjs';
import { WORKER_NODE_ARGS } from '../lib/platform.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const PG_PORT = 5432;
export const REDIS_PORT = 6379;
export const API_PORT = 8080;
export const LB_PORT = 8080;
export const WORKER_METRICS_PORT = 9464;
export const DATABASE = 'tributary';

function pgBin() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return join(root, versions[0], 'bin');
}

export async function waitFor(what, check, timeoutMs, everyMs = 200) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function httpOk(url, timeoutMs = 1000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** One command sent to a Redis server over a plain socket; answers the raw reply. */
export function redisCommand(host, port, command, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    let buf = '';
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error('redis timeout'));
    });
    s.on('error', reject);
    s.on('connect', () => s.write(`${command}\r\n`));
    s.on('data', (d) => {
      buf += d.toString();
      const bulk = /^\$(\d+)\r\n/.exec(buf);
      if (bulk ? Buffer.byteLength(buf) >= bulk[0].length + Number(bulk[1]) : buf.includes('\r\n')) {
        s.destroy();
        resolve(buf);
      }
    });
  });
}

export class Hosts {
  /** @param {{ dir: string, root: string, env: Record<string,string>, log: (m: string) => void }} opts */
  constructor({ dir, logsDir, root, env, log }) {
    this.dir = dir;
    this.logsDir = logsDir;
    this.root = root;
    this.env = env;
    this.log = log;
    this.procs = new Map(); // name → child
    this.exits = new Map(); // name → { code, signal, at }
    // The PostgreSQL server clients reach at HOSTS.pg: `pg`, or `pg2` once the standby was promoted.
    this.primary = 'pg';
    this.pgDirs = { pg: join(dir, 'pg'), pg2: join(dir, 'pg2') };
    this.bin = pgBin();
    mkdirSync(logsDir, { recursive: true });
  }

  logFile(name) {
    return join(this.logsDir, `${name}.log`);
  }

  /** A long-running process inside `host`'s namespace; its output goes to logs/<name>.log. */
  spawnIn(name, host, cmd, args, env = {}) {
    const out = createWriteStream(this.logFile(name), { flags: 'a' });
    out.write(`--- ${new Date().toISOString()} start ${cmd} ${args.join(' ')}\n`);
    const child = spawn('ip', ['netns', 'exec', ns(host), cmd, ...args], { cwd: this.root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.exitInfo = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        const info = { code, signal, at: Date.now() };
        this.exits.set(name, info);
        out.write(`--- ${new Date().toISOString()} exited (${signal ?? code})\n`);
        resolve(info);
      }),
    );
    this.procs.set(name, child);
    return child;
  }

  alive(name) {
    const c = this.procs.get(name);
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  async kill(name, signal = 'SIGKILL') {
    const c = this.procs.get(name);
    if (!c || !this.alive(name)) return;
    c.kill(signal);
    await c.exitInfo;
  }

  // ---- PostgreSQL ----

  /** The primary's directory (its log, its socket) and data directory. */
  get pgDir() {
    return this.pgDirs[this.primary];
  }

  get pgData() {
    return join(this.pgDir, 'data');
  }

  runAsPostgres(args, { check = true, host = this.primary } = {}) {
    const r = spawnSync('ip', ['netns', 'exec', ns(host), 'runuser', '-u', 'postgres', '--', ...args], { encoding: 'utf8' });
    if (check && r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr || r.stdout}`);
    return r;
  }

  initPostgres() {
    rmSync(this.pgDir, { recursive: true, force: true });
    mkdirSync(this.pgDir, { recursive: true });
    execFileSync('chown', ['-R', 'postgres', this.pgDir]);
    this.runAsPostgres([join(this.bin, 'initdb'), '-D', this.pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    writeFileSync(
      join(this.pgData, 'postgresql.auto.conf'),
      [
        `port = ${PG_PORT}`,
        `listen_addresses = '${HOSTS.pg}'`,
        `unix_socket_directories = '${this.pgDir}'`,
        'fsync = off',
        'full_page_writes = off',
        'max_connections = 400',
        'shared_buffers = 256MB',
        '',
      ].join('\n'),
    );
    // The standby of pg-failover copies and streams from this server: replication connections too.
    appendFileSync(join(this.pgData, 'pg_hba.conf'), `host all all ${HOSTS.pg.replace(/\.\d+$/, '.0')}/24 trust\nhost replication all ${HOSTS.pg.replace(/\.\d+$/, '.0')}/24 trust\n`);
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    chownSync(join(this.pgData, 'postgresql.auto.conf'), uid, -1);
    chownSync(join(this.pgData, 'pg_hba.conf'), uid, -1);
  }

  pgUrl(database = DATABASE) {
    return `postgres://postgres@${HOSTS.pg}:${PG_PORT}/${database}`;
  }

  async startPostgres() {
    this.runAsPostgres([join(this.bin, 'pg_ctl'), '-D', this.pgData, '-l', join(this.pgDir, 'postgres.log'), '-w', '-t', '60', 'start']);
    await waitFor('PostgreSQL to answer', async () => {
      const c = new pg.Client({ connectionString: this.pgUrl('postgres'), connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        await c.query('SELECT 1');
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    }, 60_000);
  }

  /** `pg_ctl stop`: fast (connections cut, clean shutdown) or immediate (a crash; recovery at start). */
  stopPostgres(mode) {
    this.runAsPostgres([join(this.bin, 'pg_ctl'), '-D', this.pgData, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  pgRunning() {
    return this.runAsPostgres([join(this.bin, 'pg_ctl'), '-D', this.pgData, 'status'], { check: false }).status === 0;
  }

  /**
   * A synchronous streaming standby of the primary on host pg2 (pg_basebackup -R): every commit the
   * primary acknowledges from then on is on the standby too (synchronous_standby_names = '*',
   * synchronous_commit on), as in a production pair whose failover must not lose acknowledged work.
   * It listens on every address of its host, so it answers HOSTS.pg once that address moves to it.
   */
  async startStandby() {
    const dir = this.pgDirs.pg2;
    const data = join(dir, 'data');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('chown', ['-R', 'postgres', dir]);
    this.runAsPostgres([join(this.bin, 'pg_basebackup'), '-h', HOSTS.pg, '-p', String(PG_PORT), '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'], { host: 'pg2' });
    appendFileSync(join(data, 'postgresql.auto.conf'), [`listen_addresses = '*'`, `unix_socket_directories = '${dir}'`, ''].join('\n'));
    this.runAsPostgres([join(this.bin, 'pg_ctl'), '-D', data, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', 'start'], { host: 'pg2' });
    const c = new pg.Client({ connectionString: this.pgUrl('postgres') });
    await c.connect();
    try {
      await c.query(`ALTER SYSTEM SET synchronous_standby_names = '*'`);
      await c.query('SELECT pg_reload_conf()');
      await waitFor('the standby to stream synchronously', async () => (await c.query(`SELECT 1 FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'sync'`)).rowCount === 1, 60_000);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** `pg_ctl promote` on the standby: it leaves recovery and takes writes; from now on it is the primary. */
  promoteStandby() {
    this.runAsPostgres([join(this.bin, 'pg_ctl'), '-D', join(this.pgDirs.pg2, 'data'), '-w', '-t', '60', 'promote'], { host: 'pg2' });
    this.primary = 'pg2';
  }

  // ---- Redis ----

  async startRedis() {
    this.spawnIn('redis', 'redis', 'redis-server', ['--bind', HOSTS.redis, '--port', String(REDIS_PORT), '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--maxmemory-policy', 'noeviction']);
    await waitFor('Redis to answer', async () => (await redisCommand(HOSTS.redis, REDIS_PORT, 'PING')).startsWith('+PONG'), 20_000);
  }

  async redisUsedMemory() {
    const info = await redisCommand(HOSTS.redis, REDIS_PORT, 'INFO memory');
    const used = /used_memory:(\d+)/.exec(info);
    const peak = /used_memory_peak:(\d+)/.exec(info);
    return { usedMemoryMb: used ? Math.round(Number(used[1]) / 1048576) : null, peakMemoryMb: peak ? Math.round(Number(peak[1]) / 1048576) : null };
  }

  // ---- api and workers ----

  nodeEnv(host) {
    return { ...this.env, HOST: HOSTS[host], PORT: String(API_PORT), WORKER_METRICS_PORT: String(WORKER_METRICS_PORT) };
  }

  async startApi(host, { wait = true } = {}) {
    this.spawnIn(host, host, process.execPath, [join(this.root, 'backend/dist/main.js')], this.nodeEnv(host));
    if (wait) await waitFor(`${host} to answer /health/live`, () => httpOk(`http://${HOSTS[host]}:${API_PORT}/health/live`), 90_000, 250);
  }

  async startWorker(host, { wait = true } = {}) {
    this.spawnIn(host, host, process.execPath, [...WORKER_NODE_ARGS, join(this.root, 'backend/dist/worker.js')], this.nodeEnv(host));
    if (wait) await waitFor(`${host} to answer /health`, () => httpOk(`http://${HOSTS[host]}:${WORKER_METRICS_PORT}/health`), 90_000, 250);
  }

  rss(name) {
    const c = this.procs.get(name);
    if (!c || !this.alive(name)) return null;
    try {
      const status = readFileSync(`/proc/${c.pid}/status`, 'utf8');
      const rss = /VmRSS:\s+(\d+) kB/.exec(status);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      return { rssMb: rss ? Math.round(Number(rss[1]) / 1024) : null, peakRssMb: hwm ? Math.round(Number(hwm[1]) / 1024) : null };
    } catch {
      return null;
    }
  }

  // ---- HAProxy ----

  get haproxySocket() {
    return join(this.dir, 'haproxy.sock');
  }

  async startHaproxy({ interMs, fall, rise }) {
    const cfg = join(this.dir, 'haproxy.cfg');
    writeFileSync(
      cfg,
      [
        'global',
        '  maxconn 8000',
        '  log stdout format raw local0',
        `  stats socket ${this.haproxySocket} mode 600 level admin`,
        'defaults',
        '  mode http',
        '  log global',
        '  option httplog',
        '  option dontlog-normal', // only errors and abnormal ends: the evidence of a refusal
        '  timeout connect 2s',
        '  timeout client 60s',
        '  timeout server 60s',
        '  timeout http-keep-alive 10s',
        // A health check answered late by a busy api is not a dead api.
        '  timeout check 2s',
        '  option redispatch 1',
        '  retries 3',
        // A request that never reached an api (refused, reset, closed before an answer) goes to the other one.
        '  retry-on conn-failure empty-response',
        'frontend webhooks',
        `  bind ${HOSTS.lb}:${LB_PORT}`,
        '  default_backend apis',
        'backend apis',
        '  balance roundrobin',
        '  option httpchk GET /health/live',
        '  http-check expect status 200',
        `  default-server inter ${interMs} fall ${fall} rise ${rise}`,
        '  http-response set-header X-Served-By %s',
        // The api's Keep-Alive hint (timeout=72) is about the haproxy-api hop; passed on, clients
        // would keep idle connections past HAProxy's own keep-alive timeout and race its close.
        '  http-response del-header Keep-Alive',
        `  server api1 ${HOSTS.api1}:${API_PORT} check`,
        `  server api2 ${HOSTS.api2}:${API_PORT} check`,
        '',
      ].join('\n'),
    );
    this.spawnIn('haproxy', 'lb', 'haproxy', ['-db', '-f', cfg]);
    await waitFor('HAProxy to listen', () => this.haproxyState(), 20_000);
  }

  /** HAProxy's view of each api: { api1: 'UP' | 'DOWN' | 'MAINT' …, api2 }. */
  haproxyState() {
    return new Promise((resolve, reject) => {
      const s = net.connect(this.haproxySocket);
      let buf = '';
      s.on('error', reject);
      s.on('connect', () => s.write('show stat\n'));
      s.on('data', (d) => (buf += d));
      s.on('end', () => {
        const lines = buf.split('\n');
        const head = lines[0].replace(/^# /, '').split(',');
        const state = {};
        for (const line of lines.slice(1)) {
          const f = line.split(',');
          if (f[0] === 'apis' && f[1].startsWith('api')) state[f[1]] = f[head.indexOf('status')];
        }
        resolve(state);
      });
    });
  }

  async waitBalancerUp(names, timeoutMs = 30_000) {
    await waitFor(`HAProxy to see ${names.join(', ')} UP`, async () => {
      const s = await this.haproxyState();
      return names.every((n) => s[n] === 'UP');
    }, timeoutMs, 200);
  }

  async stopAll() {
    for (const [name, c] of this.procs) {
      if (this.alive(name)) c.kill('SIGKILL');
    }
    await Promise.all([...this.procs.values()].map((c) => (c.exitCode === null && c.signalCode === null ? c.exitInfo : null)));
    for (const [host, dir] of Object.entries(this.pgDirs)) {
      const data = join(dir, 'data');
      if (existsSync(join(data, 'postmaster.pid'))) this.runAsPostgres([join(this.bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'], { check: false, host });
      if (existsSync(join(dir, 'postgres.log'))) copyFileSync(join(dir, 'postgres.log'), this.logFile(host === 'pg' ? 'postgres' : `postgres-${host}`));
    }
  }
}
