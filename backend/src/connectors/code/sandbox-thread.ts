/**
 * A sandbox thread (started by ./sandbox-pool.ts, one run at a time): runs a user's JavaScript
 * function body in QuickJS compiled to WebAssembly. No host object crosses into the sandbox (the
 * input goes in as a JSON string, the result comes out as one), and the only host functions the
 * code can reach are the console methods, which read only primitives on the host (this thread).
 *
 * Each run gets a fresh QuickJS runtime and context, in one of a few WASM instances the thread keeps
 * (one run at a time each), because the limits QuickJS offers are not enough on their own in this
 * build:
 *
 * - Memory: `setMemoryLimit` only refuses a single allocation larger than the limit; it never adds
 *   up what a runtime holds (quickjs-emscripten#271: malloc_usable_size is 0 under Emscripten), so
 *   a loop of 1 MB strings would grow the module's linear memory to its 2 GB ceiling, and linear
 *   memory never shrinks. The hard limit is the instance's WebAssembly.Memory, created with
 *   `maximum` = the 16 MB the module needs + the run's limit, with that first 16 MB's free heap
 *   pinned so that every allocation of a run comes out of the limit. An instance only ever holds
 *   one runtime, and is dropped after a run that left it large.
 * - Stack: WASM frames live on V8's stack, so deep native recursion in QuickJS (the parser, JSON,
 *   Array.prototype.join) can exhaust V8's stack before QuickJS's own stack check trips. V8 then
 *   throws a RangeError through the WASM frames, which leaves that instance's state undefined: the
 *   run fails as a stack overflow and the instance is dropped, not reused. (Should V8 fail in a way
 *   that cannot be caught, only this thread dies: the host answers for it and starts another.)
 * - Time: the interrupt handler is polled every ~10,000 bytecode steps, not inside native calls, so
 *   this deadline is exact for ordinary code but a loop of heavy native calls (`new Array(1e6).fill(0)`
 *   in a loop) can run well past it. That is why the run is in a thread: the host terminates the
 *   thread when the run overruns its deadline (see ./sandbox-pool.ts), and the host's event loop
 *   never waits for the code. A cancel reaches the run through a shared flag the interrupt handler
 *   reads, or by the host terminating the thread.
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, workerData } from 'node:worker_threads';
import { newQuickJSWASMModule, newVariant, RELEASE_SYNC, Scope, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten';
import {
  CANCELLED_WHILE_RUNNING,
  MAX_LOG_LINE_CHARS,
  MAX_LOG_LINES,
  SandboxError,
  timeoutMessage,
  type SandboxErrorKind,
  type SandboxStats,
  type ThreadData,
  type ThreadDone,
  type ThreadError,
  type ThreadJob,
  type ThreadMessage,
} from './sandbox-shared.js';

/** The file name QuickJS puts in stack traces for the user's code (`at f (code.js:3:7)`). */
const FILENAME = 'code.js';
/** The first frame in the user's code in a QuickJS stack trace: `code.js:<line>:<column>`. */
const FRAME = /\bcode\.js:(\d+):(\d+)/;
/** The wrapper's first line (`(async function (input) {`) comes before the user's line 1. */
const LINE_OFFSET = 1;
/** QuickJS's stack limit. Larger limits let native recursion exhaust V8's stack first (see above). */
const MAX_STACK_BYTES = 256 * 1024;
/** Promise jobs run per batch; between batches the run checks its deadline and the cancel flag. */
const JOB_BATCH = 1000;

const WASM_PAGE_BYTES = 64 * 1024;
/** The module's declared minimum memory (16 MB: static data, a 5 MB C stack and the initial heap). */
const INITIAL_PAGES = 256;
/** An idle instance is kept only if its linear memory stayed under this; larger ones are left to the GC. */
const RETAIN_BYTES = 32 * 1024 * 1024;
/** Per thread, which runs one job at a time: room for a second memory limit besides the default one. */
const MAX_IDLE_INSTANCES = 2;
/** The input schema's default limit: a new thread makes an instance for it before saying it is ready. */
const DEFAULT_MEMORY_MB = 64;
/** Left free below the 16 MB mark when pinning the initial heap, for the allocator's own use. */
const PIN_MARGIN_BYTES = 64 * 1024;

/** The WebAssembly API used here: the backend's TypeScript libs (ES2023, node) do not declare it. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type WasmModule = object;
const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (limits: { initial: number; maximum: number }) => WasmMemory } }).WebAssembly;

interface Instance {
  qjs: QuickJSWASMModule;
  memory: WasmMemory;
  memoryMb: number;
  maxBytes: number;
}

const idle = new Map<number, Instance[]>();

async function newInstance(wasmModule: WasmModule, memoryMb: number): Promise<Instance> {
  const maxPages = INITIAL_PAGES + Math.ceil((memoryMb * 1024 * 1024) / WASM_PAGE_BYTES);
  const memory = new wasm.Memory({ initial: INITIAL_PAGES, maximum: maxPages });
  const qjs = await newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmModule, wasmMemory: memory }));
  pinInitialHeap(qjs, memory);
  return { qjs, memory, memoryMb, maxBytes: maxPages * WASM_PAGE_BYTES };
}

/**
 * Allocates (and never frees) the free heap inside the module's first 16 MB, so that what a run
 * allocates has to come from growing the memory, which `maximum` bounds: without it a run could use
 * ~11 MB more than its limit. The Emscripten module's malloc is not public API; without it the
 * limit is only that much looser.
 */
function pinInitialHeap(qjs: QuickJSWASMModule, memory: WasmMemory): void {
  const em = (qjs as unknown as { module?: { _malloc?(n: number): number; _free?(p: number): void } }).module;
  if (typeof em?._malloc !== 'function' || typeof em._free !== 'function') return;
  const probe = em._malloc(16);
  em._free(probe);
  const free = memory.buffer.byteLength - probe - PIN_MARGIN_BYTES;
  if (probe > 0 && free > 0) em._malloc(free);
}

async function acquire(wasmModule: WasmModule, memoryMb: number): Promise<Instance> {
  return idle.get(memoryMb)?.pop() ?? newInstance(wasmModule, memoryMb);
}

function release(instance: Instance, reusable: boolean): void {
  if (!reusable || instance.memory.buffer.byteLength > RETAIN_BYTES) return;
  let count = 0;
  for (const list of idle.values()) count += list.length;
  if (count >= MAX_IDLE_INSTANCES) return;
  const list = idle.get(instance.memoryMb) ?? [];
  list.push(instance);
  idle.set(instance.memoryMb, list);
}

/**
 * The console formatter for values the host does not format itself (objects, functions, symbols,
 * bigints, `%` format strings): compiled in the sandbox on the first such console call of a run,
 * so runs that log only text do not pay for compiling it. Formats like Node's console, with
 * objects as JSON.
 */
const FORMATTER = `(function () {
  'use strict';
  const stringify = JSON.stringify;
  const toText = String;
  function json(value) {
    try {
      const text = stringify(value);
      return text === undefined ? 'undefined' : text;
    } catch (_) {
      const seen = new WeakSet();
      return stringify(value, (_key, v) => {
        if (typeof v === 'bigint') return v + 'n';
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[Circular]';
          seen.add(v);
        }
        return v;
      });
    }
  }
  function show(v) {
    switch (typeof v) {
      case 'string': return v;
      case 'bigint': return v + 'n';
      case 'symbol': return v.toString();
      case 'function': return v.name ? '[Function: ' + v.name + ']' : '[Function (anonymous)]';
      case 'object':
        if (v === null) return 'null';
        if (v instanceof Error) return v.name + ': ' + v.message;
        return json(v);
      default: return toText(v);
    }
  }
  return (...args) => {
    const parts = [];
    let i = 0;
    if (typeof args[0] === 'string') {
      i = 1;
      parts.push(args.length < 2 ? args[0] : args[0].replace(/%[sdifjoOc%]/g, (m) => {
        if (m === '%%') return '%';
        if (i >= args.length) return m;
        const a = args[i++];
        switch (m) {
          case '%s': return show(a);
          case '%d': return typeof a === 'bigint' ? a + 'n' : typeof a === 'symbol' ? 'NaN' : toText(Number(a));
          case '%i': return typeof a === 'bigint' ? a + 'n' : typeof a === 'symbol' ? 'NaN' : toText(parseInt(a));
          case '%f': return typeof a === 'symbol' ? 'NaN' : toText(parseFloat(a));
          case '%j': return json(a);
          case '%c': return '';
          default: return show(a);
        }
      }));
    }
    for (; i < args.length; i++) parts.push(show(args[i]));
    return parts.join(' ');
  };
})()`;

/**
 * Reads a thrown value as `{ name, message, stack }` JSON, inside the sandbox (a getter or a proxy
 * runs under the run's limits, not on the host). Compiled only when a run fails; it is handed the
 * JSON.stringify and Error the context started with, in case the code replaced the globals.
 */
const DESCRIBE = `(function (e, stringify, ErrorType) {
  'use strict';
  let name = 'Error';
  let message;
  let stack = '';
  try {
    if (e instanceof ErrorType) {
      if (typeof e.name === 'string' && e.name) name = e.name;
      message = String(e.message);
      if (typeof e.stack === 'string') stack = e.stack;
    } else if (typeof e === 'string') {
      message = e;
    } else {
      try {
        message = stringify(e);
      } catch (_) {}
      if (typeof message !== 'string') message = String(e);
    }
  } catch (_) {
    message = 'the code threw a value that could not be read';
  }
  return stringify({ name, message, stack });
})`;

const CONSOLE_LEVELS = ['log', 'info', 'debug', 'warn', 'error'] as const;
/** Node writes warn and error to stderr; here all lines share one list, so those two say what they were. */
const LEVEL_PREFIX: Record<(typeof CONSOLE_LEVELS)[number], string> = { log: '', info: '', debug: '', warn: '[warn] ', error: '[error] ' };

interface ErrorInfo {
  name: string;
  message: string;
  stack: string;
}

/** What a run captures from a context before the user's code can replace any global. */
interface Builtins {
  parse: QuickJSHandle;
  stringify: QuickJSHandle;
  errorType: QuickJSHandle;
}

/** One run: its limits, its console lines, and why it was interrupted (if it was). */
class Run {
  private readonly logs: string[] = [];
  private dropped = 0;
  private interrupted: 'timeout' | 'cancelled' | undefined;
  private formatter: QuickJSHandle | undefined;
  private readonly deadline: number;
  private readonly userLines: number;

  constructor(
    private readonly instance: Instance,
    private readonly opts: ThreadJob,
    /** Whether the host asked to cancel the run (read at each interrupt poll and job batch). */
    private readonly cancelRequested: () => boolean,
  ) {
    this.deadline = performance.now() + opts.timeoutMs;
    this.userLines = opts.code.split('\n').length;
  }

  /** The console lines with the marker for those past the cap. */
  allLogs(): string[] {
    return this.dropped > 0 ? [...this.logs, `… ${this.dropped} more lines dropped`] : [...this.logs];
  }

  fail(kind: SandboxErrorKind, message: string, at?: { line?: number; column?: number }, cause?: unknown): SandboxError {
    return new SandboxError(kind, message, { logs: this.allLogs(), line: at?.line, column: at?.column, cause });
  }

  private limitError(): SandboxError {
    return this.interrupted === 'cancelled' ? this.fail('cancelled', CANCELLED_WHILE_RUNNING) : this.fail('timeout', timeoutMessage(this.opts.timeoutMs));
  }

  private checkLimits(): void {
    if (this.interrupted) return;
    if (this.cancelRequested()) this.interrupted = 'cancelled';
    else if (performance.now() > this.deadline) this.interrupted = 'timeout';
  }

  /** Runs the code; every QuickJS handle lives in `scope`, disposed by the caller unless the instance broke. */
  execute(scope: Scope): ThreadDone & { ok: true } {
    const vm = scope.manage(this.instance.qjs.newContext());
    const rt = vm.runtime;
    rt.setMemoryLimit(this.opts.memoryMb * 1024 * 1024);
    rt.setMaxStackSize(MAX_STACK_BYTES);
    rt.setInterruptHandler(() => {
      this.checkLimits();
      return this.interrupted !== undefined;
    });

    const json = scope.manage(vm.getProp(vm.global, 'JSON'));
    const builtins: Builtins = {
      parse: scope.manage(vm.getProp(json, 'parse')),
      stringify: scope.manage(vm.getProp(json, 'stringify')),
      errorType: scope.manage(vm.getProp(vm.global, 'Error')),
    };
    const consoleObject = scope.manage(vm.newObject());
    for (const level of CONSOLE_LEVELS) {
      const method = scope.manage(vm.newFunction(level, (...args) => this.log(vm, scope, level, args)));
      vm.setProp(consoleObject, level, method);
    }
    vm.defineProp(vm.global, 'console', { value: consoleObject, configurable: true, enumerable: false });

    // The function body on its own lines, so a trailing `// comment` cannot swallow the closing brace.
    const wrapped = vm.evalCode(`(async function (input) {\n${this.opts.code}\n})`, FILENAME, { type: 'global' });
    if (wrapped.error) throw this.codeError(vm, builtins, scope.manage(wrapped.error), 'syntax');
    const fn = scope.manage(wrapped.value);
    if (vm.typeof(fn) !== 'function') throw this.fail('syntax', 'SyntaxError: the code is not a function body (check its braces)');

    let inputHandle: QuickJSHandle = vm.undefined;
    if (this.opts.inputFailure) throw this.fail(this.opts.inputFailure.kind, this.opts.inputFailure.message);
    if (this.opts.inputJson !== undefined) {
      const text = scope.manage(vm.newString(this.opts.inputJson));
      // Copied into QuickJS: the thread's heap need not hold it for the rest of the run.
      this.opts.inputJson = undefined;
      const parsed = vm.callFunction(builtins.parse, vm.undefined, text);
      if (parsed.error) throw this.codeError(vm, builtins, scope.manage(parsed.error), 'input');
      inputHandle = scope.manage(parsed.value);
    }

    const called = vm.callFunction(fn, vm.undefined, inputHandle);
    if (called.error) throw this.codeError(vm, builtins, scope.manage(called.error), 'runtime');
    const value = this.settle(vm, builtins, scope.manage(called.value), scope);

    let resultJson: string | undefined;
    if (vm.typeof(value) !== 'undefined') {
      const serialized = vm.callFunction(builtins.stringify, vm.undefined, value);
      if (serialized.error) {
        if (this.interrupted) throw this.limitError();
        const info = this.describe(vm, builtins, scope.manage(serialized.error));
        throw this.limitFailure(info) ?? this.fail('result', `The returned value is not JSON: ${info.message}`);
      }
      const text = scope.manage(serialized.value);
      // JSON.stringify answers undefined for a function or a symbol.
      if (vm.typeof(text) !== 'string') throw this.fail('result', `The returned value is not JSON: the code returned a ${vm.typeof(value)}`);
      resultJson = vm.getString(text);
    }

    let stats: SandboxStats | undefined;
    if (this.opts.stats) {
      const usage = scope.manage(rt.computeMemoryUsage());
      const memoryBytes = vm.getNumber(scope.manage(vm.getProp(usage, 'memory_used_size')));
      stats = { memoryBytes, wasmMemoryBytes: this.instance.memory.buffer.byteLength };
    }
    return { type: 'done', id: this.opts.id, ok: true, resultJson, logs: this.allLogs(), ...(stats ? { stats } : {}) };
  }

  /**
   * A console call. Text, numbers, booleans and undefined are formatted here; anything else goes
   * through FORMATTER in the sandbox, so no object is read from the host. Past the line cap a call
   * is only counted.
   */
  private log(vm: QuickJSContext, scope: Scope, level: (typeof CONSOLE_LEVELS)[number], args: QuickJSHandle[]): void {
    if (this.logs.length >= MAX_LOG_LINES) {
      this.dropped++;
      return;
    }
    let text = this.formatPlain(vm, args) ?? this.formatInSandbox(vm, scope, args);
    if (text.length > MAX_LOG_LINE_CHARS) text = `${text.slice(0, MAX_LOG_LINE_CHARS)}… (${text.length - MAX_LOG_LINE_CHARS} more characters)`;
    this.logs.push(LEVEL_PREFIX[level] + text);
  }

  private formatPlain(vm: QuickJSContext, args: QuickJSHandle[]): string | undefined {
    const parts: string[] = [];
    for (const arg of args) {
      const type = vm.typeof(arg);
      if (type === 'string') {
        const text = vm.getString(arg);
        // A format string (`%s`) with arguments to put in it: the sandbox's formatter does that.
        if (parts.length === 0 && args.length > 1 && text.includes('%')) return undefined;
        parts.push(text);
      } else if (type === 'number') {
        const n = vm.getNumber(arg);
        parts.push(Object.is(n, -0) ? '-0' : String(n));
      } else if (type === 'boolean') {
        parts.push(String(vm.dump(arg)));
      } else if (type === 'undefined') {
        parts.push('undefined');
      } else {
        return undefined;
      }
    }
    return parts.join(' ');
  }

  private formatInSandbox(vm: QuickJSContext, scope: Scope, args: QuickJSHandle[]): string {
    const unprintable = '[unprintable value]';
    if (!this.formatter) {
      const compiled = vm.evalCode(FORMATTER, 'console.js', { type: 'global', strict: true });
      if (compiled.error) {
        compiled.error.dispose();
        return unprintable;
      }
      this.formatter = scope.manage(compiled.value);
    }
    const formatted = vm.callFunction(this.formatter, vm.undefined, ...args);
    if (formatted.error) {
      // Also an interrupt: the handler keeps answering true, so the code stops at its next poll.
      formatted.error.dispose();
      return unprintable;
    }
    return formatted.value.consume((h) => (vm.typeof(h) === 'string' ? vm.getString(h) : unprintable));
  }

  /**
   * Runs promise jobs until the returned promise settles. Nothing in the sandbox waits on the host
   * (no timers, no I/O), so a promise still pending once the job queue is empty never settles.
   * Between batches the run checks its deadline and the cancel flag (the thread has nothing else to
   * do, so it does not yield: the host's event loop is not this one).
   */
  private settle(vm: QuickJSContext, builtins: Builtins, promise: QuickJSHandle, scope: Scope): QuickJSHandle {
    const rt = vm.runtime;
    for (;;) {
      const state = vm.getPromiseState(promise);
      if (state.type === 'fulfilled') return state.notAPromise ? state.value : scope.manage(state.value);
      if (state.type === 'rejected') throw this.codeError(vm, builtins, scope.manage(state.error), 'runtime');
      if (this.interrupted) throw this.limitError();
      if (!rt.hasPendingJob()) {
        throw this.fail('runtime', 'The code awaited a promise that never settles (the sandbox has no timers or I/O to settle it)');
      }
      const jobs = rt.executePendingJobs(JOB_BATCH);
      // A job's own exception (not the returned promise's) is only an interrupt or a failure inside
      // QuickJS; the promise's state, checked next, says how the code ended.
      if (jobs.error) jobs.error.dispose();
      this.checkLimits();
    }
  }

  private describe(vm: QuickJSContext, builtins: Builtins, error: QuickJSHandle): ErrorInfo {
    const unreadable: ErrorInfo = { name: 'Error', message: 'the code failed with an error that could not be read', stack: '' };
    const compiled = vm.evalCode(DESCRIBE, 'describe.js', { type: 'global', strict: true });
    if (compiled.error) {
      compiled.error.dispose();
      return unreadable;
    }
    const described = compiled.value.consume((describe) => vm.callFunction(describe, vm.undefined, error, builtins.stringify, builtins.errorType));
    if (described.error) {
      described.error.dispose();
      return unreadable;
    }
    const text = described.value.consume((h) => (vm.typeof(h) === 'string' ? vm.getString(h) : ''));
    try {
      const info = JSON.parse(text) as Partial<ErrorInfo>;
      return { name: String(info.name ?? 'Error'), message: String(info.message ?? ''), stack: String(info.stack ?? '') };
    } catch {
      return unreadable;
    }
  }

  /** Where in the user's code an error points: the first frame in the code's file, less the wrapper's line. */
  private position(stack: string): { line?: number; column?: number; text: string } {
    const match = FRAME.exec(stack);
    if (!match) return { text: '' };
    const line = Number(match[1]) - LINE_OFFSET;
    const column = Number(match[2]);
    if (line > this.userLines) return { text: ' (at the end of the code)' };
    if (line < 1) return { text: '' };
    return { line, column, text: ` (line ${line}, column ${column})` };
  }

  /** Whether the instance's memory has grown to (nearly) its maximum: growth goes in steps of ~5%. */
  private nearMemoryCap(): boolean {
    return this.instance.memory.buffer.byteLength >= this.instance.maxBytes * 0.9;
  }

  /**
   * The limit an error shows QuickJS hit, if any: its own messages for memory and stack; a bare null,
   * which is what QuickJS is left with when it runs out of memory while throwing "out of memory"; an
   * interrupt this run did not ask for, which is quickjs-emscripten answering for an interrupt
   * handler that V8 could not call (its stack was exhausted by the recursion in the WASM).
   */
  private limitFailure(info: ErrorInfo): SandboxError | undefined {
    const at = this.position(info.stack);
    const internal = info.name === 'InternalError';
    if ((internal && info.message === 'out of memory') || (info.message === 'null' && !info.stack && this.nearMemoryCap())) {
      return this.fail('memory', `Code used more than the ${this.opts.memoryMb} MB memory limit${at.text}`, at);
    }
    if (info.message === 'stack overflow' || /maximum call stack/i.test(info.message) || (internal && info.message === 'interrupted')) {
      return this.fail('stack', `Code recursed too deeply (stack overflow)${at.text}`, at);
    }
    return undefined;
  }

  private codeError(vm: QuickJSContext, builtins: Builtins, error: QuickJSHandle, kind: SandboxErrorKind): SandboxError {
    // An interrupt unwinds whatever ran: the reason is ours, not in the error (and no more code runs).
    if (this.interrupted) return this.limitError();
    const info = this.describe(vm, builtins, error);
    const limit = this.limitFailure(info);
    if (limit) return limit;
    const at = this.position(info.stack);
    const prefix = kind === 'input' ? 'The input could not be read: ' : '';
    return this.fail(kind, `${prefix}${info.name}: ${info.message}${at.text}`, at);
  }
}


function toThreadError(err: SandboxError): ThreadError {
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return { kind: err.kind, message: err.message, logs: err.logs, line: err.line, column: err.column, ...(cause !== undefined ? { cause } : {}) };
}

/**
 * Runs one job as the body of `async function (input) { … }` in a fresh QuickJS runtime and context,
 * with `timeoutMs` and `memoryMb` as limits. Answers with the returned value as JSON and the console
 * lines, or with the SandboxError that says what went wrong and where; then frees the run's runtime
 * (after answering: the caller need not wait for that).
 */
export async function runJob(wasmModule: WasmModule, job: ThreadJob, cancelRequested: () => boolean, answer: (done: ThreadDone) => void): Promise<void> {
  const instance = await acquire(wasmModule, job.memoryMb);
  const run = new Run(instance, job, cancelRequested);
  const scope = new Scope();
  let healthy = true;
  try {
    answer(run.execute(scope));
  } catch (err) {
    let failure: SandboxError;
    if (err instanceof SandboxError) {
      // QuickJS recovers from its own stack overflow, but it was close to V8's limit: start afresh.
      if (err.kind === 'stack') healthy = false;
      failure = err;
    } else {
      // Anything else was thrown on the host side of the WASM boundary (V8's stack limit, an
      // Emscripten abort): the instance's state is unknown, so it is dropped without being touched.
      healthy = false;
      failure =
        err instanceof RangeError && /call stack/i.test(err.message)
          ? run.fail('stack', 'Code recursed too deeply (stack overflow)', undefined, err)
          : run.fail('internal', `The code sandbox failed: ${err instanceof Error ? err.message : String(err)}`, undefined, err);
    }
    answer({ type: 'done', id: job.id, ok: false, error: toThreadError(failure) });
  } finally {
    if (healthy) {
      try {
        scope.dispose();
      } catch {
        healthy = false;
      }
    }
    release(instance, healthy);
  }
}

/** The thread's life: make an instance for the default limit, say `ready`, then answer each job in turn. */
function serve(data: ThreadData): void {
  const { port, wasmModule } = data;
  const cancel = new Int32Array(data.cancel);
  const cancelRequested = () => Atomics.load(cancel, 0) !== 0;
  const post = (message: ThreadMessage) => port.postMessage(message);
  // The host sends a job only after the previous one's answer; the chain keeps them in order regardless.
  let turn: Promise<unknown> = newInstance(wasmModule, DEFAULT_MEMORY_MB).then((instance) => {
    release(instance, true);
    post({ type: 'ready' });
  });
  // Without QuickJS the thread is of no use: fail it, and the host answers for it.
  turn.catch((err: unknown) =>
    setImmediate(() => {
      throw err;
    }),
  );
  port.on('message', (job: ThreadJob) => {
    turn = turn.then(async () => {
      let answered = false;
      const answer = (done: ThreadDone) => {
        answered = true;
        post(done);
      };
      try {
        await runJob(wasmModule, job, cancelRequested, answer);
      } catch (err) {
        if (!answered) answer({ type: 'done', id: job.id, ok: false, error: { kind: 'internal', message: `The code sandbox failed: ${err instanceof Error ? err.message : String(err)}`, logs: [] } });
      }
    });
  });
}

export function isThreadData(data: unknown): data is ThreadData {
  return typeof data === 'object' && data !== null && (data as Partial<ThreadData>).sandboxThread === true;
}

if (!isMainThread && isThreadData(workerData)) serve(workerData);
