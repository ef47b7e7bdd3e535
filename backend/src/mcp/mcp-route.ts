/**
 * `/mcp`: the MCP Streamable HTTP endpoint (POST JSON-RPC messages, GET the session's event stream,
 * DELETE the session), a plain Fastify route outside Nest's controllers and the `/api` prefix, like
 * the webhook ingress. Fastify parses the body (MAX_BODY_BYTES, the JSON depth and NUL guards apply),
 * the hooks of every route run (request id, security headers, CORS, metrics); then the request is
 * authenticated (an API key), counted (POSTs, per key) and handed with its parsed body to the
 * session's transport, which writes the response itself (`reply.hijack()`; the headers Fastify's
 * hooks set are copied onto it first).
 *
 * Refusals before the transport answer a JSON-RPC error body with the HTTP status: 401 (with
 * `WWW-Authenticate`), 404 for a session that does not exist or belongs to another key, 429 with
 * `Retry-After`, 503 when the process has no room for another session.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { IncomingMessage } from 'node:http';
import type { AuthUser } from '../access/auth.types.js';
import { ApiKeyAuthenticator, isApiKey } from '../auth/api-key-auth.js';
import { DomainError, UnauthorizedError } from '../common/errors.js';
import { toErrorBody } from '../common/http-exception.filter.js';
import { REDIS } from '../common/redis.module.js';
import { isDependencyUnavailable, unavailable } from '../common/unavailable.js';
import { WindowRateLimiter } from '../common/window-rate-limiter.js';
import { CONFIG, type Config } from '../config/config.js';
import { authInfoOf, McpSessions, SessionLimitError, type McpSession } from './mcp-sessions.js';

export const MCP_PATH = '/mcp';
/** JSON-RPC error codes of the refusals (the server-defined range, as the SDK's transport uses). */
export const MCP_ERRORS = { server: -32000, sessionNotFound: -32001, parse: -32700 } as const;
const RATE_WINDOW_MS = 60_000;
/** A Redis slower than this lets requests through uncounted rather than slowing MCP down. */
const COUNT_TIMEOUT_MS = 250;
const SESSIONS_FULL_RETRY_AFTER_S = 30;
const EXPOSED = 'mcp-session-id, mcp-protocol-version, www-authenticate, retry-after';

type RpcId = string | number | null;

function rpcId(body: unknown): RpcId {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function bearerToken(header: string | undefined): string | undefined {
  return header ? /^bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A refusal: the HTTP status, a JSON-RPC error body, and headers. */
class Refusal {
  constructor(
    readonly status: number,
    readonly message: string,
    readonly code: number = MCP_ERRORS.server,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** A message as a quoted-string of a header: printable ASCII only (Node refuses anything else in a header). */
const quoted = (s: string) => s.replace(/…/g, '...').replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '');

@Injectable()
export class McpRoute implements OnModuleInit {
  private readonly limiter: WindowRateLimiter;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(REDIS) redis: Redis | undefined,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly sessions: McpSessions,
  ) {
    this.limiter = new WindowRateLimiter(redis, { keyPrefix: `${config.redisPrefix}:rl:mcp:`, windowMs: RATE_WINDOW_MS, timeoutMs: COUNT_TIMEOUT_MS });
  }

  /** Registered while the app initialises: after createApp's hooks (so they all apply), before Fastify is ready. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify?.route) return;
    fastify.route({
      method: ['GET', 'POST', 'DELETE'],
      url: MCP_PATH,
      // Fastify's own refusals (malformed JSON, body too large, not JSON): in JSON-RPC's shape.
      errorHandler: (err, req, reply) => {
        const body = toErrorBody(isDependencyUnavailable(err) ? unavailable(err) : err);
        if (body.statusCode >= 500) req.log.error({ err }, 'MCP request failed');
        this.refuse(reply, null, new Refusal(body.statusCode, body.message, body.statusCode === 400 ? MCP_ERRORS.parse : MCP_ERRORS.server));
      },
      handler: (req, reply) => this.handle(req, reply),
    });
  }

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const id = rpcId(req.body);
    let user: AuthUser;
    let session: McpSession;
    try {
      user = await this.authenticate(req);
      req.log = req.log.child({ tenantId: user.tenantId, userId: user.userId, apiKeyId: user.apiKeyId });
      if (req.method === 'POST') await this.count(reply, user);
      session = await this.session(req, user);
    } catch (err) {
      if (err instanceof Refusal) return this.refuse(reply, id, err);
      throw err;
    }
    const closed = new AbortController();
    // The session closing under a POST (DELETE, revocation, shutdown): its answer would never come.
    const abandon = () => {
      closed.abort();
      if (reply.raw.writableEnded) return;
      if (reply.raw.headersSent) return void reply.raw.end();
      reply.raw.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      reply.raw.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: MCP_ERRORS.server, message: 'The session was closed before this request was answered; open a new session' } }));
    };
    const done = this.sessions.begin(session, req.method === 'POST' ? { abandon } : { stream: req.method === 'GET' });
    reply.raw.once('close', () => {
      done();
      closed.abort();
    });
    // From here the transport writes the response: Fastify's onSend hooks will not run, so what they
    // and the earlier hooks would add goes on the raw response now (onResponse hooks still run).
    reply.hijack();
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value as string);
    reply.raw.setHeader('x-request-id', req.id);
    if (reply.raw.hasHeader('access-control-allow-origin')) reply.raw.setHeader('access-control-expose-headers', `${String(reply.raw.getHeader('access-control-expose-headers') ?? 'x-request-id')}, ${EXPOSED}`);
    const raw = req.raw as IncomingMessage & { auth?: ReturnType<typeof authInfoOf> };
    raw.auth = authInfoOf(user, closed.signal);
    try {
      await session.transport.handleRequest(raw, reply.raw, req.body);
    } catch (err) {
      req.log.error({ err }, 'MCP transport failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32603, message: 'Internal error; the request id identifies it in the logs' } }));
      } else reply.raw.end();
      done();
    }
    return reply;
  }

  /** The API key of `Authorization: Bearer trb_…`, as a user (its tenant; its scope's role, capped by a personal key's user's). */
  private async authenticate(req: FastifyRequest): Promise<AuthUser> {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new Refusal(401, 'Authentication required: send an API key of your workspace as Authorization: Bearer trb_…', MCP_ERRORS.server, { 'www-authenticate': 'Bearer realm="tributary"' });
    const invalid = (message: string) =>
      new Refusal(401, message, MCP_ERRORS.server, { 'www-authenticate': `Bearer realm="tributary", error="invalid_token", error_description="${quoted(message)}"` });
    if (!isApiKey(token)) throw invalid('/mcp takes API keys (trb_…), not session tokens: create one under API keys');
    try {
      return (await this.apiKeys.authenticate(token, req.ip)).user;
    } catch (err) {
      if (err instanceof UnauthorizedError) throw invalid(err.message);
      const known = err instanceof DomainError ? err : isDependencyUnavailable(err) ? unavailable(err) : undefined;
      if (!known) throw err;
      throw new Refusal(known.statusCode, known.message, MCP_ERRORS.server, known.retryAfterSeconds ? { 'retry-after': String(known.retryAfterSeconds) } : {});
    }
  }

  /** MCP_RATE_LIMIT_PER_MINUTE per key, across api processes (Redis): 429 with Retry-After past it. */
  private async count(reply: FastifyReply, user: AuthUser): Promise<void> {
    const decision = await this.limiter.hit(user.apiKeyId!, this.config.mcp.rateLimitPerMinute);
    if (!decision) return; // Redis failing: uncounted
    const reset = Math.max(Math.ceil(decision.resetMs / 1000), 1);
    void reply.header('x-ratelimit-limit', String(decision.limit)).header('x-ratelimit-remaining', String(decision.remaining)).header('x-ratelimit-reset', String(reset));
    if (!decision.allowed) {
      throw new Refusal(429, `Rate limit exceeded: this API key may send ${decision.limit} MCP requests per minute; retry in ${reset} s`, MCP_ERRORS.server, { 'retry-after': String(reset) });
    }
  }

  /** The request's session: the one it names (this key's), or a new one for an initialize request. */
  private async session(req: FastifyRequest, user: AuthUser): Promise<McpSession> {
    const sessionId = header(req, 'mcp-session-id');
    if (sessionId) {
      const s = this.sessions.get(sessionId, user.apiKeyId!);
      if (!s) throw new Refusal(404, 'Session not found: it ended, expired or belongs to another API key; send initialize again to open a new one', MCP_ERRORS.sessionNotFound);
      return s;
    }
    if (req.method === 'POST' && isInitializeRequest(req.body)) {
      try {
        return await this.sessions.open(user);
      } catch (err) {
        if (err instanceof SessionLimitError) throw new Refusal(503, `${err.message}; retry later`, MCP_ERRORS.server, { 'retry-after': String(SESSIONS_FULL_RETRY_AFTER_S) });
        throw err;
      }
    }
    throw new Refusal(400, 'Bad Request: send initialize to open a session, then its Mcp-Session-Id header with every request', MCP_ERRORS.server);
  }

  private refuse(reply: FastifyReply, id: RpcId, r: Refusal): FastifyReply {
    void reply.status(r.status).headers(r.headers).header('content-type', 'application/json').send({ jsonrpc: '2.0', id, error: { code: r.code, message: r.message } });
    return reply;
  }
}

/** The route's OpenAPI operation (Nest's document builder sees only controllers): a protocol endpoint, described briefly. */
export const mcpOpenApi = {
  path: MCP_PATH,
  item: Object.fromEntries(
    (['post', 'get', 'delete'] as const).map((method) => [
      method,
      {
        operationId: `mcp_${method}`,
        tags: ['mcp'],
        summary: { post: 'MCP: send JSON-RPC messages', get: 'MCP: the session\'s event stream', delete: 'MCP: end the session' }[method],
        description:
          'The Model Context Protocol\'s Streamable HTTP transport (protocol versions the SDK 1.32 supports): tools are the workspace\'s workflows marked as tools, plus `tributary_execution`. ' +
          'Authenticate with an API key (`Authorization: Bearer trb_…`): `read` lists tools, `write` calls them. `initialize` opens a session (`Mcp-Session-Id`), owned by that key. ' +
          'Refusals answer a JSON-RPC error body: 401 (with `WWW-Authenticate`), 404 (unknown session), 429 (`MCP_RATE_LIMIT_PER_MINUTE` per key; `Retry-After`), 503. See docs/mcp.md.',
        security: [{ apiKey: [] }],
        parameters: method === 'post' ? [] : [{ in: 'header', name: 'Mcp-Session-Id', required: true, schema: { type: 'string' } }],
        ...(method === 'post'
          ? { requestBody: { required: true, content: { 'application/json': { schema: { description: 'A JSON-RPC message (or batch)' } } } } }
          : {}),
        responses: {
          '200': { description: method === 'delete' ? 'Session ended' : 'JSON-RPC answers as application/json or text/event-stream' },
          ...(method === 'post' ? { '202': { description: 'Notifications or responses accepted' } } : {}),
          '401': { description: 'No, an invalid or a revoked API key' },
          '404': { description: 'No such session for this key' },
          '429': { description: 'Rate limit of the key; Retry-After says when to try again' },
        },
      },
    ]),
  ),
};
