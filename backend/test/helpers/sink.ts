/**
 * A loopback HTTP endpoint that steps of a test workflow call: it records every delivery (path,
 * JSON body, Idempotency-Key, time) so a test can count how often each step of each run arrived.
 * `delayMs` holds the answer of a path back (a slow provider), to fault the platform mid-step.
 */
import { createServer, type Server } from 'node:http';

export interface Delivery {
  path: string;
  body: Record<string, unknown>;
  idempotencyKey?: string;
  at: number;
}

export interface Sink {
  url: string;
  deliveries: Delivery[];
  /** Deliveries whose body field `field` equals `value`, by path. */
  countBy(path: string, field: string, value: unknown): number;
  delayMs: Map<string, number>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const deliveries: Delivery[] = [];
  const delayMs = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      let body: Record<string, unknown>;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        body = { raw };
      }
      const key = req.headers['idempotency-key'];
      deliveries.push({ path, body, idempotencyKey: typeof key === 'string' ? key : undefined, at: Date.now() });
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, path }));
      }, delayMs.get(path) ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    delayMs,
    countBy: (path, field, value) => deliveries.filter((d) => d.path === path && d.body[field] === value).length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
