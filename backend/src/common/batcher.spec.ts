import { Batcher } from './batcher.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Batcher', () => {
  it('serves the calls of one tick with one batch, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>(async (xs) => {
      batches.push(xs);
      return xs.map((x) => x * 10);
    });
    await expect(Promise.all([b.add(1), b.add(2), b.add(3)])).resolves.toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('splits at maxSize', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, void>(async (xs) => {
      batches.push(xs);
      return xs.map(() => undefined);
    }, { maxSize: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((x) => b.add(x)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('with maxConcurrent, collects what arrives while a batch runs into the next one', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const b = new Batcher<number, void>(async (xs) => {
      batches.push(xs);
      if (batches.length === 1) await gate.promise;
      return xs.map(() => undefined);
    }, { maxSize: 100, maxConcurrent: 1 });
    const first = b.add(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((x) => b.add(x));
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([[1]]);
    gate.resolve();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('with maxConcurrent 2, runs two batches at once and gathers the rest for the first to finish', async () => {
    const batches: number[][] = [];
    const gates = [deferred(), deferred()];
    let running = 0;
    let most = 0;
    const b = new Batcher<number, void>(async (xs) => {
      const i = batches.push(xs) - 1;
      most = Math.max(most, ++running);
      if (i < 2) await gates[i].promise;
      running--;
      return xs.map(() => undefined);
    }, { maxSize: 100, maxConcurrent: 2 });
    const all = [b.add(1)];
    await new Promise((r) => setImmediate(r));
    all.push(b.add(2));
    await new Promise((r) => setImmediate(r));
    all.push(...[3, 4, 5].map((x) => b.add(x)));
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([[1], [2]]);
    gates[1].resolve();
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
    gates[0].resolve();
    await Promise.all(all);
    expect(most).toBe(2);
  });

  it("rejects the callers of a failed batch only", async () => {
    let n = 0;
    const b = new Batcher<number, number>(async (xs) => {
      if (n++ === 0) throw new Error('database unreachable');
      return xs;
    });
    const failed = Promise.all([b.add(1), b.add(2)]);
    await expect(failed).rejects.toThrow('database unreachable');
    await expect(b.add(3)).resolves.toBe(3);
  });
});
