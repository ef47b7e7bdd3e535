/**
 * Configuration: the environment parsed once with zod into a typed Config. Nothing outside this
 * folder reads process.env. In production the api refuses to start with missing or default secrets.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parseSentinelUrl, SENTINEL_SCHEME, type SentinelTarget } from './redis-url.js';

export const DEFAULT_JWT_SECRET = 'tributary-dev-jwt-secret-not-for-production';
/** base64 of 32 bytes; only for development and tests. */
export const DEFAULT_ENCRYPTION_KEY = Buffer.from('tributary-dev-encryption-key-32b').toString('base64');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const anyUrl = z.string().url();

/** An optional URL where an empty value (`KONG_ADMIN_URL=` in a .env file) means unset. */
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional());

const DURATION_UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A duration such as `90s`, `15m`, `12h` or `30d` in milliseconds; undefined when it is not one. */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)$/.exec(value.trim());
  return m ? Number(m[1]) * DURATION_UNITS_MS[m[2] as keyof typeof DURATION_UNITS_MS] : undefined;
}
/** An optional duration variable (empty means unset), in milliseconds, at least `minMs` and at most `maxMs`. */
const duration = (minMs: number, maxMs = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return undefined;
        const ms = parseDuration(v);
        if (ms === undefined) ctx.addIssue({ code: 'custom', message: `must be a duration such as 90s, 15m, 12h or 30d (got "${v}")` });
        else if (ms < minMs || ms > maxMs) ctx.addIssue({ code: 'custom', message: `must be between ${minMs / 1000}s and ${Math.floor(maxMs / 1000)}s (got "${v}")` });
        return ms;
      }),
  );

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/tributary'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /**
   * `transaction`: DATABASE_URL is a transaction pooler (PgBouncer pool_mode=transaction), where a
   * client's statements run on whichever server connection is free: no prepared statements, and
   * what needs a session uses DATABASE_DIRECT_URL.
   */
  DATABASE_POOLING: z.enum(['session', 'transaction']).default('session'),
  /** PostgreSQL itself, not through the pooler: LISTEN, the PostgreSQL queue and migrations' lock. */
  DATABASE_DIRECT_URL: optionalUrl,
  /** Opening a connection fails after this long (a partitioned database answers errors, not hangs). */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** A statement whose answer has not arrived by then fails and its connection is dropped; 0 waits forever. */
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  /** redis://… or rediss://… (one server), or redis+sentinel://… (a Sentinel-monitored master, see redis-url.ts). */
  REDIS_URL: z
    .string()
    .refine((v) => v.startsWith(SENTINEL_SCHEME) || anyUrl.safeParse(v).success, `must be a URL: redis://…, rediss://… or ${SENTINEL_SCHEME}…`)
    .optional(),
  /** Prefix of every Redis key and BullMQ queue, so several installations (or test runs) can share a server. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('tributary'),
  QUEUE_BACKEND: z.enum(['redis', 'postgres']).optional(),
  JWT_SECRET: z.string().min(1).default(DEFAULT_JWT_SECRET),
  JWT_EXPIRES_IN: z.string().regex(/^\d+[smhd]?$/, 'like 3600, 15m, 12h or 7d').default('12h'),
  ENCRYPTION_KEY: z.string().min(1).default(DEFAULT_ENCRYPTION_KEY),
  ENCRYPTION_KEY_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/).default('v1'),
  /** Older keys still accepted for decryption while `rotate-key` runs: "id:base64,id:base64". */
  ENCRYPTION_PREVIOUS_KEYS: z.string().default(''),
  DEV_MODE: bool.default(false),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  /**
   * Deepest nesting of objects and arrays a JSON body may have. Deeper documents answer 400: past a
   * few thousand levels JSON.stringify overflows the stack, and nothing legitimate nests that deep.
   */
  MAX_JSON_DEPTH: z.coerce.number().int().min(1).max(1000).default(64),
  CORS_ORIGINS: csv.default(['http://localhost:3000', 'http://127.0.0.1:3000']),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** Authenticated /api requests per tenant per minute, counted across every api process (Redis). */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(3000),
  WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60000),
  /** How long a worker's job lock lasts; a job of a worker that died is taken again after about this long. */
  WORKER_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  /** The worker's own HTTP port for GET /metrics and GET /health (it has no other server); 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Finished executions older than this are deleted (default 30 days); EXECUTION_RETENTION_DAYS=n is the older spelling of `nd`. */
  EXECUTION_RETENTION: duration(1000),
  EXECUTION_RETENTION_DAYS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).optional()),
  /** How often the retention sweep runs (setInterval's limit: under 24.8 days). */
  EXECUTION_RETENTION_SWEEP_INTERVAL: duration(1000, 2 ** 31 - 1),
  /** A queued execution older than this may have lost its job (queue down at accept time) and is re-added. */
  RECONCILE_AFTER_MS: z.coerce.number().int().min(100).default(10_000),
  /**
   * A running execution's lease: its process renews it while the run goes on; once it lapses (the
   * worker died or lost the database) another worker resumes the run after its last recorded step.
   */
  EXECUTION_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  /** Waits (and `core.delay` steps) longer than this park the execution (no worker held); shorter ones sleep in the worker. */
  WAIT_DURABLE_AFTER_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** Queued executions beyond which webhooks and manual runs answer 503 with Retry-After (0: no limit). */
  MAX_QUEUED_EXECUTIONS: z.coerce.number().int().min(0).default(1_000_000),
  /**
   * After SIGTERM the api keeps serving this long while GET /health/live answers 503, so a load
   * balancer stops sending it requests before it stops accepting them; then in-flight requests finish.
   */
  SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  SYNC_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
  ALLOW_PRIVATE_TARGETS: bool.default(false),
  TRUSTED_PROXIES: csv.default([]),
  KONG_ADMIN_URL: optionalUrl,
  /** How Kong reaches the api: the upstream of generated gateway routes. */
  KONG_API_UPSTREAM_URL: z.string().url().default('http://api:8080'),
  /** Where Kong's http-log sends usage_tracking entries (default http://logstash:8080). */
  LOGSTASH_URL: optionalUrl,
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
  MOCK_APIS_URL: optionalUrl,
  /** WebSocket (/ws): a socket that has not authenticated by then is closed. */
  WS_AUTH_TIMEOUT_MS: z.coerce.number().int().min(50).default(10_000),
  /** Ping period; a socket that has not answered the previous ping is terminated. */
  WS_PING_INTERVAL_MS: z.coerce.number().int().min(50).default(30_000),
  /** Largest message a client may send. */
  WS_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(256).default(64 * 1024),
  /** Bytes queued for one socket beyond which it is dropped as a slow consumer. */
  WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  WS_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(20_000),
  /** Audit entries older than this many days are deleted by the api's hourly sweep; 0 keeps them forever. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  /** OpenTelemetry traces go over OTLP/HTTP to `<endpoint>/v1/traces` when set; unset: no tracing at all (see docs/observability.md). */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /** The full traces URL, when it is not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces` (also turns tracing on). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  /** `service.name` of the spans (default tributary-api, tributary-worker). */
  OTEL_SERVICE_NAME: z.preprocess((v) => (v === '' ? undefined : v), z.string().max(200).optional()),
  /** MCP (`/mcp`): how long a tool call waits for its run before it answers a handle to poll (`tributary_execution`). */
  MCP_TOOL_WAIT_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  /** MCP: requests (JSON-RPC POSTs) per API key per minute, counted across api processes (Redis). */
  MCP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** MCP: open sessions per api process; past it a new session answers 503. */
  MCP_MAX_SESSIONS: z.coerce.number().int().min(1).default(1_000),
  /** MCP: a session with no request and no open stream for this long is closed. */
  MCP_SESSION_IDLE_MS: z.coerce.number().int().min(1_000).default(600_000),
});

export type QueueBackend = 'redis' | 'postgres';
export type DatabasePooling = 'session' | 'transaction';

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string;
  databasePoolSize: number;
  /** `transaction`: DATABASE_URL keeps no session between transactions (PgBouncer pool_mode=transaction). */
  databasePooling: DatabasePooling;
  /** A direct connection for what needs a session; see sessionDatabaseUrl. */
  databaseDirectUrl?: string;
  databaseConnectTimeoutMs: number;
  /** 0: no client-side timeout. */
  databaseQueryTimeoutMs: number;
  redisUrl?: string;
  /** Set when REDIS_URL is redis+sentinel://: connections ask these sentinels for the master (connectRedis in common/redis.module.ts). */
  redisSentinel?: SentinelTarget;
  redisPrefix: string;
  queueBackend: QueueBackend;
  jwt: { secret: string; expiresIn: string };
  encryption: { currentKeyId: string; keys: Map<string, Buffer> };
  devMode: boolean;
  maxBodyBytes: number;
  maxJsonDepth: number;
  corsOrigins: string[];
  logLevel: string;
  rateLimits: { loginPerMinute: number; apiPerMinute: number; webhookPerMinute: number };
  workerConcurrency: number;
  workerLockMs: number;
  /** 0: no metrics server in the worker. */
  workerMetricsPort: number;
  /** Finished (succeeded, failed, cancelled) executions created longer ago than this are deleted. */
  executionRetentionMs: number;
  /** Period of the retention sweep. */
  executionRetentionSweepMs: number;
  syncWebhookTimeoutMs: number;
  reconcileAfterMs: number;
  executionLeaseMs: number;
  waitDurableAfterMs: number;
  maxQueuedExecutions: number;
  shutdownDrainDelayMs: number;
  allowPrivateTargets: boolean;
  trustedProxies: string[];
  kongAdminUrl?: string;
  kongApiUpstreamUrl: string;
  logstashUrl?: string;
  metricsToken?: string;
  websocket: { authTimeoutMs: number; pingIntervalMs: number; maxPayloadBytes: number; maxBufferedBytes: number; maxConnections: number };
  /** CONNECTOR_<KEY>_BASE_URL overrides, keyed by lower-case connector key. */
  connectorBaseUrls: Record<string, string>;
  /** Audit entries older than this many days are deleted; 0: kept forever. */
  auditRetentionDays: number;
  /** OpenTelemetry: `tracesUrl` unset means tracing is off (telemetry/tracing.ts). */
  tracing: { tracesUrl?: string; serviceName?: string };
  /** The MCP server (`/mcp`, mcp/). */
  mcp: { toolWaitMs: number; rateLimitPerMinute: number; maxSessions: number; sessionIdleMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function isCidr(value: string): boolean {
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

function parseKey(id: string, base64: string, problems: string[], name: string): Buffer | undefined {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) {
    problems.push(`${name}: key "${id}" must be 32 bytes, base64-encoded (got ${key.length} bytes)`);
    return undefined;
  }
  return key;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';

  if (production) {
    if (!env.JWT_SECRET || e.JWT_SECRET === DEFAULT_JWT_SECRET) {
      problems.push('JWT_SECRET: must be set to a secret of your own in production');
    } else if (e.JWT_SECRET.length < 32) {
      problems.push('JWT_SECRET: must be at least 32 characters in production');
    }
    if (!env.ENCRYPTION_KEY || e.ENCRYPTION_KEY === DEFAULT_ENCRYPTION_KEY) {
      problems.push('ENCRYPTION_KEY: must be set to a key of your own in production (openssl rand -base64 32)');
    }
  }

  const keys = new Map<string, Buffer>();
  const current = parseKey(e.ENCRYPTION_KEY_ID, e.ENCRYPTION_KEY, problems, 'ENCRYPTION_KEY');
  if (current) keys.set(e.ENCRYPTION_KEY_ID, current);
  for (const entry of e.ENCRYPTION_PREVIOUS_KEYS.split(',').map((s) => s.trim()).filter(Boolean)) {
    const sep = entry.indexOf(':');
    if (sep <= 0) {
      problems.push(`ENCRYPTION_PREVIOUS_KEYS: "${entry.slice(0, 8)}…" is not "id:base64"`);
      continue;
    }
    const id = entry.slice(0, sep);
    if (id === e.ENCRYPTION_KEY_ID) {
      problems.push(`ENCRYPTION_PREVIOUS_KEYS: key id "${id}" is the current ENCRYPTION_KEY_ID`);
      continue;
    }
    const key = parseKey(id, entry.slice(sep + 1), problems, 'ENCRYPTION_PREVIOUS_KEYS');
    if (key) keys.set(id, key);
  }

  if (e.QUEUE_BACKEND === 'redis' && !e.REDIS_URL) problems.push('QUEUE_BACKEND=redis needs REDIS_URL');
  let redisSentinel: SentinelTarget | undefined;
  if (e.REDIS_URL?.startsWith(SENTINEL_SCHEME)) {
    try {
      redisSentinel = parseSentinelUrl(e.REDIS_URL);
    } catch (err) {
      problems.push(`REDIS_URL: ${(err as Error).message} (expected ${SENTINEL_SCHEME}[:password@]host:26379,host:26379/<master name>[?db=0])`);
    }
  }
  const queueBackend = e.QUEUE_BACKEND ?? (e.REDIS_URL ? 'redis' : 'postgres');
  if (e.DATABASE_POOLING === 'transaction' && !e.DATABASE_DIRECT_URL) {
    // What holds a PostgreSQL session, which a transaction pooler hands to another client after each transaction.
    const fix = 'set DATABASE_DIRECT_URL to PostgreSQL itself (not through the pooler)';
    if (queueBackend === 'postgres') {
      problems.push(
        `DATABASE_DIRECT_URL: DATABASE_POOLING=transaction with the PostgreSQL queue (${e.REDIS_URL ? 'QUEUE_BACKEND=postgres' : 'no REDIS_URL'}) needs it: ` +
          `BullMQ's PostgreSQL backend LISTENs for jobs and sets its search_path per connection, which needs a session; ${fix}, or run the queue on Redis (REDIS_URL)`,
      );
    }
    if (!e.REDIS_URL) {
      problems.push(
        `DATABASE_DIRECT_URL: DATABASE_POOLING=transaction with live events through PostgreSQL (zero-install mode, no REDIS_URL) needs it: ` +
          `the api LISTENs for their NOTIFY, which needs a session; ${fix}, or set REDIS_URL`,
      );
    }
  }
  for (const entry of e.TRUSTED_PROXIES) {
    if (!ipaddr.isValid(entry) && !isCidr(entry)) problems.push(`TRUSTED_PROXIES: "${entry}" is neither an IP address nor a CIDR range`);
  }
  if (e.EXECUTION_RETENTION !== undefined && e.EXECUTION_RETENTION_DAYS !== undefined) {
    problems.push(
      `EXECUTION_RETENTION: set together with EXECUTION_RETENTION_DAYS; keep one (EXECUTION_RETENTION=${e.EXECUTION_RETENTION_DAYS}d is EXECUTION_RETENTION_DAYS=${e.EXECUTION_RETENTION_DAYS})`,
    );
  }
  if (problems.length) throw new ConfigError(problems);

  const connectorBaseUrls: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const m = /^CONNECTOR_([A-Z0-9_]+)_BASE_URL$/.exec(name);
    if (m && value) connectorBaseUrls[m[1].toLowerCase()] = value.replace(/\/+$/, '');
  }

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databasePooling: e.DATABASE_POOLING,
    databaseDirectUrl: e.DATABASE_DIRECT_URL,
    databaseConnectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    databaseQueryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS,
    redisUrl: e.REDIS_URL,
    redisSentinel,
    redisPrefix: e.REDIS_PREFIX,
    queueBackend,
    jwt: { secret: e.JWT_SECRET, expiresIn: e.JWT_EXPIRES_IN },
    encryption: { currentKeyId: e.ENCRYPTION_KEY_ID, keys },
    // Dev mode is never honoured in production, whatever DEV_MODE says.
    devMode: e.DEV_MODE && !production,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxJsonDepth: e.MAX_JSON_DEPTH,
    corsOrigins: e.CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    rateLimits: {
      loginPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
      apiPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
      webhookPerMinute: e.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    },
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerLockMs: e.WORKER_LOCK_MS,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    executionRetentionMs: e.EXECUTION_RETENTION ?? (e.EXECUTION_RETENTION_DAYS ?? 30) * DURATION_UNITS_MS.d,
    executionRetentionSweepMs: e.EXECUTION_RETENTION_SWEEP_INTERVAL ?? DURATION_UNITS_MS.h,
    syncWebhookTimeoutMs: e.SYNC_WEBHOOK_TIMEOUT_MS,
    reconcileAfterMs: e.RECONCILE_AFTER_MS,
    executionLeaseMs: e.EXECUTION_LEASE_MS,
    waitDurableAfterMs: e.WAIT_DURABLE_AFTER_MS,
    maxQueuedExecutions: e.MAX_QUEUED_EXECUTIONS,
    shutdownDrainDelayMs: e.SHUTDOWN_DRAIN_DELAY_MS,
    allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
    trustedProxies: e.TRUSTED_PROXIES,
    kongAdminUrl: e.KONG_ADMIN_URL,
    kongApiUpstreamUrl: e.KONG_API_UPSTREAM_URL.replace(/\/+$/, ''),
    logstashUrl: e.LOGSTASH_URL,
    metricsToken: e.METRICS_TOKEN,
    websocket: {
      authTimeoutMs: e.WS_AUTH_TIMEOUT_MS,
      pingIntervalMs: e.WS_PING_INTERVAL_MS,
      maxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
      maxConnections: e.WS_MAX_CONNECTIONS,
    },
    connectorBaseUrls,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    tracing: {
      tracesUrl: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined),
      serviceName: e.OTEL_SERVICE_NAME,
    },
    mcp: { toolWaitMs: e.MCP_TOOL_WAIT_MS, rateLimitPerMinute: e.MCP_RATE_LIMIT_PER_MINUTE, maxSessions: e.MCP_MAX_SESSIONS, sessionIdleMs: e.MCP_SESSION_IDLE_MS },
  };
}

/**
 * Where a PostgreSQL session is kept (LISTEN, the PostgreSQL queue, a session advisory lock):
 * DATABASE_DIRECT_URL, else DATABASE_URL unless that is a transaction pooler (loadConfig refuses
 * the combinations that would need one then).
 */
export function sessionDatabaseUrl(config: Pick<Config, 'databaseUrl' | 'databaseDirectUrl'> & Partial<Pick<Config, 'databasePooling'>>): string | undefined {
  return config.databaseDirectUrl ?? (config.databasePooling === 'transaction' ? undefined : config.databaseUrl);
}

/** DI token for the Config object. */
export const CONFIG = Symbol('CONFIG');
