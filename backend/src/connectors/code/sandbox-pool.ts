/**
 * The sandbox's threads: a few `worker_threads` (./sandbox-thread.ts), started on first use and
 * reused, each running one job at a time, so that user code never runs on the process's event loop.
 *
 * - Deadline: the thread stops a run at `timeoutMs` itself (QuickJS's interrupt handler), but that
 *   check cannot reach inside a native call; the host gives it `timeoutMs + HARD_DEADLINE_GRACE_MS`
 *   and then terminates the thread, which stops any code for sure. Terminated threads are replaced.
 * - Cancel: the host raises a flag the thread's interrupt handler reads (the run ends cleanly, with
 *   its console lines, and the thread is kept); a thread that does not answer within
 *   CANCEL_GRACE_MS is terminated.
 * - Queue: jobs wait in order for a free thread; the wait does not count toward the run's
 *   `timeoutMs` (which starts when a thread takes the job), and a cancel ends it.
 * - Crashes: a thread that dies (its heap over `resourceLimits`, a fatal V8 error) answers for its
 *   job with a SandboxError and is replaced; one that dies while starting fails the waiting jobs
 *   (when no other thread can take them) instead of being restarted in a loop.
 * - Shutdown: idle threads are `unref()`'d, so they never keep the process alive; a thread with a
 *   job is ref'd until it answers. `close()` terminates them all.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { sourceThread } from './source-thread.js';
import { CANCELLED_BEFORE_START, CANCELLED_WHILE_RUNNING, SandboxError, timeoutMessage, type ThreadData, type ThreadDone, type ThreadJob, type ThreadMessage } from './sandbox-shared.js';

/** How long past its `timeoutMs` a run may go before its thread is terminated. */
export const HARD_DEADLINE_GRACE_MS = 500;
/** How long a cancelled run has to stop on its own before its thread is terminated. */
export const CANCEL_GRACE_MS = 100;

export interface SandboxPoolOptions {
  /** Threads at most (started as jobs need them). */
  threads: number;
  /**
   * The V8 heap of a thread (resourceLimits.maxOldGenerationSizeMb), past which the thread dies,
   * not the process. QuickJS's memory is WASM memory outside this heap (its limit is the run's
   * `memoryMb`); the thread's heap holds the code, the input and result JSON and the console lines.
   */
  heapMb: number;
}

export interface SandboxPoolStats {
  /** The most threads the pool runs. */
  size: number;
  /** Threads alive (starting or ready). */
  threads: number;
  /** Threads with a job. */
  busy: number;
  /** Jobs waiting for a thread. */
  queued: number;
  /** Threads started since the pool was created (replacements included). */
  started: number;
  /** Threads the pool terminated because a run overran its deadline or did not stop on cancel. */
  killed: number;
  /** Threads that died on their own (crash, out of heap, failed to start). */
  crashed: number;
}

/** A thread's young generation (resourceLimits.maxYoungGenerationSizeMb). */
const YOUNG_GENERATION_MB = 16;
/** A thread's stack (resourceLimits.stackSizeMb): Node's default for threads, named here on purpose. */
const STACK_MB = 4;

type WasmModule = object;
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } }).WebAssembly;

/** The WASM of quickjs-emscripten's RELEASE_SYNC variant, read and compiled once per process and shared by its threads. */
let compiled: Promise<WasmModule> | undefined;
function wasmModule(): Promise<WasmModule> {
  compiled ??= (async () => {
    // Resolved from quickjs-emscripten's own location: the variant package is its dependency, not ours.
    const fromQuickjs = createRequire(createRequire(import.meta.url).resolve('quickjs-emscripten'));
    return wasm.compile(await readFile(fromQuickjs.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')));
  })().catch((err: unknown) => {
    compiled = undefined;
    throw err;
  });
  return compiled;
}

/**
 * The thread's module next to this one: `sandbox-thread.js` in the build; when this module is the
 * TypeScript source itself (the Jest specs), `sandbox-thread.ts` through ./source-thread.ts.
 */
function threadEntry(): { script: string | URL; data: Record<string, unknown> } {
  if (!import.meta.url.endsWith('.ts')) return { script: new URL('./sandbox-thread.js', import.meta.url), data: {} };
  const source = sourceThread(new URL('./sandbox-thread.ts', import.meta.url));
  return { script: source.script, data: { sourceThread: source.data } };
}

export type JobSpec = Omit<ThreadJob, 'type' | 'id'>;

interface Pending {
  job: ThreadJob;
  signal?: AbortSignal;
  resolve(done: ThreadDone): void;
  reject(err: SandboxError): void;
  thread?: Thread;
  timer?: NodeJS.Timeout;
  onAbort?: () => void;
}

interface Thread {
  worker: Worker;
  port: MessagePort;
  cancel: Int32Array;
  ready: boolean;
  /** Set once the pool stopped caring for the thread (terminated, exited, or the pool closed). */
  gone: boolean;
  job?: Pending;
  /** What the thread died of, from its 'error' event. */
  error?: Error;
}

export class SandboxPool {
  private readonly threads = new Set<Thread>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  /** Set by the first run, before any thread starts. */
  private module: WasmModule | undefined;
  private readonly counts = { started: 0, killed: 0, crashed: 0 };

  constructor(private readonly options: SandboxPoolOptions) {}

  stats(): SandboxPoolStats {
    let busy = 0;
    for (const t of this.threads) if (t.job) busy++;
    return { size: this.options.threads, threads: this.threads.size, busy, queued: this.queue.length, ...this.counts };
  }

  /**
   * Runs a job on the next free thread. Resolves with the thread's answer (a run's own failure is an
   * answer); rejects with a SandboxError when the pool stops the run (deadline, cancel, a crash).
   */
  async run(spec: JobSpec, signal?: AbortSignal): Promise<ThreadDone> {
    if (this.closed) throw new SandboxError('cancelled', 'The code sandbox is shut down');
    try {
      this.module ??= await wasmModule();
    } catch (err) {
      throw new SandboxError('internal', `The code sandbox could not load QuickJS: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (signal?.aborted) throw new SandboxError('cancelled', CANCELLED_BEFORE_START);
    if (this.closed) throw new SandboxError('cancelled', 'The code sandbox is shut down');
    return new Promise<ThreadDone>((resolve, reject) => {
      const pending: Pending = { job: { type: 'run', id: this.nextId++, ...spec }, signal, resolve, reject };
      if (signal) {
        pending.onAbort = () => this.abort(pending);
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.pump();
    });
  }

  /** Terminates every thread; the jobs still waiting or running fail as cancelled. */
  async close(): Promise<void> {
    this.closed = true;
    const error = () => new SandboxError('cancelled', 'The code sandbox was shut down before the code finished');
    for (const pending of this.queue.splice(0)) this.settle(pending, error());
    const exits: Promise<unknown>[] = [];
    for (const thread of this.threads) {
      thread.gone = true;
      if (thread.job) this.settle(thread.job, error());
      thread.job = undefined;
      thread.port.close();
      exits.push(thread.worker.terminate().catch(() => undefined));
    }
    this.threads.clear();
    await Promise.all(exits);
  }

  /** Hands waiting jobs to free threads, and starts threads (up to the size) for those still waiting. */
  private pump(): void {
    for (const thread of this.threads) {
      if (this.queue.length === 0) break;
      if (thread.ready && !thread.job) this.dispatch(thread, this.queue.shift()!);
    }
    let starting = 0;
    for (const thread of this.threads) if (!thread.ready) starting++;
    while (!this.closed && this.queue.length > starting && this.threads.size < this.options.threads) {
      if (!this.spawn()) break;
      starting++;
    }
    this.updateRefs();
  }

  /** Starts a thread; when that fails, the jobs no other thread can take fail with the reason. */
  private spawn(): boolean {
    if (!this.module) return false;
    const { port1, port2 } = new MessageChannel();
    const cancel = new SharedArrayBuffer(4);
    let worker: Worker;
    try {
      const { script, data } = threadEntry();
      const workerData: ThreadData & Record<string, unknown> = { ...data, sandboxThread: true, wasmModule: this.module, port: port2, cancel };
      worker = new Worker(script, {
        eval: typeof script === 'string',
        workerData,
        transferList: [port2],
        resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, stackSizeMb: STACK_MB },
      });
    } catch (err) {
      port1.close();
      this.failStranded(err instanceof Error ? err.message : String(err), err);
      return false;
    }
    const thread: Thread = { worker, port: port1, cancel: new Int32Array(cancel), ready: false, gone: false };
    this.threads.add(thread);
    this.counts.started++;
    port1.on('message', (message: ThreadMessage) => this.onMessage(thread, message));
    worker.on('error', (err) => {
      thread.error = err;
    });
    worker.on('exit', (code) => this.onExit(thread, code));
    return true;
  }

  private dispatch(thread: Thread, pending: Pending): void {
    thread.job = pending;
    pending.thread = thread;
    Atomics.store(thread.cancel, 0, 0);
    thread.port.postMessage(pending.job);
    pending.timer = setTimeout(() => this.overrun(thread, pending), pending.job.timeoutMs + HARD_DEADLINE_GRACE_MS);
  }

  private onMessage(thread: Thread, message: ThreadMessage): void {
    if (thread.gone) return;
    if (message.type === 'ready') {
      thread.ready = true;
    } else if (thread.job?.job.id === message.id) {
      const pending = thread.job;
      thread.job = undefined;
      this.settle(pending, message);
    }
    this.pump();
  }

  /** The run's time (or its cancel's grace) is up: unless its answer is already waiting, the thread goes. */
  private overrun(thread: Thread, pending: Pending): void {
    if (thread.job !== pending) return;
    const late = receiveMessageOnPort(thread.port);
    if (late) this.onMessage(thread, late.message as ThreadMessage);
    if (thread.job !== pending) return;
    const cancelled = pending.signal?.aborted === true;
    this.kill(thread, new SandboxError(cancelled ? 'cancelled' : 'timeout', cancelled ? CANCELLED_WHILE_RUNNING : timeoutMessage(pending.job.timeoutMs)));
  }

  private abort(pending: Pending): void {
    const thread = pending.thread;
    if (!thread) {
      const at = this.queue.indexOf(pending);
      if (at !== -1) this.queue.splice(at, 1);
      this.settle(pending, new SandboxError('cancelled', CANCELLED_BEFORE_START));
      this.updateRefs();
      return;
    }
    if (thread.job !== pending) return;
    Atomics.store(thread.cancel, 0, 1);
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => this.overrun(thread, pending), CANCEL_GRACE_MS);
  }

  /** Terminates a thread that is still running a job, answers for the job, and starts a replacement. */
  private kill(thread: Thread, error: SandboxError): void {
    this.counts.killed++;
    this.retire(thread, error);
    void thread.worker.terminate().catch(() => undefined);
    this.replace();
  }

  private onExit(thread: Thread, code: number): void {
    if (thread.gone) return;
    this.counts.crashed++;
    const wasReady = thread.ready;
    const reason = thread.error ? thread.error.message : `exit code ${code}`;
    const outOfHeap = (thread.error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    this.retire(
      thread,
      outOfHeap
        ? new SandboxError('memory', 'Code used more memory than its sandbox thread allows (the thread was stopped)', { cause: thread.error })
        : new SandboxError('internal', `The code sandbox stopped unexpectedly (${reason})`, { cause: thread.error }),
    );
    if (wasReady) {
      this.replace();
      return;
    }
    // It died while starting: a new one would too. Fail what only it could have run.
    this.failStranded(reason, thread.error);
    this.pump();
  }

  /** A thread could not start: unless another thread (ready or starting) may take them, the waiting jobs fail. */
  private failStranded(reason: string, cause: unknown): void {
    if (this.threads.size > 0) return;
    for (const pending of this.queue.splice(0)) {
      this.settle(pending, new SandboxError('internal', `The code sandbox could not start a thread (${reason})`, { cause }));
    }
  }

  /** Forgets a thread, failing its job with `error`. */
  private retire(thread: Thread, error: SandboxError): void {
    thread.gone = true;
    this.threads.delete(thread);
    thread.port.close();
    const pending = thread.job;
    thread.job = undefined;
    if (pending) this.settle(pending, error);
  }

  /** Starts a thread in place of one that is gone, so the next run does not wait for it to start. */
  private replace(): void {
    if (!this.closed && this.threads.size < this.options.threads) this.spawn();
    this.pump();
  }

  private settle(pending: Pending, outcome: ThreadDone | SandboxError): void {
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    pending.thread = undefined;
    if (outcome instanceof SandboxError) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  /** A thread keeps the process alive only while it has work: its job, or jobs waiting for it to start. */
  private updateRefs(): void {
    for (const thread of this.threads) {
      if (thread.job || (!thread.ready && this.queue.length > 0)) {
        thread.worker.ref();
        thread.port.ref();
      } else {
        thread.worker.unref();
        thread.port.unref();
      }
    }
  }
}
