/**
 * Running connector actions outside the engine, against scripts/mock-apis: used by the connector
 * specs and by `make test-connectors`. The context is the real one a step gets (a real HTTP client,
 * private targets allowed because the mock listens on loopback), with every connector's base URL
 * pointing at the mock's prefix for it (`<mock>/<key>`), as CONNECTOR_<KEY>_BASE_URL would.
 */
import { randomUUID } from 'node:crypto';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../common/http/http-client.js';
import type { ActionContext, ActionDefinition, ConnectorDefinition, ConnectorLogger } from './sdk.js';

/** The origin the samples are written against: the mock's default address (MOCK_APIS_PORT=4010). */
export const MOCK_SAMPLE_ORIGIN = 'http://127.0.0.1:4010';

/** Replaces the samples' mock origin with the running mock's URL in every string of a value. */
export function rebaseOnMock<T>(value: T, mockUrl: string): T {
  if (typeof value === 'string') return value.split(MOCK_SAMPLE_ORIGIN).join(mockUrl) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => rebaseOnMock(v, mockUrl)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebaseOnMock(v, mockUrl)])) as T;
  }
  return value;
}

export interface RunActionOptions {
  /** The running mock's URL, e.g. from startMockApis(). */
  mockUrl: string;
  /** Raw credential fields; default: the connector's sampleCredentials. */
  credentials?: unknown;
  /** Raw step input; default: the action's sample. */
  input?: unknown;
  /** Client options (timeouts, size cap, retries); allowPrivateTargets defaults to true. */
  http?: Partial<HttpClientOptions>;
  signal?: AbortSignal;
  /** Collects what the action logs. */
  logs?: { level: string; msg: string; data?: Record<string, unknown> }[];
}

export function findAction(connector: ConnectorDefinition<unknown>, actionKey: string): ActionDefinition<unknown, unknown, unknown> {
  const action = connector.actions.find((a) => a.key === actionKey);
  if (!action) throw new Error(`connector ${connector.key} has no action ${actionKey}`);
  return action;
}

export function createTestContext(
  connector: ConnectorDefinition<unknown>,
  values: { credentials: unknown; input: unknown },
  opts: { mockUrl: string; http: HttpClient; signal?: AbortSignal; logs?: RunActionOptions['logs'] },
): ActionContext<unknown, unknown> {
  const log =
    (level: string): ConnectorLogger['info'] =>
    (msg, data) =>
      opts.logs?.push({ level, msg, data });
  const executionId = randomUUID();
  return {
    credentials: values.credentials,
    input: values.input,
    http: opts.http,
    baseUrl: () => `${opts.mockUrl}/${connector.key}`,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    signal: opts.signal ?? new AbortController().signal,
    executionId,
    stepId: `${connector.key}.test`,
    idempotencyKey: `${executionId}:${connector.key}.test`,
  };
}

/**
 * Validates credentials and input with the connector's schemas (as the engine does), runs the
 * action with a fresh HTTP client, and closes the client afterwards.
 */
export async function runAction(connector: ConnectorDefinition<unknown>, actionKey: string, opts: RunActionOptions): Promise<unknown> {
  const action = findAction(connector, actionKey);
  const rawCredentials = opts.credentials !== undefined ? opts.credentials : rebaseOnMock(connector.sampleCredentials, opts.mockUrl);
  const rawInput = opts.input !== undefined ? opts.input : rebaseOnMock(action.sample ?? {}, opts.mockUrl);
  const credentials = connector.credentials ? connector.credentials.parse(rawCredentials) : undefined;
  const input = action.input.parse(rawInput);
  const http = createHttpClient({ allowPrivateTargets: true, retryBaseMs: 50, ...opts.http });
  try {
    const ctx = createTestContext(connector, { credentials, input }, { mockUrl: opts.mockUrl, http, signal: opts.signal, logs: opts.logs });
    const output = await action.execute(ctx);
    return action.output.parse(output);
  } finally {
    await http.close();
  }
}

/** The error a run fails with; throws when it succeeds instead. */
export async function failureOf(run: Promise<unknown>): Promise<Error & { retryable?: boolean; status?: number; details?: unknown }> {
  try {
    await run;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-error: ${String(err)}`, { cause: err });
  }
  throw new Error('expected the action to fail, but it succeeded');
}
