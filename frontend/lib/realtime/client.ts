/**
 * A small browser client for the api's WebSocket: authenticates with a first `auth` message (the
 * token stays out of URLs and proxy logs), keeps the subscription across reconnects, reconnects with
 * exponential back-off and jitter, and notices a dead connection with application pings.
 */
import { CLOSE_CODES, type RealtimeMessage, type RealtimeStatus, type ServerEventMap, type ServerEventName } from './types';

type Handler<E extends ServerEventName> = (data: ServerEventMap[E], message: RealtimeMessage<E>) => void;
type AnyHandler = (message: RealtimeMessage) => void;

export interface RealtimeClientOptions {
  /** ws(s)://host/ws; defaults to the api URL with the scheme switched. */
  url: string;
  /** First delay before reconnecting; doubles per failed attempt up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Application ping period; no pong within pongTimeoutMs means the connection is dead. */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** For tests: another WebSocket implementation and random source. */
  WebSocketImpl?: typeof WebSocket;
  random?: () => number;
}

/** `http://api:8080` → `ws://api:8080/ws`. */
export function realtimeUrl(apiUrl: string): string {
  return `${apiUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/ws`;
}

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, half of it random ("equal jitter"). */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Whether a subscription pattern (`*` = any run of characters) matches an event name, as the server decides. */
export function topicMatches(pattern: string, event: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === event;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.]/g, '\\.')).join('.*')}$`);
  return re.test(event);
}

export class RealtimeClient {
  private ws: WebSocket | null = null;
  private token: string | null = null;
  private topics = new Set<string>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongDeadline: ReturnType<typeof setTimeout> | undefined;
  private readonly handlers = new Map<string, Set<(m: RealtimeMessage) => void>>();
  private readonly statusListeners = new Set<(s: RealtimeStatus) => void>();
  private current: RealtimeStatus = 'idle';
  private readonly opts: Required<Omit<RealtimeClientOptions, 'WebSocketImpl'>> & { WebSocketImpl?: typeof WebSocket };

  constructor(options: RealtimeClientOptions) {
    this.opts = { initialDelayMs: 500, maxDelayMs: 30_000, pingIntervalMs: 25_000, pongTimeoutMs: 10_000, random: Math.random, ...options };
  }

  get status(): RealtimeStatus {
    return this.current;
  }

  /** The token of the current (or last) connect(). */
  get currentToken(): string | null {
    return this.token;
  }

  /** Connects (or reconnects with a new token). Safe to call again. */
  connect(token: string): void {
    this.token = token;
    this.attempt = 0;
    this.teardown();
    this.open();
  }

  /** Closes for good (sign-out, unmount of the last user). */
  disconnect(): void {
    this.token = null;
    this.teardown();
    this.setStatus('idle');
  }

  /**
   * Narrows delivery to these patterns (`execution.*`, `event.published`); without any subscription
   * the server sends everything. Remembered and re-sent after every reconnect.
   */
  subscribe(topics: string[]): void {
    const fresh = topics.filter((t) => !this.topics.has(t));
    if (!fresh.length) return;
    for (const t of fresh) this.topics.add(t);
    if (this.current === 'open') this.send('subscribe', { topics: fresh });
  }

  unsubscribe(topics: string[]): void {
    const known = topics.filter((t) => this.topics.delete(t));
    if (known.length && this.current === 'open') this.send('unsubscribe', { topics: known });
  }

  /** Typed handler for one event; returns the function that removes it. */
  on<E extends ServerEventName>(event: E, handler: Handler<E>): () => void {
    const wrapped = (m: RealtimeMessage) => handler(m.data as ServerEventMap[E], m as RealtimeMessage<E>);
    return this.addHandler(event, wrapped);
  }

  /** Every message (control messages included). */
  onAny(handler: AnyHandler): () => void {
    return this.addHandler('*', handler);
  }

  onStatus(listener: (s: RealtimeStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private addHandler(key: string, h: (m: RealtimeMessage) => void): () => void {
    let set = this.handlers.get(key);
    if (!set) this.handlers.set(key, (set = new Set()));
    set.add(h);
    return () => set.delete(h);
  }

  private setStatus(s: RealtimeStatus): void {
    if (s === this.current) return;
    this.current = s;
    for (const l of this.statusListeners) l(s);
  }

  private send(event: string, data?: unknown): void {
    if (this.ws?.readyState === 1) this.ws.send(JSON.stringify({ event, data }));
  }

  private open(): void {
    if (!this.token) return;
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    const ws = new Impl(this.opts.url);
    this.ws = ws;
    this.setStatus(this.attempt ? 'reconnecting' : 'connecting');
    ws.onopen = () => {
      this.setStatus('authenticating');
      this.send('auth', { token: this.token });
    };
    ws.onmessage = (e: MessageEvent) => this.receive(e.data);
    ws.onclose = (e: CloseEvent) => {
      if (this.ws !== ws) return; // replaced or torn down on purpose
      this.ws = null;
      this.stopPings();
      if (e.code === CLOSE_CODES.unauthorized) {
        this.setStatus('unauthorized');
        return;
      }
      this.scheduleReconnect();
    };
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let m: RealtimeMessage;
    try {
      m = JSON.parse(raw) as RealtimeMessage;
    } catch {
      return;
    }
    if (!m || typeof m.event !== 'string') return;
    if (m.event === 'auth_success') {
      this.attempt = 0;
      this.setStatus('open');
      if (this.topics.size) this.send('subscribe', { topics: [...this.topics] });
      this.startPings();
    } else if (m.event === 'pong') {
      clearTimeout(this.pongDeadline);
    }
    for (const h of this.handlers.get(m.event) ?? []) h(m);
    for (const h of this.handlers.get('*') ?? []) h(m);
  }

  private scheduleReconnect(): void {
    if (!this.token) return;
    const delay = backoffDelay(this.attempt++, this.opts.initialDelayMs, this.opts.maxDelayMs, this.opts.random);
    this.setStatus('reconnecting');
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private startPings(): void {
    this.stopPings();
    this.pingTimer = setInterval(() => {
      this.send('ping');
      clearTimeout(this.pongDeadline);
      // A half-open connection (sleep, network change) never errors by itself: give up on it.
      this.pongDeadline = setTimeout(() => this.dropConnection(), this.opts.pongTimeoutMs);
    }, this.opts.pingIntervalMs);
  }

  /** Treats the socket as gone now: a close handshake on a dead link could take a minute. */
  private dropConnection(): void {
    const ws = this.ws;
    this.ws = null;
    this.stopPings();
    ws?.close();
    this.scheduleReconnect();
  }

  private stopPings(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongDeadline);
  }

  private teardown(): void {
    clearTimeout(this.retryTimer);
    this.stopPings();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000, 'client closed');
  }
}
