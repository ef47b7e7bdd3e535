/**
 * A partitioned database: the api reaches PostgreSQL through a TCP relay that, on demand, swallows
 * every byte both ways while keeping the connections open (what a network partition looks like to
 * a client). Requests must fail within DATABASE_QUERY_TIMEOUT_MS / DATABASE_CONNECT_TIMEOUT_MS
 * instead of hanging, and the pool must recover once the network does.
 */
import { jest } from '@jest/globals';
import net from 'node:net';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { adminUrl } from '../helpers/databases.js';
import { freePort } from '../helpers/processes.js';

jest.setTimeout(60_000);

/** A TCP relay to PostgreSQL that can black-hole its traffic. */
async function startRelay(target: URL) {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let partitioned = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!partitioned) to.write(chunk);
      });
      from.on('error', () => undefined);
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url(databaseUrl: string) {
      const u = new URL(databaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    partition: () => void (partitioned = true),
    heal: () => void (partitioned = false),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a partitioned database', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let t: TestApp;

  beforeAll(async () => {
    relay = await startRelay(new URL(adminUrl()));
    // 2 s, not 1: under a full parallel test run a fresh connection's handshake plus its first query
    // once took longer than 1 s after the heal, and that request answered 503 (CI, 2026-11-30).
    t = await createTestApp((db) => ({ DATABASE_URL: relay.url(db.url), DATABASE_QUERY_TIMEOUT_MS: '2000', DATABASE_CONNECT_TIMEOUT_MS: '2000' }));
  });
  afterAll(async () => {
    relay?.heal();
    await t?.close();
    await relay?.close();
  });

  it('answers errors within the timeouts instead of hanging, and recovers when the network does', async () => {
    const { token } = await t.register();
    const timed = async (url: string) => {
      const started = Date.now();
      const res = await t.request('GET', url, { token });
      return { status: res.status, ms: Date.now() - started };
    };
    expect((await timed('/api/workflows')).status).toBe(200);

    relay.partition();
    // Pooled connections: the statement goes out and no answer comes back (query timeout). New ones:
    // the handshake never completes (connect timeout). Either way a 503 with Retry-After (the
    // database is away: the caller may try again), in about two seconds.
    const during = await Promise.all(Array.from({ length: 8 }, () => timed('/api/workflows')));
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(5_000);
    }

    relay.heal();
    // The connections that timed out were dropped from the pool; fresh ones work.
    const after = await Promise.all(Array.from({ length: 8 }, () => timed('/api/workflows')));
    expect(after.map((r) => r.status)).toEqual(Array(8).fill(200));
  });
});
