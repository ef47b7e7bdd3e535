/** A real WebSocket client for the api's /ws endpoint, recording every message for assertions. */
import { WebSocket, type ClientOptions } from 'ws';

export interface Envelope<T = any> {
  event: string;
  data: T;
}

export class WsClient {
  readonly messages: Envelope[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (m: Envelope) => boolean; resolve: (m: Envelope) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as Envelope;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => undefined);
  }

  static async open(baseUrl: string, opts: { token?: string; ws?: ClientOptions } = {}): Promise<WsClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/ws${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''}`;
    const ws = new WebSocket(url, opts.ws);
    const client = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Opens and authenticates by query token, waiting for auth_success. */
  static async authed(baseUrl: string, token: string, opts: { ws?: ClientOptions } = {}): Promise<WsClient> {
    const c = await WsClient.open(baseUrl, { token, ...opts });
    await c.next('auth_success');
    return c;
  }

  send(event: string, data?: unknown): void {
    this.ws.send(JSON.stringify({ event, data }));
  }

  /** The first message (already received or still to come) of that event matching `where`. */
  next<T = any>(event: string, where: (data: T) => boolean = () => true, timeoutMs = 10_000): Promise<Envelope<T>> {
    const match = (m: Envelope) => m.event === event && where(m.data as T);
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen as Envelope<T>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${event}" message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((x) => x.event))}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Envelope<T>);
        },
      });
    });
  }

  of(event: string): Envelope[] {
    return this.messages.filter((m) => m.event === event);
  }

  close(): void {
    this.ws.terminate();
  }
}
