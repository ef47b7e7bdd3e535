/**
 * Running connector actions (and connection tests) outside the engine, against scripts/mock-apis: used by the connector
 * specs (through `describeConnector`) and by `make test-connectors`. The context is the real one a
 * step gets (a real HTTP client, private targets allowed because the mock listens on loopback), with
 * every connector's base URL pointing at the mock's prefix for it (`<mock>/<key>`), as
 * CONNECTOR_<KEY>_BASE_URL would.
 */
import { randomUUID } from 'node:crypto';
import type { MockApis } from '../../../scripts/mock-apis/server.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../common/http/http-client.js';
import { rebaseOnMock, type ActionContext, type ActionDefinition, type ConnectorDefinition, type ConnectorLogger } from './sdk.js';

export { MOCK_ORIGIN, rebaseOnMock } from './sdk.js';

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

export interface TestConnectionOptions {
  /** The running mock's URL, e.g. from startMockApis(). */
  mockUrl: string;
  /** Raw credential fields; default: the connector's sampleCredentials. */
  credentials?: unknown;
  /** Client options (timeouts, size cap, retries); allowPrivateTargets defaults to true. */
  http?: Partial<HttpClientOptions>;
  /** Wraps the client the test is given, e.g. to drop a header as some hosts do. */
  via?: (http: HttpClient) => HttpClient;
  signal?: AbortSignal;
  /** Collects what the test logs. */
  logs?: RunActionOptions['logs'];
}

/**
 * "Test connection" as the platform runs it: validates the credentials with the connector's schema,
 * runs its `test` with a fresh HTTP client, closes the client afterwards, and returns the message.
 */
export async function testConnection(connector: ConnectorDefinition<unknown>, opts: TestConnectionOptions): Promise<string> {
  if (!connector.test) throw new Error(`connector ${connector.key} has no connection test`);
  const rawCredentials = opts.credentials !== undefined ? opts.credentials : rebaseOnMock(connector.sampleCredentials, opts.mockUrl);
  const credentials = connector.credentials ? connector.credentials.parse(rawCredentials) : undefined;
  const http = createHttpClient({ allowPrivateTargets: true, retryBaseMs: 50, ...opts.http });
  try {
    const client = opts.via ? opts.via(http) : http;
    const ctx = createTestContext(connector, { credentials, input: undefined }, { mockUrl: opts.mockUrl, http: client, signal: opts.signal, logs: opts.logs });
    return await connector.test(ctx);
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

/** What a connector spec gets from `describeConnector`. */
export interface ConnectorHarness {
  /**
   * The mock started for this spec file (fresh requests and records before each test). A stable
   * handle: its fields read the running mock, so it can be destructured when the spec is declared.
   */
  mock: Pick<MockApis, 'url' | 'requests' | 'reset'>;
  /** `runAction` on this connector against the mock: sample credentials and input unless given. */
  run(actionKey: string, opts?: Omit<RunActionOptions, 'mockUrl'>): Promise<unknown>;
  /** The error `run` fails with (fails the test when it succeeds). */
  fail(actionKey: string, opts?: Omit<RunActionOptions, 'mockUrl'>): ReturnType<typeof failureOf>;
  /**
   * `testConnection` on this connector against the mock: the connector's "Test connection" message,
   * with sample credentials unless given.
   */
  testConnection(credentials?: unknown, opts?: Omit<TestConnectionOptions, 'mockUrl' | 'credentials'>): Promise<string>;
  /** The connector's sampleCredentials, pointed at the running mock. */
  credentials<T = Record<string, unknown>>(): T;
}

/** The few jest globals the harness needs (the build compiles this file without jest's types). */
interface JestGlobals {
  describe(name: string, fn: () => void): void;
  beforeAll(fn: () => Promise<unknown> | unknown, timeout?: number): void;
  afterAll(fn: () => Promise<unknown> | unknown): void;
  beforeEach(fn: () => Promise<unknown> | unknown): void;
}

/**
 * A connector spec: `describeConnector(slack, ({ mock, run, fail, testConnection, credentials }) => { it(…) })`.
 * Starts scripts/mock-apis on a free port for the file, resets it before each test and closes it
 * after; `run` executes an action the way a step does (schemas validated, the real HTTP client), and
 * `testConnection` the connector's "Test connection" the same way.
 */
export function describeConnector(connector: ConnectorDefinition<unknown>, tests: (harness: ConnectorHarness) => void): void {
  const { describe, beforeAll, afterAll, beforeEach } = globalThis as unknown as JestGlobals;
  let live: MockApis | undefined;
  const running = (): MockApis => {
    if (!live) throw new Error('describeConnector: the mock is not running (use the harness inside a test or hook)');
    return live;
  };
  const harness: ConnectorHarness = {
    mock: {
      get url() {
        return running().url;
      },
      get requests() {
        return running().requests;
      },
      reset: () => running().reset(),
    },
    run: (actionKey, opts = {}) => runAction(connector, actionKey, { ...opts, mockUrl: running().url }),
    fail: (actionKey, opts = {}) => failureOf(runAction(connector, actionKey, { ...opts, mockUrl: running().url })),
    testConnection: (credentials, opts = {}) => testConnection(connector, { ...opts, credentials, mockUrl: running().url }),
    credentials: <T>() => rebaseOnMock(connector.sampleCredentials, running().url) as T,
  };
  describe(connector.key, () => {
    beforeAll(async () => {
      // Imported when a spec runs, so that this module loads without scripts/ (e.g. in an image).
      const { startMockApis } = (await import('../../../scripts/mock-apis/server.js')) as typeof import('../../../scripts/mock-apis/server.js');
      live = await startMockApis({ port: 0 });
    });
    afterAll(async () => {
      await live?.close();
      live = undefined;
    });
    beforeEach(() => live?.reset());
    tests(harness);
  });
}
