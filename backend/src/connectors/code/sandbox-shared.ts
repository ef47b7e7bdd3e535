/**
 * What the sandbox's host side (./sandbox.ts, ./sandbox-pool.ts) and its threads (./sandbox-thread.ts)
 * share: the public result and error types, the console caps, and the messages they exchange. No
 * side effects: a thread imports it as well as the host.
 */
import type { MessagePort } from 'node:worker_threads';

export interface SandboxStats {
  /** QuickJS's own estimate (computeMemoryUsage().memory_used_size) of the runtime after the run. */
  memoryBytes: number;
  /** The size of the instance's WebAssembly linear memory after the run (what the process holds for it). */
  wasmMemoryBytes: number;
}

export interface SandboxResult {
  /** The returned value after a JSON round trip (undefined becomes null). */
  result: unknown;
  /** What the code wrote with console.*, formatted like Node's console, capped. */
  logs: string[];
  stats?: SandboxStats;
}

export type SandboxErrorKind = 'syntax' | 'runtime' | 'result' | 'input' | 'timeout' | 'memory' | 'stack' | 'cancelled' | 'internal';

/** Why a run failed, in words a user can act on; `line`/`column` point into the user's code. */
export class SandboxError extends Error {
  readonly kind: SandboxErrorKind;
  /** The console lines written before the failure. */
  readonly logs: string[];
  readonly line?: number;
  readonly column?: number;
  constructor(kind: SandboxErrorKind, message: string, opts: { logs?: string[]; line?: number; column?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'SandboxError';
    this.kind = kind;
    this.logs = opts.logs ?? [];
    this.line = opts.line;
    this.column = opts.column;
  }
}

export const MAX_LOG_LINES = 200;
/** Per console line, in characters; longer lines are cut with a note of how much was cut. */
export const MAX_LOG_LINE_CHARS = 10_240;

export const timeoutMessage = (timeoutMs: number) => `Code ran longer than ${timeoutMs} ms (stopped)`;
export const CANCELLED_BEFORE_START = 'Code was cancelled before it started (the step timed out or the execution was cancelled)';
export const CANCELLED_WHILE_RUNNING = 'Code was cancelled before it finished (the step timed out or the execution was cancelled)';

/** The host's `workerData` for a sandbox thread. */
export interface ThreadData {
  /** Tells the thread module it was started as a sandbox thread (and not imported by the host). */
  sandboxThread: true;
  /** quickjs-emscripten's WASM, compiled once by the host and shared by its threads. */
  wasmModule: object;
  /** Jobs in, answers out (a port of its own, so the host can read a late answer synchronously). */
  port: MessagePort;
  /** An Int32Array's buffer: the host sets [0] to 1 to cancel the running job. */
  cancel: SharedArrayBuffer;
}

/** One run, as the host posts it to a thread. */
export interface ThreadJob {
  type: 'run';
  id: number;
  code: string;
  /** The input as JSON (serialized on the host: a value that is not JSON never reaches the thread). */
  inputJson?: string;
  /**
   * Why the host did not send the input (not JSON, or larger than the memory limit could ever
   * hold): the run fails with it where it would have read the input.
   */
  inputFailure?: { kind: 'input' | 'memory'; message: string };
  timeoutMs: number;
  memoryMb: number;
  stats: boolean;
}

/** A SandboxError as it crosses from a thread to the host. */
export interface ThreadError {
  kind: SandboxErrorKind;
  message: string;
  logs: string[];
  line?: number;
  column?: number;
  /** The message of the host-side exception behind an `internal` or `stack` error, if any. */
  cause?: string;
}

export type ThreadDone = { type: 'done'; id: number } & (
  | { ok: true; /** The returned value as JSON; undefined when the code returned undefined. */ resultJson?: string; logs: string[]; stats?: SandboxStats }
  | { ok: false; error: ThreadError }
);

/** From a thread: `ready` once (QuickJS loaded), then one `done` per job. */
export type ThreadMessage = { type: 'ready' } | ThreadDone;
