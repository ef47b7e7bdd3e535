import { WebSocket } from 'ws';
import { CLOSE_CODES, type ControlEventName, type ControlEventPayloads } from '@tributary/contracts';
import { compileTopics, type TopicMatcher } from './topics.js';

/** Close codes a client can act on: re-authenticate on 4401/4408, reconnect with back-off otherwise. */
export { CLOSE_CODES } from '@tributary/contracts';

export interface RealtimeIdentity {
  /** Null for a service API key. */
  userId: string | null;
  tenantId: string;
  /** The user's name, or the API key's. */
  name: string;
  email: string;
  role: string;
  /** The API key the socket signed in with (closed when it is revoked). */
  apiKeyId?: string;
}

/** Messages a client may send per second before it is closed (the api is not a chat relay). */
const MAX_MESSAGES_PER_SECOND = 50;
/** How long a dropped socket gets to flush its close frame before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/** One socket: who it is once authenticated, what it listens to, and a bounded send queue. */
export class RealtimeConnection {
  identity?: RealtimeIdentity;
  authenticating = false;
  alive = true;
  matches: TopicMatcher = () => true;
  private topics: Set<string> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private window = { startedAt: 0, count: 0 };

  constructor(
    readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
    private readonly onSlow: (c: RealtimeConnection) => void,
  ) {}

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends an already serialised envelope (shared by every socket an event goes to). A socket whose
   * unsent bytes already exceed the bound is dropped instead: a slow reader must not grow our memory.
   */
  sendFrame(frame: Buffer): boolean {
    if (!this.open) return false;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.onSlow(this);
      this.close(CLOSE_CODES.slowConsumer, 'Slow consumer: too many undelivered messages');
      return false;
    }
    this.socket.send(frame, { binary: false });
    return true;
  }

  /** A control message of the connection (platform events go through sendFrame, serialised once). */
  send<E extends ControlEventName>(event: E, data: ControlEventPayloads[E]): boolean {
    return this.sendFrame(Buffer.from(JSON.stringify({ event, data })));
  }

  error(message: string, code: string): void {
    this.send('error', { message, code });
  }

  close(code: number, reason: string): void {
    this.clearTimers();
    if (this.socket.readyState === WebSocket.CLOSED) return;
    if (this.socket.readyState !== WebSocket.CLOSING) this.socket.close(code, reason);
    // A peer that does not read never completes the closing handshake: cut it after a grace period.
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  after(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  clearTimers(): void {
    for (const t of this.timers.splice(0)) clearTimeout(t);
  }

  /** True while the client stays within its message rate. */
  countMessage(now = Date.now()): boolean {
    if (now - this.window.startedAt >= 1000) this.window = { startedAt: now, count: 0 };
    return ++this.window.count <= MAX_MESSAGES_PER_SECOND;
  }

  /** The first subscribe replaces the default (everything); later ones add to the set. */
  subscribe(patterns: string[]): string[] {
    this.topics ??= new Set();
    for (const p of patterns) this.topics.add(p);
    return this.recompile();
  }

  unsubscribe(patterns: string[]): string[] {
    this.topics ??= new Set(['*']);
    for (const p of patterns) this.topics.delete(p);
    return this.recompile();
  }

  get subscriptions(): string[] {
    return this.topics ? [...this.topics] : ['*'];
  }

  private recompile(): string[] {
    this.matches = compileTopics(this.topics ?? ['*']);
    return this.subscriptions;
  }
}
