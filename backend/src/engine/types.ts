/** The engine's contract: plain data in, plain data out. No database, HTTP framework or queue. */
import type { Cancellation } from '../common/cancellation.js';
import type { HttpClient } from '../common/http/http-client.js';
import type { ConnectorLogger } from '../connectors/sdk.js';
import type { StepDefinition, StepResult } from '@tributary/contracts';
import type { ConnectorLookup } from './connectors.js';

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
}

export interface ResolvedCredential {
  connector: string;
  data: Record<string, unknown>;
}

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
   * The durability contract: called after a step that called out (an action not marked `pure`) when
   * more steps follow, with every result so far; the next step starts once it resolves (they are
   * recorded). Throwing stops the run there (e.g. the lease on the execution was lost).
   */
  checkpoint?: (results: StepResult[]) => Promise<void>;
  /** Default per-attempt timeout when a step sets none. */
  defaultStepTimeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RunResult {
  status: 'succeeded' | 'failed' | 'cancelled';
  steps: StepResult[];
  /** The last executed step's output: what a sync webhook answers. */
  output: unknown;
  error?: string;
  durationMs: number;
}
