import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ApiKeyAuthenticator, isApiKey } from '../auth/api-key-auth.js';
import { AuthService } from '../auth/auth.service.js';
import type { JwtPayload } from '../access/auth.types.js';
import { DomainError } from '../common/errors.js';
import { CONFIG, type Config } from '../config/config.js';
import type { PlatformEvent } from '../live/platform-events.js';
import { websocketConnections } from '../metrics/ws-gauge.js';
import { CLOSE_CODES, RealtimeConnection } from './realtime-connection.js';
import { isTopicPattern, MAX_TOPICS } from './topics.js';

export const WS_PATH = '/ws';

/** Told when this process gets its first socket of a tenant, and when its last one leaves. */
export interface TenantWatcher {
  watch(tenantId: string): Promise<void>;
  unwatch(tenantId: string): void;
}

/**
 * The WebSocket endpoint on the api's own HTTP server: `{event, data}` envelopes both ways, auth by
 * `?token=` or a first `auth` message, per-tenant delivery, topic subscriptions, pings, and bounded
 * per-socket send queues.
 */
@Injectable()
export class RealtimeGateway implements OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private wss?: WebSocketServer;
  private readonly connections = new Set<RealtimeConnection>();
  private readonly byTenant = new Map<string, Set<RealtimeConnection>>();
  private pinger?: NodeJS.Timeout;
  private slowDrops = 0;
  private watcher?: TenantWatcher;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly jwt: JwtService,
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeyAuthenticator,
  ) {}

  /** Takes `upgrade` requests for /ws on the given server (the api's Fastify server). */
  attach(server: Server): void {
    if (this.wss) return;
    const ws = this.config.websocket;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: ws.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(server, req, socket, head));
    this.pinger = setInterval(() => this.pingAll(), ws.pingIntervalMs);
    this.pinger.unref();
  }

  setTenantWatcher(watcher: TenantWatcher): void {
    this.watcher = watcher;
  }

  /** The tenants this process has authenticated sockets for. */
  watchedTenants(): string[] {
    return [...this.byTenant.keys()];
  }

  stats(): { connections: number; authenticated: number; tenants: number; slowConsumersDropped: number } {
    let authenticated = 0;
    for (const set of this.byTenant.values()) authenticated += set.size;
    return { connections: this.connections.size, authenticated, tenants: this.byTenant.size, slowConsumersDropped: this.slowDrops };
  }

  /** Sends an event to the tenant's sockets on this process that subscribe to it; returns how many. */
  deliver(e: PlatformEvent): number {
    const sockets = this.byTenant.get(e.tenantId);
    if (!sockets?.size) return 0;
    if (e.event === 'user.removed') return this.closeUser(sockets, (e.data as { userId?: unknown } | null)?.userId);
    if (e.event === 'api_key.revoked') return this.closeApiKey(sockets, (e.data as { apiKeyId?: unknown } | null)?.apiKeyId);
    let frame: Buffer | undefined;
    let sent = 0;
    for (const c of sockets) {
      if (!c.matches(e.event)) continue;
      // Serialised once per event, whatever the number of sockets.
      frame ??= Buffer.from(JSON.stringify({ event: e.event, data: e.data }));
      if (c.sendFrame(frame)) sent++;
    }
    return sent;
  }

  /** A removed member's sockets: told why, then closed. */
  private closeUser(sockets: Set<RealtimeConnection>, userId: unknown): number {
    let closed = 0;
    for (const c of [...sockets]) {
      if (c.identity?.userId !== userId) continue;
      c.error('You were removed from this workspace', 'unauthorized');
      c.close(CLOSE_CODES.unauthorized, 'Removed from the workspace');
      closed++;
    }
    return closed;
  }

  /** The sockets signed in with a revoked API key: told why, then closed. */
  private closeApiKey(sockets: Set<RealtimeConnection>, apiKeyId: unknown): number {
    let closed = 0;
    for (const c of [...sockets]) {
      if (!apiKeyId || c.identity?.apiKeyId !== apiKeyId) continue;
      c.error('API key revoked', 'unauthorized');
      c.close(CLOSE_CODES.unauthorized, 'API key revoked');
      closed++;
    }
    return closed;
  }

  onModuleDestroy(): void {
    if (this.pinger) clearInterval(this.pinger);
    for (const c of this.connections) {
      c.close(CLOSE_CODES.shutdown, 'Server shutting down');
      c.socket.terminate();
    }
    this.connections.clear();
    this.byTenant.clear();
    this.countChanged();
    this.wss?.close();
  }

  private upgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) {
      // Leave other paths to other upgrade listeners, if any.
      if (server.listenerCount('upgrade') === 1) reject(socket, 404, 'Not Found');
      return;
    }
    socket.on('error', () => undefined);
    if (this.connections.size >= this.config.websocket.maxConnections) {
      reject(socket, 503, 'Service Unavailable');
      return;
    }
    this.wss!.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url.searchParams.get('token')));
  }

  private accept(ws: WebSocket, token: string | null): void {
    const c = new RealtimeConnection(ws, this.config.websocket.maxBufferedBytes, (slow) => {
      this.slowDrops++;
      this.logger.warn({ msg: 'dropped a slow WebSocket consumer', tenantId: slow.identity?.tenantId, buffered: slow.socket.bufferedAmount });
      this.forget(slow);
    });
    this.connections.add(c);
    this.countChanged();
    ws.on('pong', () => {
      c.alive = true;
    });
    ws.on('message', (raw, isBinary) => this.onMessage(c, raw, isBinary));
    ws.on('close', () => this.forget(c));
    ws.on('error', () => undefined /* 'close' follows */);
    c.after(this.config.websocket.authTimeoutMs, () => {
      if (c.identity) return;
      c.error('Not authenticated in time: send {"event":"auth","data":{"token":"…"}} first', 'auth_timeout');
      c.close(CLOSE_CODES.authTimeout, 'Authentication timed out');
    });
    if (token) void this.authenticate(c, token);
  }

  private forget(c: RealtimeConnection): void {
    c.clearTimers();
    if (!this.connections.delete(c)) return;
    if (c.identity) {
      const set = this.byTenant.get(c.identity.tenantId);
      set?.delete(c);
      if (set && !set.size) {
        this.byTenant.delete(c.identity.tenantId);
        this.watcher?.unwatch(c.identity.tenantId);
      }
    }
    this.countChanged();
  }

  private countChanged(): void {
    websocketConnections.set(this.connections.size);
  }

  private onMessage(c: RealtimeConnection, raw: RawData, isBinary: boolean): void {
    if (!c.countMessage()) {
      c.error('Too many messages; slow down', 'rate_limited');
      c.close(CLOSE_CODES.policy, 'Too many messages');
      return;
    }
    if (isBinary) return c.error('Binary frames are not supported: send JSON text {"event": string, "data": …}', 'bad_message');
    let msg: unknown;
    try {
      msg = JSON.parse(rawText(raw));
    } catch {
      return c.error('Malformed message: not valid JSON; expected {"event": string, "data": …}', 'bad_message');
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg) || typeof (msg as { event?: unknown }).event !== 'string') {
      return c.error('Malformed message: expected an object {"event": string, "data": …}', 'bad_message');
    }
    const { event, data } = msg as { event: string; data?: unknown };
    switch (event) {
      case 'auth':
        return this.onAuth(c, data);
      case 'ping':
        c.send('pong', { at: new Date().toISOString() });
        return;
      case 'subscribe':
      case 'unsubscribe':
        return this.onSubscription(c, event, data);
      default:
        return c.error(`Unknown event "${event.slice(0, 64)}"; expected auth, subscribe, unsubscribe or ping`, 'unknown_event');
    }
  }

  private onAuth(c: RealtimeConnection, data: unknown): void {
    if (c.identity) return c.error('Already authenticated', 'already_authenticated');
    if (c.authenticating) return c.error('Authentication already in progress', 'already_authenticated');
    const token = data && typeof data === 'object' ? (data as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || !token) {
      c.error('auth needs {"token": "<jwt>"}', 'unauthorized');
      c.close(CLOSE_CODES.unauthorized, 'Unauthorized');
      return;
    }
    void this.authenticate(c, token);
  }

  private onSubscription(c: RealtimeConnection, event: 'subscribe' | 'unsubscribe', data: unknown): void {
    if (!c.identity) return c.error('Authenticate first', 'not_authenticated');
    const topics = data && typeof data === 'object' ? (data as { topics?: unknown }).topics : undefined;
    if (!Array.isArray(topics) || !topics.length || topics.length > MAX_TOPICS || !topics.every(isTopicPattern)) {
      return c.error(`${event} needs {"topics": [...]}: 1 to ${MAX_TOPICS} names of letters, digits, . _ : - with * as a wildcard`, 'bad_topics');
    }
    const current = event === 'subscribe' ? c.subscribe(topics) : c.unsubscribe(topics);
    c.send(event === 'subscribe' ? 'subscribed' : 'unsubscribed', { topics: current });
  }

  private async authenticate(c: RealtimeConnection, token: string): Promise<void> {
    c.authenticating = true;
    let identity: RealtimeConnection['identity'];
    let expiresAt: number | undefined;
    try {
      if (isApiKey(token)) {
        // An API key (a CLI tailing executions): its tenant and user as on /api; it ends with its expiry or revocation.
        const { user, key } = await this.apiKeys.authenticate(token);
        identity = { userId: user.userId, tenantId: user.tenantId, name: key.name, email: user.email, role: user.role, apiKeyId: key.id };
        expiresAt = key.expiresAt ? new Date(key.expiresAt).getTime() : undefined;
      } else {
        const payload = await this.jwt.verifyAsync<JwtPayload & { exp?: number }>(token, { algorithms: ['HS256'] });
        const user = await this.auth.me(payload.sub);
        if (user.tenantId !== payload.tid) throw new Error('tenant mismatch');
        identity = { userId: user.id, tenantId: user.tenantId, name: user.name, email: user.email, role: user.role };
        expiresAt = payload.exp ? payload.exp * 1000 : undefined;
      }
    } catch (err) {
      c.authenticating = false;
      const expired = (err as { name?: string }).name === 'TokenExpiredError';
      // An API key's refusal says why (revoked, expired on …); a JWT's stays terse.
      const keyReason = isApiKey(token) && err instanceof DomainError && err.statusCode === 401 ? err.message : undefined;
      c.error(keyReason ?? (expired ? 'Token expired; log in again' : 'Invalid token'), 'unauthorized');
      c.close(CLOSE_CODES.unauthorized, 'Unauthorized');
      return;
    }
    c.authenticating = false;
    if (!c.open || !this.connections.has(c)) return;
    c.clearTimers();
    c.identity = identity;
    let set = this.byTenant.get(identity.tenantId);
    if (!set) this.byTenant.set(identity.tenantId, (set = new Set()));
    set.add(c);
    // The tenant's first socket here: its events are published from now on. Waited for, so that events
    // of runs started after auth_success reach this socket.
    if (set.size === 1) await this.watcher?.watch(identity.tenantId);
    if (!c.open || !this.connections.has(c)) return;
    if (expiresAt) {
      const keyExpiry = identity.apiKeyId ? new Date(expiresAt).toISOString() : undefined;
      c.after(Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1), () => {
        c.error(keyExpiry ? `API key expired on ${keyExpiry}` : 'Token expired; log in again', 'unauthorized');
        c.close(CLOSE_CODES.unauthorized, keyExpiry ? 'API key expired' : 'Token expired');
      });
    }
    c.send('auth_success', { userId: identity.userId, tenantId: identity.tenantId, name: identity.name, ...(identity.apiKeyId ? { apiKeyId: identity.apiKeyId } : {}) });
    c.send('system', {
      type: 'welcome',
      message: `Welcome${identity.name ? `, ${identity.name}` : ''}. You receive your workspace's events; send {"event":"subscribe","data":{"topics":["execution.*"]}} to narrow them.`,
      topics: c.subscriptions,
    });
  }

  private pingAll(): void {
    for (const c of this.connections) {
      if (!c.alive) {
        // No pong since the last ping: the peer is gone or stuck.
        c.socket.terminate();
        this.forget(c);
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }
}

function rawText(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.from(raw).toString('utf8');
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
