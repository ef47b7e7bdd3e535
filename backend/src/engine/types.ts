/** The engine's contract: plain data in, plain data out. No database, HTTP framework or queue. */
import type { Cancellation } from '../common/cancellation.js';
import type { HttpClient } from '../common/http/http-client.js';
import type { ConnectorLogger } from '../connectors/sdk.js';
import type { StepDefinition, StepResult } from '@tributary/contracts';
import type { ConnectorLookup } from './connectors.js';
import type { RateLimiter } from '../common/rate-limit/rate-limiter.js';

/** A step's outcome and its recorded result: the contract's shape (as executions answer it). */
export type { StepResult, StepStatus } from '@tributary/contracts';

export interface RunRequest {
  executionId: string;
  steps: StepDefinition[];
  payload: unknown;
  /**
   * Results already recorded for this execution: its own steps recorded before a crash, or the steps
   * a retry carried over from the failed run (marked `reused`). They stand as they are; their steps
   * are not run again.
   */
  previous?: StepResult[];
  /** Stops the run: before the next step, and the step in flight through its signal. */
  cancellation?: Cancellation;
  /**
   * The workspace variables of the run's environment, read as `{{vars.NAME}}` (absent: `vars` is not
   * provided, and a payload's own `vars` field reads as before). A `vars.NAME` without a value fails its step.
   */
  variables?: RunVariables;
  /**
   * Test runs only (dry runs): outputs pinned by step id (n8n's data pinning). A pinned step or
   * block is not run; its result is the pinned output, marked `pinned`. Executions never carry it.
   */
  pinned?: Readonly<Record<string, unknown>>;
}

/** Workspace variables as a run sees them: the values of one environment (defaults filled in). */
export interface RunVariables {
  environment: string;
  values: Readonly<Record<string, string>>;
  /** The secret variables' values: replaced by `***` in every result the run records. */
  secrets: readonly string[];
}

export interface ResolvedCredential {
  connector: string;
  /** The stored fields (empty for an OAuth2 connection: its fields come from `current`). */
  data: Record<string, unknown>;
  credentialId?: string;
  /** An OAuth2 connection: its connector's fields from a current access token. */
  current?: () => Promise<CredentialFields>;
  /** An OAuth2 connection whose provider refused `rejected`: fields from a refreshed token. */
  refresh?: (rejected: string) => Promise<CredentialFields>;
}

export interface CredentialFields {
  data: Record<string, unknown>;
  /** The access token in them. */
  token: string;
}

export type { RateLimiter } from '../common/rate-limit/rate-limiter.js';

export interface RunDeps {
  findConnector: ConnectorLookup;
  resolveCredential: (credentialId: string) => Promise<ResolvedCredential>;
  http: HttpClient;
  /** The operator's base URL override for a connector, else the default. */
  baseUrl: (connectorKey: string, defaultUrl: string) => string;
  logger: ConnectorLogger;
  /** Called after each step (for live progress). */
  onStep?: (result: StepResult) => void | Promise<void>;
  /**
   * The durability contract: called after a step that called out (an action not marked `pure`, a
   * `call`) when more may follow, with the results new since the last checkpoint; the next step
   * starts once it resolves (they are recorded). Throwing stops the run there (e.g. the lease on the
   * execution was lost).
   */
  checkpoint?: (delta: StepResult[]) => Promise<void>;
  /** Durable waits (absent in a test run: waits longer than a few seconds are passed over there). */
  waits?: WaitStore;
  /** Sub-workflows (absent in a test run: `call` steps are passed over there). */
  calls?: CallStarter;
  /** Outbound rate limits of connectors (absent: none enforced). */
  rateLimiter?: RateLimiter;
  /** How a step using a stored credential ended (connection health). */
  credentialOutcome?: (credentialId: string, ok: boolean, error: string | undefined) => void;
  /** Tracing: a span per step (absent when tracing is off: the runner then spends nothing on it). */
  tracer?: StepTracer;
  /** Default per-attempt timeout when a step sets none. */
  defaultStepTimeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Runs each step (or block) inside a span of the execution's trace (telemetry/tracing.ts). */
export interface StepTracer {
  /** `run` is the step; `result()` its recorded result once it ended (undefined: none), for the span's attributes. */
  step<T>(info: { path: string; kind: string; connector?: string; action?: string }, run: () => Promise<T>, result: () => StepResult | undefined): Promise<T>;
}

/** A wait the run reached, as the engine asks the store about it. */
export interface WaitRequest {
  path: string;
  stepId: string;
  kind: 'duration' | 'until' | 'webhook' | 'approval';
  /** When it fires (duration, until) or times out; the store keeps the first one it was given. */
  dueAt: Date | null;
  message?: string;
}
export type WaitOutcome =
  | { status: 'resumed'; output: unknown }
  /** Rejected, or timed out. */
  | { status: 'failed'; error: string; output?: unknown }
  | { status: 'pending'; dueAt: Date | null };

/** Where waits are kept (the executions' wait table): asked each time a run reaches a wait. */
export interface WaitStore {
  /** Resolves a due timer, records a new wait as pending, or answers how it was resumed. */
  reach(w: WaitRequest): Promise<WaitOutcome>;
  /** The resume URL of a webhook wait at this path (deterministic, unguessable). */
  resumeUrl(path: string): string;
  /** Waits up to this long are slept in the worker instead (default 5 s). */
  durableAfterMs?: number;
}

export interface CallRequest {
  path: string;
  stepId: string;
  workflowId: string;
  input: Record<string, unknown>;
  wait: boolean;
  /** Starting the child again with this key answers the first child (a crash never starts two). */
  idempotencyKey: string;
}
export type CallOutcome =
  | { status: 'started'; executionId: string }
  | { status: 'pending'; executionId: string }
  | { status: 'succeeded'; executionId: string; output: unknown }
  | { status: 'failed'; executionId: string; error: string };
export interface CallStarter {
  call(c: CallRequest): Promise<CallOutcome>;
  /** A workflow of the tenant as an agent's tool: what it does and its input schema (null: no such workflow). */
  describe?(workflowId: string): Promise<{ description: string; inputSchema: Record<string, unknown> | null } | null>;
}

export interface RunResult {
  status: 'succeeded' | 'failed' | 'cancelled' | 'waiting';
  steps: StepResult[];
  /** The last executed step's output: what a sync webhook answers. */
  output: unknown;
  error?: string;
  /** Failed: the path of the step that failed. */
  failedStepId?: string;
  /** Waiting: the waits not resumed yet, with their kind and due times. */
  waits?: { path: string; dueAt: string | null; kind: 'duration' | 'until' | 'webhook' | 'approval' | 'call' }[];
  durationMs: number;
}
