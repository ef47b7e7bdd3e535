/**
 * Connector SDK: a connector is one declarative object (key, display name, icon, credential schema,
 * actions). The same definition drives the dashboard's forms (through JSON Schema exported from the
 * zod schemas) and the execution (`execute`). Connectors import neither the database nor the queue:
 * everything they need arrives in their context.
 */
import { z } from 'zod';
import type { HttpClient } from '../common/http/http-client.js';
import type { TokenUsage } from '@tributary/contracts';

export interface ConnectorLogger {
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export interface ActionContext<TCredentials, TInput> {
  /** Decrypted credential fields, validated against the connector's credential schema. */
  credentials: TCredentials;
  /** The step's rendered input, validated against the action's input schema. */
  input: TInput;
  /** The shared outbound HTTP client (timeouts, retries, SSRF guard, size cap, secret redaction). */
  http: HttpClient;
  /**
   * The base URL to call: the operator's override for this connector (CONNECTOR_<KEY>_BASE_URL,
   * used by tests and offline demos to point at scripts/mock-apis) or the given default.
   */
  baseUrl(defaultUrl: string): string;
  logger: ConnectorLogger;
  /** Aborted when the step times out or the execution is cancelled. */
  signal: AbortSignal;
  /** Identifies the running execution and step, e.g. for idempotency keys sent to providers. */
  executionId: string;
  stepId: string;
  /**
   * `<executionId>:<step path>`: the same on every attempt of this step and after a crash, so a
   * provider that honours idempotency keys can tell a repeat of the step in flight from a new call.
   */
  idempotencyKey: string;
}

/** A failure a user can act on; `retryable` tells the engine whether another attempt may help. */
export class ConnectorError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  readonly details?: unknown;
  /** The provider's `Retry-After`, in ms: the engine waits at least this long before the next attempt. */
  readonly retryAfterMs?: number;
  /** The provider said the access token expired (a 401, or a provider's own signal in a 200 body). */
  readonly authExpired: boolean;
  constructor(message: string, opts: { retryable?: boolean; status?: number; details?: unknown; cause?: unknown; retryAfterMs?: number; authExpired?: boolean } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'ConnectorError';
    this.retryable = opts.retryable ?? false;
    this.status = opts.status;
    this.details = opts.details;
    this.retryAfterMs = opts.retryAfterMs;
    this.authExpired = opts.authExpired ?? opts.status === 401;
  }
}

export interface ActionDefinition<TCredentials = unknown, TInput = unknown, TOutput = unknown> {
  key: string;
  name: string;
  description?: string;
  input: z.ZodType<TInput>;
  output: z.ZodType<TOutput>;
  /**
   * A sample input that works against scripts/mock-apis (used by `make test-connectors` and docs). A
   * URL to the mock is written as `${MOCK_ORIGIN}/<key>/…`; users of a sample resolve it with
   * `rebaseOnMock(sample, mockUrl)`.
   */
  sample?: Record<string, unknown>;
  /**
   * True when the action has no effect outside the run (no call out): the engine does not record its
   * result on its own before the next step, and after a crash simply runs it again.
   */
  pure?: boolean;
  /**
   * Top-level input fields taken as written, not rendered as templates: a code step's `code` may hold
   * `{{` (JavaScript objects, strings) and gets its data through `input` instead.
   */
  verbatim?: readonly string[];
  execute(ctx: ActionContext<TCredentials, TInput>): Promise<TOutput>;
  /** Model calls: the tokens the output says were used (recorded on the step's result and summed per execution). */
  usage?(output: TOutput): TokenUsage | undefined;
  /**
   * Flow control: the later steps a succeeded step of this action says not to run (e.g. the branch a
   * condition did not take), each recorded as skipped with `reason`. A function of the step's output
   * and its input as written (templates not rendered), so a run resumed from recorded results derives
   * the same skips from the recorded output without running the step again.
   */
  skips?(result: StepSkipsSource<TOutput>): StepSkips | undefined;
}

export interface StepSkipsSource<TOutput = unknown> {
  /** The step's output (for a resumed run, the recorded one). */
  output: TOutput;
  /** The step's `input` as written in the workflow. */
  stepInput: Record<string, unknown>;
  stepId: string;
}

/** What `skips` answers: step ids not to run, and why (shown on each skipped step). */
export interface StepSkips {
  stepIds: string[];
  reason: string;
}

export interface ConnectorDefinition<TCredentials = unknown> {
  key: string;
  name: string;
  /** An icon name (lucide) or an emoji, rendered by the dashboard. */
  icon: string;
  description?: string;
  /** null when the connector needs no credential (public APIs). */
  credentials: z.ZodType<TCredentials> | null;
  /** Sample credential fields that work against scripts/mock-apis (URLs to the mock as `${MOCK_ORIGIN}/<key>/…`). */
  sampleCredentials?: Record<string, unknown>;
  actions: ActionDefinition<TCredentials, unknown, unknown>[];
  /**
   * "Test connection": one cheap authenticated call proving the credential works (a profile, an
   * account or a list of one). Answers a short line a user reads ("Authenticated as …"); throws a
   * ConnectorError whose message says what is wrong. Never posts, sends or creates anything.
   */
  test?(ctx: ConnectionTestContext<TCredentials>): Promise<string>;
  /** The connector's credential can be an OAuth2 connection (the platform keeps and refreshes its tokens). */
  oauth2?: OAuth2Declaration<TCredentials>;
  /**
   * The provider's rate limit per connection (e.g. Slack's one message per second per webhook): the
   * engine queues a step (it does not fail it) until the shared token bucket of its credential has
   * room. Undefined when the credential sets none.
   */
  rateLimit?(credentials: TCredentials, baseUrl: (defaultUrl: string) => string): RateLimit | undefined;
}

/**
 * True when `url` is the provider's own (its host matches `hosts`, e.g. hooks.slack.com), or on the
 * host the operator pointed the connector at (CONNECTOR_<KEY>_BASE_URL: the mock in tests and the
 * demo). A Slack-compatible receiver elsewhere (Mattermost, Rocket.Chat, an internal relay) does not
 * have the provider's limits, so they are not imposed on it.
 */
export function isProviderUrl(url: string, providerBase: string, hosts: RegExp): boolean {
  try {
    const u = new URL(url);
    return hosts.test(u.hostname) || u.host === new URL(providerBase).host;
  } catch {
    return false;
  }
}

/** At most `requests` calls per `perMs` milliseconds (a token bucket of that size refilled evenly). */
export interface RateLimit {
  requests: number;
  perMs: number;
}

/** What a connection test gets: an action's context without input or run. */
export type ConnectionTestContext<TCredentials> = Pick<ActionContext<TCredentials, undefined>, 'credentials' | 'http' | 'baseUrl' | 'logger' | 'signal'>;

export type OAuth2Grant = 'authorization_code' | 'client_credentials';

/** The provider's endpoints; relative to nothing: absolute URLs (built from the connector's base URL). */
export interface OAuth2Endpoints {
  authorizationUrl?: string;
  tokenUrl: string;
  revocationUrl?: string;
}

/** A current token, as the platform hands it to `toCredentials`. */
export interface OAuth2Token {
  accessToken: string;
  tokenType: string;
  /** Other fields of the token answer (Salesforce's `instance_url`, Slack's `team`). */
  extra: Record<string, unknown>;
}

export interface OAuth2Declaration<TCredentials> {
  grants: OAuth2Grant[];
  /** Scopes asked for when the user gives none. */
  defaultScopes?: string[];
  /**
   * The provider's endpoints, from the connector's base URL (`baseUrl(default)` honours
   * CONNECTOR_<KEY>_BASE_URL, so tests and demos point them at scripts/mock-apis). Undefined for a
   * generic connector (HTTP): the user gives the endpoints.
   */
  endpoints?(baseUrl: (defaultUrl: string) => string): OAuth2Endpoints;
  /** The credential fields the actions get, built from the current token. */
  toCredentials(token: OAuth2Token, baseUrl: (defaultUrl: string) => string): TCredentials;
  /** Token types besides `bearer` the provider answers (Slack: `bot`, `user`); they are used as bearer tokens. */
  tokenTypes?: string[];
  /**
   * A provider whose token endpoint departs from RFC 6749 (Slack answers errors with a 200 and
   * `{ ok: false, error }`) says here how its answer reads in RFC terms: `{ status: 400, body: {
   * error: 'invalid_grant' } }` for a refresh token it refused.
   */
  tokenAnswer?(status: number, body: unknown): { status: number; body: unknown };
  // Some providers answer an expired token with a 200 (Slack: `{ ok: false, error: 'token_expired' }`):
  // such a connector throws ConnectorError with `authExpired: true`, and the engine refreshes and tries
  // again once, as it does on a 401.
}

/**
 * The placeholder origin samples write the mock's URL with (`${MOCK_ORIGIN}/slack/services/…`): a
 * valid URL, so the credential schemas accept it, that can never be reached (RFC 2606 `.invalid`).
 * Whoever uses a sample replaces it with the running mock's URL (rebaseOnMock): the connector specs
 * and `make test-connectors` with the mock they start, scripts/seed.mjs with MOCK_APIS_URL.
 */
export const MOCK_ORIGIN = 'http://mock-apis.invalid';

/** Replaces MOCK_ORIGIN with the running mock's URL (no trailing slash) in every string of a value. */
export function rebaseOnMock<T>(value: T, mockUrl: string): T {
  if (typeof value === 'string') return value.split(MOCK_ORIGIN).join(mockUrl) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => rebaseOnMock(v, mockUrl)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebaseOnMock(v, mockUrl)])) as T;
  }
  return value;
}

export function defineAction<TCredentials, TInput, TOutput>(
  def: ActionDefinition<TCredentials, TInput, TOutput>,
): ActionDefinition<TCredentials, unknown, unknown> {
  return def as unknown as ActionDefinition<TCredentials, unknown, unknown>;
}

/**
 * `defineAction` with the credential type taken from the connector's credential schema, so that
 * `ctx.credentials` is typed: `const action = actionWith(credentials); action({ key, … })`.
 */
export function actionWith<S extends z.ZodType>(_credentials: S) {
  return <TInput, TOutput>(def: ActionDefinition<z.output<S>, TInput, TOutput>) => defineAction(def);
}

export function defineConnector<TCredentials>(def: ConnectorDefinition<TCredentials>): ConnectorDefinition<unknown> {
  const keys = new Set<string>();
  for (const action of def.actions) {
    if (keys.has(action.key)) throw new Error(`connector ${def.key}: duplicate action ${action.key}`);
    keys.add(action.key);
  }
  return def as unknown as ConnectorDefinition<unknown>;
}

export type JsonSchema = Record<string, unknown>;

export interface ConnectorCatalogueEntry {
  key: string;
  name: string;
  icon: string;
  description?: string;
  credentials: JsonSchema | null;
  actions: { key: string; name: string; description?: string; input: JsonSchema; output: JsonSchema }[];
  oauth2?: { grants: OAuth2Grant[]; defaultScopes: string[]; userEndpoints: boolean };
  testable?: boolean;
}

export function toJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
}

/** A connector as `GET /api/connectors` shows it. */
export function catalogueEntry(def: ConnectorDefinition<unknown>): ConnectorCatalogueEntry {
  return {
    key: def.key,
    name: def.name,
    icon: def.icon,
    description: def.description,
    credentials: def.credentials ? toJsonSchema(def.credentials) : null,
    actions: def.actions.map((a) => ({
      key: a.key,
      name: a.name,
      description: a.description,
      input: toJsonSchema(a.input),
      output: toJsonSchema(a.output),
    })),
    ...(def.oauth2 ? { oauth2: { grants: def.oauth2.grants, defaultScopes: def.oauth2.defaultScopes ?? [], userEndpoints: !def.oauth2.endpoints } } : {}),
    ...(def.credentials ? { testable: Boolean(def.test) } : {}),
  };
}
