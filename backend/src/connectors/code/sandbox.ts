/**
 * Runs a user's JavaScript function body in QuickJS compiled to WebAssembly, on one of a few
 * worker threads: no host object crosses into the sandbox (the input goes in as a JSON string, the
 * result comes out as one), and the only host functions the code can reach are the console methods,
 * which read only primitives. Usable on its own (the `code` connector and scripts/bench/code-step.mjs
 * import it).
 *
 * Where what runs:
 * - ./sandbox-thread.ts, in each thread: a fresh QuickJS runtime and context per run, with the
 *   run's memory limit (the WASM instance's memory), QuickJS's stack limit, the deadline and the
 *   cancel flag polled by QuickJS's interrupt handler, console capture and error positions.
 * - ./sandbox-pool.ts, here: the threads (CODE_STEP_THREADS, default min(2, CPUs); started on first
 *   use and kept), the queue of runs waiting for one, and the hard limits the thread cannot enforce
 *   on itself: a run past `timeoutMs` + 500 ms (a loop of native calls QuickJS cannot interrupt) or
 *   not stopping when cancelled has its thread terminated, and a thread that dies (its V8 heap over
 *   its resourceLimits, a fatal error) fails only its run. Either way a new thread takes its place.
 *
 * So user code never blocks this thread's event loop (lease heartbeats and other runs go on), and
 * a run ends at its deadline whatever it does.
 */
import { availableParallelism } from 'node:os';
import { SandboxPool, type SandboxPoolOptions, type SandboxPoolStats } from './sandbox-pool.js';
import { CANCELLED_BEFORE_START, SandboxError, type SandboxResult, type ThreadJob } from './sandbox-shared.js';

export { MAX_LOG_LINE_CHARS, MAX_LOG_LINES, SandboxError, type SandboxErrorKind, type SandboxResult, type SandboxStats } from './sandbox-shared.js';
export type { SandboxPoolOptions, SandboxPoolStats } from './sandbox-pool.js';

export interface SandboxOptions {
  /** A function body: it reads `input`, `return`s a JSON value, and may `await`. */
  code: string;
  /** Handed to the code as `input` after a JSON round trip; undefined stays undefined. */
  input?: unknown;
  timeoutMs: number;
  memoryMb: number;
  /** Stops the run when aborted: a waiting run leaves the queue, a running one is stopped (its thread terminated if need be). */
  signal?: AbortSignal;
  /** Also measure the run's memory (an extra allocation inside the runtime: off by default). */
  stats?: boolean;
}

/** The V8 heap of each thread (see SandboxPoolOptions.heapMb): room for a result as large as the largest memory limit, twice. */
const DEFAULT_THREAD_HEAP_MB = 512;
/** At most this many threads, whatever CODE_STEP_THREADS says. */
const MAX_THREADS = 64;

/** CODE_STEP_THREADS, or min(2, CPUs): the most sandbox threads a process runs. */
function defaultThreads(): number {
  const fromEnv = process.env.CODE_STEP_THREADS?.trim();
  if (fromEnv) {
    const n = Number(fromEnv);
    if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_THREADS);
    console.warn(`CODE_STEP_THREADS=${fromEnv} is not a positive integer: using the default`);
  }
  return Math.min(2, availableParallelism());
}

let pool: SandboxPool | undefined;
let configured: Partial<SandboxPoolOptions> = {};

function currentPool(): SandboxPool {
  pool ??= new SandboxPool({ threads: configured.threads ?? defaultThreads(), heapMb: configured.heapMb ?? DEFAULT_THREAD_HEAP_MB });
  return pool;
}

/**
 * Runs `code` as the body of `async function (input) { … }` in a fresh QuickJS runtime and context,
 * with `timeoutMs` and `memoryMb` as hard limits. Resolves with the returned JSON value and the
 * console lines; rejects with a SandboxError whose message says what went wrong and where.
 */
export async function runInSandbox(opts: SandboxOptions): Promise<SandboxResult> {
  if (!(opts.timeoutMs > 0) || !(opts.memoryMb > 0)) throw new RangeError('runInSandbox: timeoutMs and memoryMb must be positive');
  if (opts.signal?.aborted) throw new SandboxError('cancelled', CANCELLED_BEFORE_START);
  let inputJson: string | undefined;
  let inputFailure: ThreadJob['inputFailure'];
  let inputCause: unknown;
  if (opts.input !== undefined) {
    try {
      inputJson = JSON.stringify(opts.input) as string | undefined;
      if (inputJson === undefined) inputFailure = { kind: 'input', message: `The input is not JSON: a ${typeof opts.input} has no JSON form` };
    } catch (err) {
      inputFailure = { kind: 'input', message: `The input is not JSON: ${err instanceof Error ? err.message : String(err)}` };
      inputCause = err;
    }
    // QuickJS copies the JSON text into the run's memory before parsing it: text larger than the
    // limit could never fit, and keeping it out of the thread bounds what the thread's heap holds.
    if (inputJson !== undefined && inputJson.length > opts.memoryMb * 1024 * 1024) {
      inputFailure = { kind: 'memory', message: `Code used more than the ${opts.memoryMb} MB memory limit (the input alone is ${Math.ceil(inputJson.length / 2 ** 20)} MB of JSON)` };
      inputJson = undefined;
    }
  }
  const done = await currentPool().run({ code: opts.code, inputJson, inputFailure, timeoutMs: opts.timeoutMs, memoryMb: opts.memoryMb, stats: opts.stats === true }, opts.signal);
  if (!done.ok) {
    const { kind, message, logs, line, column, cause } = done.error;
    throw new SandboxError(kind, message, { logs, line, column, cause: kind === 'input' && inputCause !== undefined ? inputCause : cause !== undefined ? new Error(cause) : undefined });
  }
  return { result: done.resultJson === undefined ? null : JSON.parse(done.resultJson), logs: done.logs, ...(done.stats ? { stats: done.stats } : {}) };
}

/** The pool's threads and counters; undefined before the first run (the pool starts with it). */
export function sandboxPoolStats(): SandboxPoolStats | undefined {
  return pool?.stats();
}

/**
 * Closes the pool (runs in flight fail as cancelled) and sets what the next one, started by the next
 * run, is made with; omitted options take their defaults (CODE_STEP_THREADS for `threads`).
 */
export async function configureSandboxPool(options: Partial<SandboxPoolOptions> = {}): Promise<void> {
  configured = { ...options };
  await closeSandboxPool();
}

/** Terminates the sandbox threads (the process can exit without it: idle threads never hold it). */
export async function closeSandboxPool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.close();
}
