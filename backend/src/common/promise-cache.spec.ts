import { jest } from '@jest/globals';
import { PromiseCache } from './promise-cache.js';

describe('PromiseCache', () => {
  afterEach(() => jest.useRealTimers());

  it('reads once for every caller while the value is fresh, and again once it expires', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const cache = new PromiseCache<string, number>({ ttlMs: 5000, max: 10 });
    let reads = 0;
    const load = () => Promise.resolve(++reads);
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, reads]).toEqual([1, 1, 1]);
    jest.setSystemTime(1_004_999);
    expect(await cache.get('k', load)).toBe(1);
    jest.setSystemTime(1_005_000);
    expect(await cache.get('k', load)).toBe(2);
  });

  it('forgets a failed read, so the next caller reads again', async () => {
    const cache = new PromiseCache<string, number>({ ttlMs: 0, max: 10 });
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.size).toBe(0);
    expect(await cache.get('k', () => Promise.resolve(7))).toBe(7);
  });

  it('reads again for a caller that needs a value newer than the cached one', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const cache = new PromiseCache<string, string>({ ttlMs: 5000, max: 10 });
    await cache.get('u', () => Promise.resolve('old'));
    expect(await cache.get('u', () => Promise.resolve('new'), 999_999)).toBe('old');
    jest.setSystemTime(1_001_000);
    expect(await cache.get('u', () => Promise.resolve('new'), 1_000_500)).toBe('new');
  });

  it('evicts the least recently used key at the bound instead of emptying itself', async () => {
    const cache = new PromiseCache<string, string>({ ttlMs: 0, max: 3 });
    for (const k of ['a', 'b', 'c']) await cache.get(k, () => Promise.resolve(k));
    await cache.get('a', () => Promise.resolve('a again')); // a is now the most recent
    await cache.get('d', () => Promise.resolve('d')); // b, the least recent, goes
    expect(cache.size).toBe(3);
    expect(await cache.get('a', () => Promise.resolve('reread'))).toBe('a');
    expect(await cache.get('b', () => Promise.resolve('reread'))).toBe('reread');
  });

  it('a late failure of a replaced read does not drop its replacement', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const cache = new PromiseCache<string, number>({ ttlMs: 1000, max: 10 });
    let fail!: (e: Error) => void;
    const first = cache.get('k', () => new Promise<number>((_, reject) => (fail = reject)));
    jest.setSystemTime(1_002_000);
    expect(await cache.get('k', () => Promise.resolve(2))).toBe(2);
    fail(new Error('late'));
    await expect(first).rejects.toThrow('late');
    expect(await cache.get('k', () => Promise.resolve(3))).toBe(2);
  });
});
