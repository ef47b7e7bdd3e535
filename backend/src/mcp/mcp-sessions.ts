/**
 * The MCP sessions of this api process: one McpServer and one Streamable HTTP transport each, opened
 * by an `initialize` request and owned by the API key that sent it (another key naming the session
 * is told it does not exist). At most MCP_MAX_SESSIONS per process and MAX_SESSIONS_PER_KEY per key
 * (a key past it loses its least recently used session); a session with no request in flight, no
 * open stream and no request for MCP_SESSION_IDLE_MS is closed, as is one whose key is revoked or
 * whose user is removed. DELETE /mcp ends one.
 *
 * Sessions live in the process that opened them (the transport holds the open streams), so behind a
 * load balancer a client's requests must reach the same api process (sticky on `Mcp-Session-Id`);
 * a request that reaches another one answers 404 and the client opens a new session.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { AuthUser } from '../access/auth.types.js';
import { CONFIG, type Config } from '../config/config.js';
import { McpEventFeed } from './mcp-event-feed.js';
import { McpToolCalls } from './mcp-tool-calls.js';
import { McpTools } from './mcp-tools.js';

/** Sessions one API key may hold in one api process; a new one past it closes the key's least recently used. */
export const MAX_SESSIONS_PER_KEY = 50;
export const SERVER_INFO = { name: 'tributary', title: 'Tributary', version: '0.1.0' };
const INSTRUCTIONS =
  'Each tool runs a Tributary workflow with the arguments as its input and answers its output. ' +
  'A run that takes longer than the call waits (or that waits for an approval) answers { executionId, status, message }: ' +
  'call tributary_execution with that executionId later to get its result.';

export interface McpSession {
  id: string;
  tenantId: string;
  apiKeyId: string;
  /** A personal key's user (null: a service key). */
  userId: string | null;
  mcp: McpServer;
  transport: StreamableHTTPServerTransport;
  /** HTTP requests of the session in flight, the GET stream included. */
  inFlight: number;
  /** Its GET event stream is open (where tools/list_changed goes). */
  streaming: boolean;
  /** How to end each POST in flight should the session close under it (its answer would never come). */
  unanswered: Set<() => void>;
  lastActivity: number;
  closed: boolean;
}

/** The MCP request's caller, as authenticated for the HTTP request that carried it. */
export function callerOf(authInfo: AuthInfo | undefined): AuthUser {
  const user = authInfo?.extra?.user as AuthUser | undefined;
  if (!user) throw new Error('MCP request without an authenticated caller');
  return user;
}

/**
 * What the transport hands to handlers: the key (never the secret) and, as `closed`, a signal that
 * aborts when the HTTP request carrying the message ends (the client went away: stop waiting).
 */
export function authInfoOf(user: AuthUser, closed: AbortSignal): AuthInfo {
  return { token: user.apiKey?.prefix ?? '', clientId: user.apiKeyId ?? '', scopes: user.apiKey ? [user.apiKey.scope] : [], extra: { user, closed } };
}

/** Aborts when the client cancels the request (notifications/cancelled) or its HTTP request closes. */
function callSignal(extra: { signal: AbortSignal; authInfo?: AuthInfo }): AbortSignal {
  const closed = extra.authInfo?.extra?.closed as AbortSignal | undefined;
  return closed ? AbortSignal.any([extra.signal, closed]) : extra.signal;
}

export class SessionLimitError extends Error {}

@Injectable()
export class McpSessions implements OnModuleDestroy {
  private readonly logger = new Logger('Mcp');
  private readonly sessions = new Map<string, McpSession>();
  private readonly byTenant = new Map<string, Set<McpSession>>();
  private readonly byKey = new Map<string, Set<McpSession>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly feed: McpEventFeed,
    private readonly tools: McpTools,
    private readonly calls: McpToolCalls,
  ) {
    tools.setListener({ follows: (tenantId) => this.byTenant.has(tenantId), changed: (tenantId) => this.toolsChanged(tenantId) });
    feed.onEvent((e) => {
      if (e.event === 'api_key.revoked') this.closeWhere(this.byKey.get((e.data as { apiKeyId?: string }).apiKeyId ?? ''), 'API key revoked');
      else if (e.event === 'user.removed') {
        const userId = (e.data as { userId?: string }).userId;
        this.closeWhere(new Set([...(this.byTenant.get(e.tenantId) ?? [])].filter((s) => s.userId !== null && s.userId === userId)), 'user removed');
      }
    });
    this.sweeper = setInterval(() => this.sweep(), Math.min(Math.max(config.mcp.sessionIdleMs / 4, 250), 60_000));
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    // Open streams would hold the HTTP server's close back.
    await Promise.all([...this.sessions.values()].map((s) => this.close(s)));
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Whether the session has its event stream open here (where tools/list_changed goes). */
  streaming(id: string): boolean {
    return this.sessions.get(id)?.streaming ?? false;
  }

  /** The session, when it exists and belongs to this key (another key's is answered as unknown). */
  get(id: string, apiKeyId: string): McpSession | undefined {
    const s = this.sessions.get(id);
    return s && !s.closed && s.apiKeyId === apiKeyId ? s : undefined;
  }

  /**
   * A transport for an `initialize` request of this caller: the session is recorded once the
   * transport has given it an id (and its tenant's events flow), before the answer leaves.
   * SessionLimitError when the process has MCP_MAX_SESSIONS open even after closing idle ones.
   */
  async open(user: AuthUser): Promise<McpSession> {
    if (this.sessions.size >= this.config.mcp.maxSessions) {
      this.sweep();
      if (this.sessions.size >= this.config.mcp.maxSessions) throw new SessionLimitError(`This api process has ${this.sessions.size} MCP sessions open, its limit`);
    }
    const apiKeyId = user.apiKeyId!;
    const mine = this.byKey.get(apiKeyId);
    if (mine && mine.size >= MAX_SESSIONS_PER_KEY) {
      const lru = [...mine].sort((a, b) => Number(a.inFlight > 0) - Number(b.inFlight > 0) || a.lastActivity - b.lastActivity)[0];
      void this.close(lru);
    }
    const mcp = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
    mcp.server.registerCapabilities({ tools: { listChanged: true } });
    mcp.server.setRequestHandler(ListToolsRequestSchema, async (_req, extra) => ({ tools: await this.calls.list(callerOf(extra.authInfo)) }));
    mcp.server.setRequestHandler(CallToolRequestSchema, (req, extra) => this.calls.call(callerOf(extra.authInfo), req.params, callSignal(extra)));
    const session: McpSession = {
      id: '',
      tenantId: user.tenantId,
      apiKeyId,
      userId: user.userId,
      mcp,
      transport: undefined as unknown as StreamableHTTPServerTransport,
      inFlight: 0,
      streaming: false,
      unanswered: new Set(),
      lastActivity: Date.now(),
      closed: false,
    };
    session.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // Each POST answered with one JSON body, not an SSE stream: a third fewer writes per call and
      // about 7 ms off a call's p50 in scripts/bench/mcp.mjs. Server-initiated messages (tools/list_changed)
      // still go over the session's GET stream.
      enableJsonResponse: true,
      onsessioninitialized: async (id) => {
        session.id = id;
        this.add(session);
        await this.feed.watch(session.tenantId);
      },
      // DELETE: the transport closes itself after this; onclose below forgets the session.
      onsessionclosed: () => undefined,
    });
    // Set before connect(), which chains it: called once the transport closes, however it does.
    session.transport.onclose = () => this.forget(session);
    session.transport.onerror = (err) => this.logger.debug({ msg: 'MCP transport error', sessionId: session.id, err: err.message });
    await mcp.connect(session.transport);
    return session;
  }

  /**
   * An HTTP request of the session begins; call what this returns when its response has ended (a GET
   * stream: when it closes). `abandon`: how to end it should the session close first (a POST whose
   * JSON answer is still to come; the transport closes GET streams itself).
   */
  begin(s: McpSession, how: { abandon?: () => void; stream?: boolean } = {}): () => void {
    const { abandon, stream } = how;
    s.inFlight++;
    s.lastActivity = Date.now();
    if (abandon) s.unanswered.add(abandon);
    if (stream) s.streaming = true;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (abandon) s.unanswered.delete(abandon);
      if (stream) s.streaming = false;
      s.inFlight--;
      s.lastActivity = Date.now();
      // An initialize that never got its id (refused, or the client went away) is dropped at once.
      if (!s.id && s.inFlight === 0) void this.close(s);
    };
  }

  async close(s: McpSession): Promise<void> {
    if (s.closed) return;
    s.closed = true;
    this.forget(s);
    await s.mcp.close().catch((err: Error) => this.logger.warn({ msg: 'closing an MCP session failed', sessionId: s.id, err: err.message }));
  }

  private add(s: McpSession): void {
    this.sessions.set(s.id, s);
    let t = this.byTenant.get(s.tenantId);
    if (!t) this.byTenant.set(s.tenantId, (t = new Set()));
    t.add(s);
    let k = this.byKey.get(s.apiKeyId);
    if (!k) this.byKey.set(s.apiKeyId, (k = new Set()));
    k.add(s);
  }

  private forget(s: McpSession): void {
    s.closed = true;
    for (const abandon of [...s.unanswered]) abandon();
    s.unanswered.clear();
    if (!s.id || this.sessions.get(s.id) !== s) return;
    this.sessions.delete(s.id);
    const t = this.byTenant.get(s.tenantId);
    t?.delete(s);
    if (t && !t.size) {
      this.byTenant.delete(s.tenantId);
      this.tools.forget(s.tenantId);
    }
    const k = this.byKey.get(s.apiKeyId);
    k?.delete(s);
    if (k && !k.size) this.byKey.delete(s.apiKeyId);
    this.feed.unwatch(s.tenantId);
  }

  /** Closes the sessions idle longer than MCP_SESSION_IDLE_MS. */
  private sweep(): void {
    const before = Date.now() - this.config.mcp.sessionIdleMs;
    for (const s of this.sessions.values()) if (s.inFlight === 0 && s.lastActivity < before) void this.close(s);
  }

  private closeWhere(sessions: Set<McpSession> | undefined, why: string): void {
    if (!sessions?.size) return;
    this.logger.log({ msg: `closing MCP sessions: ${why}`, count: sessions.size });
    for (const s of [...sessions]) void this.close(s);
  }

  /** `notifications/tools/list_changed` to every open session of the tenant here (over its GET stream). */
  private toolsChanged(tenantId: string): void {
    for (const s of this.byTenant.get(tenantId) ?? []) {
      if (!s.mcp.isConnected()) continue;
      s.mcp.server.sendToolListChanged().catch((err: Error) => this.logger.debug({ msg: 'could not send tools/list_changed', sessionId: s.id, err: err.message }));
    }
  }
}
