import { renderValue } from '../../engine/templates.js';
import { ConnectorError } from '../sdk.js';
import { describeConnector, findAction } from '../testing.js';
import { code, javascriptInput } from './index.js';
import { closeSandboxPool, configureSandboxPool, MAX_LOG_LINE_CHARS, runInSandbox, SandboxError, sandboxPoolStats } from './sandbox.js';

/** Runs `work` while a 10 ms interval ticks on this thread: how long it took, and the longest gap between ticks. */
async function measureTicks<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const interval = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    const value = await work();
    const ms = performance.now() - started;
    maxGapMs = Math.max(maxGapMs, performance.now() - last);
    return { value, ms, maxGapMs };
  } finally {
    clearInterval(interval);
  }
}

/** The SandboxError a run fails with. */
async function sandboxFailure(run: Promise<unknown>): Promise<SandboxError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof SandboxError) return err;
    throw err;
  }
  throw new Error('expected the run to fail');
}

/** Synchronous code that keeps its thread for `ms` (QuickJS has Date.now), then returns `input`. */
const busyFor = (ms: number) => `const end = Date.now() + ${ms};\nwhile (Date.now() < end) {}\nreturn input;`;
/** A loop of native calls: QuickJS polls its deadline every ~10,000 bytecode steps, never inside fill(). */
const NATIVE_LOOP = 'for (;;) new Array(1e6).fill(1);';

describeConnector(code, ({ run, fail }) => {
  const js = (source: string, extra: Record<string, unknown> = {}) => run('javascript', { input: { code: source, ...extra } });
  const jsFails = async (source: string, extra: Record<string, unknown> = {}) => {
    const err = await fail('javascript', { input: { code: source, ...extra } });
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.retryable).toBe(false);
    return err;
  };
  /** After a failure the sandbox must still work, from a fresh context. */
  const stillWorks = async () => {
    await expect(js('return [1, 2, 3].map((n) => n * 2)')).resolves.toEqual({ result: [2, 4, 6], logs: [] });
  };

  describe('results', () => {
    it('runs the sample: sums the order lines and logs', async () => {
      await expect(run('javascript')).resolves.toEqual({ result: { orderId: 'A-1001', lines: 2, total: 21 }, logs: ['order A-1001: 2 lines'] });
    });

    it('transforms an object into another', async () => {
      const source = [
        'const byCountry = {};',
        'for (const c of input.customers) (byCountry[c.country] ??= []).push(c.name.toUpperCase());',
        'return { countries: Object.keys(byCountry).sort(), byCountry, at: new Date(0).toISOString() };',
      ].join('\n');
      const input = { customers: [{ name: 'ada', country: 'UK' }, { name: 'linus', country: 'FI' }, { name: 'alan', country: 'UK' }] };
      await expect(js(source, { input })).resolves.toEqual({
        result: { countries: ['FI', 'UK'], byCountry: { UK: ['ADA', 'ALAN'], FI: ['LINUS'] }, at: '1970-01-01T00:00:00.000Z' },
        logs: [],
      });
    });

    it('sees the step input with its templates rendered, a nested object keeping its type', async () => {
      const context = { customer: { name: 'Ada' }, steps: { fetch: { body: { items: [{ id: 1, price: 2.5 }, { id: 2, price: 4 }] } } } };
      const stepInput = renderValue({ code: 'return { who: input.greeting, total: input.order.items.reduce((s, i) => s + i.price, 0) };', input: { greeting: 'Hi {{customer.name}}', order: '{{steps.fetch.body}}' } }, context);
      expect(stepInput).toMatchObject({ input: { order: { items: [{ id: 1, price: 2.5 }, { id: 2, price: 4 }] } } });
      await expect(run('javascript', { input: stepInput })).resolves.toEqual({ result: { who: 'Hi Ada', total: 6.5 }, logs: [] });
    });

    it('awaits promises and async functions', async () => {
      const source = [
        'const double = async (n) => { await null; return n * 2; };',
        'const values = await Promise.all(input.map(double));',
        'const last = await new Promise((resolve) => resolve(values.at(-1)));',
        'return { values, last };',
      ].join('\n');
      await expect(js(source, { input: [1, 2, 3] })).resolves.toEqual({ result: { values: [2, 4, 6], last: 6 }, logs: [] });
    });

    it('turns undefined into null, and an absent input stays undefined', async () => {
      await expect(js('const x = 1;')).resolves.toEqual({ result: null, logs: [] });
      await expect(js('return typeof input;')).resolves.toEqual({ result: 'undefined', logs: [] });
      await expect(js('return input;', { input: 'text' })).resolves.toEqual({ result: 'text', logs: [] });
    });

    it('refuses a result that is not JSON', async () => {
      expect((await jsFails('return () => 1;')).message).toBe('The returned value is not JSON: the code returned a function');
      expect((await jsFails('const a = { name: "a" };\na.self = a;\nreturn a;')).message).toBe('The returned value is not JSON: circular reference');
      expect((await jsFails('return { big: 10n };')).message).toBe('The returned value is not JSON: Do not know how to serialize a BigInt');
    });

    it('runs each step in a fresh context', async () => {
      await expect(js('globalThis.leak = 42; return leak;')).resolves.toEqual({ result: 42, logs: [] });
      await expect(js('return typeof leak;')).resolves.toEqual({ result: 'undefined', logs: [] });
    });

    it('keeps concurrent runs apart', async () => {
      const runs = [1, 2, 3, 4, 5].map((n) => js('console.log("run", input); await null; return input * 10;', { input: n }));
      await expect(Promise.all(runs)).resolves.toEqual([1, 2, 3, 4, 5].map((n) => ({ result: n * 10, logs: [`run ${n}`] })));
    });
  });

  describe('console', () => {
    it('captures each level, formatted like Node with objects as JSON', async () => {
      const source = [
        'console.log("total", 3, { a: [1, "x"], b: null }, [true], undefined, null);',
        'console.info("%s has %d items (%j)", "cart", "7", { ok: true });',
        'console.debug(10n, Symbol("s"), function named() {}, () => 1);',
        'console.warn(new RangeError("too far"));',
        'const loop = { id: 1 }; loop.self = loop;',
        'console.error("cyclic", loop);',
        'console.log();',
        'return 1;',
      ].join('\n');
      await expect(js(source)).resolves.toEqual({
        result: 1,
        logs: [
          'total 3 {"a":[1,"x"],"b":null} [true] undefined null',
          'cart has 7 items ({"ok":true})',
          '10n Symbol(s) [Function: named] [Function (anonymous)]',
          '[warn] RangeError: too far',
          '[error] cyclic {"id":1,"self":"[Circular]"}',
          '',
        ],
      });
    });

    it('keeps 200 lines of at most 10 KB each, then says how many were dropped', async () => {
      const out = (await js('console.log("x".repeat(20000));\nfor (let i = 1; i < 250; i++) console.log("line", i);\nreturn "done";')) as { logs: string[] };
      expect(out.logs).toHaveLength(201);
      expect(out.logs[0]).toBe(`${'x'.repeat(MAX_LOG_LINE_CHARS)}… (${20000 - MAX_LOG_LINE_CHARS} more characters)`);
      expect(out.logs[199]).toBe('line 199');
      expect(out.logs[200]).toBe('… 50 more lines dropped');
    });

    it('reports the lines written before a failure', async () => {
      const err = await jsFails('console.log("before");\nthrow new Error("after");');
      expect(err.details).toMatchObject({ kind: 'runtime', line: 2, logs: ['before'] });
    });
  });

  describe('errors point into the user code', () => {
    it('gives a syntax error its line', async () => {
      const err = await jsFails('const a = 1;\nconst b = ;\nreturn a;');
      expect(err.message).toBe("SyntaxError: unexpected token in expression: ';' (line 2, column 11)");
      expect(err.details).toMatchObject({ kind: 'syntax', line: 2, column: 11 });
      expect((await jsFails('if (input) {\n  return 1;\n')).message).toMatch(/^SyntaxError: .* \(at the end of the code\)$/);
    });

    it('gives a runtime error the line and column where it was thrown', async () => {
      expect((await jsFails('const a = 1;\nconst b = a + 1;\nthrow new TypeError(`bad ${b}`);')).message).toBe('TypeError: bad 2 (line 3, column 20)');
      expect((await jsFails('const rows = input;\nreturn rows.map((r) => r.name.trim());', { input: [{ name: ' a ' }, {}] })).message).toBe(
        "TypeError: cannot read property 'trim' of undefined (line 2, column 30)",
      );
      expect((await jsFails('await null;\n\nfunction check(n) {\n  if (n > 1) throw new RangeError("n too big");\n}\ncheck(2);')).message).toBe(
        'RangeError: n too big (line 4, column 34)',
      );
    });

    it('describes a thrown value that is not an Error', async () => {
      expect((await jsFails('throw "plain text";')).message).toBe('Error: plain text');
      expect((await jsFails('throw { code: 7 };')).message).toBe('Error: {"code":7}');
    });

    it('reports a promise that can never settle', async () => {
      expect((await jsFails('await new Promise(() => {});')).message).toMatch(/never settles/);
    });
  });

  describe('escape attempts end as step errors, and the next run works', () => {
    it('has no process, require, fetch or timers', async () => {
      expect((await jsFails("return this.constructor.constructor('return process')();")).message).toMatch(/^ReferenceError: 'process' is not defined \(line 1, column \d+\)$/);
      await stillWorks();
      expect((await jsFails("return globalThis.require('child_process');")).message).toMatch(/^TypeError: not a function \(line 1, column \d+\)$/);
      await stillWorks();
      await expect(js('return [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof module, typeof std, typeof os];')).resolves.toEqual({
        result: Array(7).fill('undefined'),
        logs: [],
      });
    });

    it('cannot import modules', async () => {
      expect((await jsFails("return await import('fs');")).message).toBe("ReferenceError: could not load module 'fs'");
      await stillWorks();
    });

    it('keeps prototype pollution inside the run', async () => {
      await expect(js('Object.prototype.polluted = 1; Array.prototype.map = null; return ({}).polluted;')).resolves.toEqual({ result: 1, logs: [] });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(typeof [].map).toBe('function');
      await expect(js('return [({}).polluted, typeof [].map];')).resolves.toEqual({ result: [null, 'function'], logs: [] });
      await stillWorks();
    });

    it('stops an endless loop at the timeout (within timeout + 500 ms)', async () => {
      let started = Date.now();
      expect((await jsFails('while (true) {}', { timeoutMs: 300 })).message).toBe('Code ran longer than 300 ms (stopped)');
      expect(Date.now() - started).toBeLessThan(800);
      started = Date.now();
      expect((await jsFails('for (;;) await null;', { timeoutMs: 300 })).message).toBe('Code ran longer than 300 ms (stopped)');
      expect(Date.now() - started).toBeLessThan(800);
      await stillWorks();
    });

    it('stops code that allocates without bound at the memory limit', async () => {
      const started = Date.now();
      expect((await jsFails('let a = [];\nwhile (true) a.push(new Array(1e6).fill(1));')).message).toMatch(/^Code used more than the 64 MB memory limit \(line 2, column \d+\)$/);
      await stillWorks();
      // QuickJS's own limit only refuses single allocations: these many small ones are what the hard cap is for.
      expect((await jsFails('const keep = [];\nfor (;;) keep.push("x".repeat(1e6) + keep.length);', { memoryMb: 16 })).message).toMatch(/^Code used more than the 16 MB memory limit/);
      expect((await jsFails('const keep = [];\nfor (;;) keep.push(new Uint8Array(1 << 20));', { memoryMb: 16 })).message).toMatch(/^Code used more than the 16 MB memory limit/);
      // Out of memory while throwing "out of memory": QuickJS is left with null, still a memory error.
      expect((await jsFails('let a = [];\nfor (;;) a = [a];')).message).toMatch(/^Code used more than the 64 MB memory limit/);
      expect((await jsFails("return 'x'.repeat(2 ** 27).length;")).message).toMatch(/^Code used more than the 64 MB memory limit/);
      expect((await jsFails("return 'x'.repeat(2 ** 30).length;")).message).toMatch(/^RangeError: invalid string length \(line 1, column \d+\)$/);
      expect(Date.now() - started).toBeLessThan(5000);
      await stillWorks();
      // A run may use close to its limit.
      await expect(js('const keep = [];\nfor (let i = 0; i < 10; i++) keep.push("x".repeat(1e6) + i);\nreturn keep.length;', { memoryMb: 16 })).resolves.toEqual({ result: 10, logs: [] });
    });

    it('ends endless recursion as a stack overflow', async () => {
      expect((await jsFails('function f(n) { return f(n + 1) + 1; }\nreturn f(0);')).message).toMatch(/^Code recursed too deeply \(stack overflow\) \(line 1, column \d+\)$/);
      await stillWorks();
      // Native recursion (the parser, join) can reach V8's own stack limit first: the same error.
      expect((await jsFails(`return ${'('.repeat(40_000)}1${')'.repeat(40_000)};`)).message).toMatch(/^Code recursed too deeply \(stack overflow\)/);
      await stillWorks();
      expect((await jsFails('let a = [];\nfor (let i = 0; i < 1e5; i++) a = [a];\nreturn a.join();')).message).toMatch(/^Code recursed too deeply \(stack overflow\)/);
      await stillWorks();
    });
  });

  describe('cancellation', () => {
    it('stops a busy (async) loop when the step signal is aborted', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      const err = await fail('javascript', { input: { code: 'let n = 0;\nfor (;;) { n++; await null; }', timeoutMs: 10_000 }, signal: controller.signal });
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err.message).toMatch(/^Code was cancelled/);
      expect(Date.now() - started).toBeLessThan(1000);
      await stillWorks();
    });

    it('does not start when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const err = await fail('javascript', { input: { code: 'while (true) {}', timeoutMs: 10_000 }, signal: controller.signal });
      expect(err.message).toMatch(/^Code was cancelled before it started/);
    });
  });

  describe('threads: the code never runs on this event loop, and its deadline holds', () => {
    afterAll(() => configureSandboxPool());

    it.each([
      ['an endless loop', 'while (true) {}'],
      ['a loop of native calls', NATIVE_LOOP],
    ])('stops %s at timeout + 1 s while this event loop keeps ticking', async (_name, source) => {
      const { value: err, ms, maxGapMs } = await measureTicks(() => jsFails(source, { timeoutMs: 500 }));
      expect(err.message).toBe('Code ran longer than 500 ms (stopped)');
      expect(err.details).toMatchObject({ kind: 'timeout' });
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(1500);
      expect(maxGapMs).toBeLessThan(200);
      await stillWorks();
    });

    it('terminates the thread of a run past its deadline, and the next run gets a new thread', async () => {
      const before = sandboxPoolStats()!;
      const err = await sandboxFailure(runInSandbox({ code: NATIVE_LOOP, timeoutMs: 200, memoryMb: 64 }));
      expect(err.kind).toBe('timeout');
      const after = sandboxPoolStats()!;
      expect(after.killed).toBe(before.killed + 1);
      expect(after.threads).toBeLessThanOrEqual(after.size);
      await stillWorks();
      await expect(runInSandbox({ code: 'return input * 2', input: 21, timeoutMs: 1000, memoryMb: 16 })).resolves.toEqual({ result: 42, logs: [] });
    });

    it.each([
      ['an endless loop', 'console.log("started");\nwhile (true) {}', false],
      ['a loop of native calls', NATIVE_LOOP, true],
    ])('cancels %s promptly', async (_name, source, killed) => {
      const before = sandboxPoolStats()!;
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const { value: err, ms, maxGapMs } = await measureTicks(() => fail('javascript', { input: { code: source, timeoutMs: 10_000 }, signal: controller.signal }));
      expect(err.message).toMatch(/^Code was cancelled before it finished/);
      expect(err.details).toMatchObject({ kind: 'cancelled' });
      expect(ms).toBeLessThan(600);
      expect(maxGapMs).toBeLessThan(200);
      // The interrupt handler sees the cancel (the lines so far are kept); a native call does not, so its thread goes.
      if (!killed) expect(err.details).toMatchObject({ logs: ['started'] });
      expect(sandboxPoolStats()!.killed).toBe(before.killed + (killed ? 1 : 0));
      await stillWorks();
    });

    it('runs 8 runs at once on 2 threads, in turn: the wait for a thread is not part of the timeout', async () => {
      await configureSandboxPool({ threads: 2 });
      const started = performance.now();
      // Each run holds its thread for 200 ms of its 500: the last ones wait 600 ms for a thread.
      const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => runInSandbox({ code: busyFor(200), input: n, timeoutMs: 500, memoryMb: 16 }));
      expect(sandboxPoolStats()).toMatchObject({ size: 2 });
      await expect(Promise.all(runs)).resolves.toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ result: n, logs: [] })));
      expect(performance.now() - started).toBeGreaterThanOrEqual(4 * 200 - 20);
      expect(sandboxPoolStats()).toMatchObject({ size: 2, threads: 2, busy: 0, queued: 0, killed: 0, crashed: 0 });
    });

    it('takes a cancelled run out of the queue before it starts', async () => {
      await configureSandboxPool({ threads: 1 });
      await stillWorks(); // the thread has started
      const first = runInSandbox({ code: busyFor(300), input: 1, timeoutMs: 1000, memoryMb: 16 });
      const controller = new AbortController();
      const second = runInSandbox({ code: 'return 2', timeoutMs: 1000, memoryMb: 16, signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sandboxPoolStats()).toMatchObject({ busy: 1, queued: 1 });
      controller.abort();
      const err = await sandboxFailure(second);
      expect(err.kind).toBe('cancelled');
      expect(err.message).toMatch(/^Code was cancelled before it started/);
      await expect(first).resolves.toEqual({ result: 1, logs: [] });
      expect(sandboxPoolStats()).toMatchObject({ queued: 0, killed: 0 });
    });

    it('answers for a thread that dies (its V8 heap over its resourceLimits) and replaces it', async () => {
      // An 18 MB input in a 16 MB thread heap: V8 stops the thread, not the process (Node allows a
      // thread 16 MB past its limit to stop; a single allocation beyond that aborts the process).
      await configureSandboxPool({ threads: 1, heapMb: 16 });
      await expect(runInSandbox({ code: 'return input.length', input: 'x'.repeat(1000), timeoutMs: 1000, memoryMb: 64 })).resolves.toEqual({ result: 1000, logs: [] });
      const err = await sandboxFailure(runInSandbox({ code: 'return input.length', input: 'x'.repeat(18e6), timeoutMs: 5000, memoryMb: 64 }));
      expect(err.kind).toBe('memory');
      expect(err.message).toBe('Code used more memory than its sandbox thread allows (the thread was stopped)');
      expect(sandboxPoolStats()).toMatchObject({ crashed: 1 });
      await expect(runInSandbox({ code: 'return input.length', input: 'x'.repeat(1000), timeoutMs: 1000, memoryMb: 64 })).resolves.toEqual({ result: 1000, logs: [] });
      expect(sandboxPoolStats()).toMatchObject({ threads: 1, started: 2 });
    });

    it('refuses an input larger than the memory limit on this side', async () => {
      const err = await sandboxFailure(runInSandbox({ code: 'return 1', input: 'x'.repeat(17 * 2 ** 20), timeoutMs: 1000, memoryMb: 16 }));
      expect(err.kind).toBe('memory');
      expect(err.message).toBe('Code used more than the 16 MB memory limit (the input alone is 18 MB of JSON)');
    });

    it('fails the runs in flight when the pool is closed, and starts afresh after', async () => {
      const running = runInSandbox({ code: 'while (true) {}', timeoutMs: 10_000, memoryMb: 16 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await closeSandboxPool();
      expect((await sandboxFailure(running)).kind).toBe('cancelled');
      expect(sandboxPoolStats()).toBeUndefined();
      await stillWorks();
    });
  });

  describe('input schema and action', () => {
    it('defaults the limits and bounds them', () => {
      expect(javascriptInput.parse({ code: 'return 1' })).toEqual({ code: 'return 1', timeoutMs: 1000, memoryMb: 64 });
      expect(javascriptInput.safeParse({ code: '' }).success).toBe(false);
      expect(javascriptInput.safeParse({ code: 'x'.repeat(100_001) }).success).toBe(false);
      expect(javascriptInput.safeParse({ code: 'x', timeoutMs: 5 }).success).toBe(false);
      expect(javascriptInput.safeParse({ code: 'x', timeoutMs: 30_001 }).success).toBe(false);
      expect(javascriptInput.safeParse({ code: 'x', memoryMb: 4 }).success).toBe(false);
      expect(javascriptInput.safeParse({ code: 'x', memoryMb: 257 }).success).toBe(false);
      expect(javascriptInput.safeParse({ code: 'x', memoryMb: 12.5 }).success).toBe(false);
    });

    it('is pure', () => {
      expect(findAction(code, 'javascript').pure).toBe(true);
    });

    it('measures one sandbox when asked (runInSandbox on its own)', async () => {
      const out = await runInSandbox({ code: 'return input.length;', input: [1, 2], timeoutMs: 1000, memoryMb: 16, stats: true });
      expect(out).toEqual({ result: 2, logs: [], stats: { memoryBytes: expect.any(Number), wasmMemoryBytes: expect.any(Number) } });
      expect(out.stats!.memoryBytes).toBeGreaterThan(10_000);
      expect(out.stats!.wasmMemoryBytes).toBeLessThanOrEqual((16 + 16) * 1024 * 1024);
    });
  });
});
