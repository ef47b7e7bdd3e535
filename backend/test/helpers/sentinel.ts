/**
 * A Redis Sentinel deployment of our own on free ports: a master, a replica (`--replicaof`) and three
 * redis-sentinel processes (quorum 2, down after 1 s, failover timeout 3 s), each sentinel with its
 * writable config file in a temporary folder. Nothing of the machine's own Redis is touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { exited, freePort, listening, startRedis } from './processes.js';
import { waitFor } from './wait.js';

export const MASTER_NAME = 'mymaster';

export interface SentinelDeployment {
  masterPort: number;
  replicaPort: number;
  sentinelPorts: number[];
  /** REDIS_URL for the platform. */
  url: string;
  /** The master's port as the sentinels report it. */
  masterAddress(): Promise<number>;
  killMaster(): Promise<void>;
  stop(): Promise<void>;
}

async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** One command to one server or sentinel, on a connection of its own that does not outlive it. */
export async function ask<T>(port: number, ...args: string[]): Promise<T> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.call(args[0], ...args.slice(1))) as T;
  } finally {
    c.disconnect();
  }
}

export async function startSentinelDeployment(program: string): Promise<SentinelDeployment> {
  const [masterPort, replicaPort, ...sentinelPorts] = await freePorts(5);
  const dir = mkdtempSync(join(tmpdir(), 'tributary-sentinel-'));
  const children = new Map<string, ChildProcess>();
  const stop = async () => {
    for (const child of children.values()) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Their working folder too is ours: a replica's full sync writes the master's snapshot there.
    children.set('master', await startRedis(masterPort, ['--dir', dir]));
    children.set('replica', await startRedis(replicaPort, ['--dir', dir, '--replicaof', '127.0.0.1', String(masterPort)]));
    await waitFor('the replica to sync with the master', async () => /master_link_status:up/.test(await ask<string>(replicaPort, 'INFO', 'replication')));
    for (const port of sentinelPorts) {
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
          `sentinel failover-timeout ${MASTER_NAME} 3000`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      children.set(`sentinel-${port}`, spawn(program, [conf], { stdio: 'ignore' }));
      await listening(port, 'redis-sentinel');
    }
    // A failover needs every sentinel to know the replica and the other sentinels (hello messages every 2 s).
    await waitFor(
      'the sentinels to discover the replica and each other',
      async () => {
        for (const port of sentinelPorts) {
          const replicas = await ask<unknown[]>(port, 'SENTINEL', 'REPLICAS', MASTER_NAME);
          const sentinels = await ask<unknown[]>(port, 'SENTINEL', 'SENTINELS', MASTER_NAME);
          if (replicas.length !== 1 || sentinels.length !== sentinelPorts.length - 1) return false;
        }
        return true;
      },
      30_000,
      250,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    masterPort,
    replicaPort,
    sentinelPorts,
    url: `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${MASTER_NAME}`,
    async masterAddress() {
      const [, port] = await ask<[string, string]>(sentinelPorts[0], 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME);
      return Number(port);
    },
    async killMaster() {
      const master = children.get('master')!;
      master.kill('SIGKILL');
      await exited(master);
    },
    stop,
  };
}
