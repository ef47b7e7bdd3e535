/**
 * The one in-memory cache of the platform: the promise of a value read from somewhere slower
 * (PostgreSQL, a decryption), kept for `ttlMs` (forever when 0) and shared by every caller that asks
 * meanwhile, so a burst for one key reads once. A read that fails is not remembered: the next call
 * reads again. At most `max` keys: the least recently used goes first (a Map keeps insertion order;
 * a hit moves its key to the end), so a scan of many keys never empties the cache of the hot ones.
 */
export interface PromiseCacheOptions {
  /** How long a value is trusted, in ms; 0: until evicted or deleted. */
  ttlMs: number;
  /** How many keys at most. */
  max: number;
}

interface Entry<V> {
  value: Promise<V>;
  readAt: number;
  expires: number;
}

export class PromiseCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(private readonly opts: PromiseCacheOptions) {
    if (!(opts.max >= 1)) throw new Error('PromiseCache: max must be at least 1');
  }

  /**
   * The cached promise for `key`, or `load()`'s, remembered. `notReadBefore`: a value read before
   * this time (ms since the epoch) is too old for this caller and is read again.
   */
  get(key: K, load: () => Promise<V>, notReadBefore = 0): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      if (hit.expires > now && hit.readAt >= notReadBefore) {
        this.entries.set(key, hit);
        return hit.value;
      }
    }
    const value = load();
    const entry: Entry<V> = { value, readAt: now, expires: this.opts.ttlMs > 0 ? now + this.opts.ttlMs : Infinity };
    this.entries.set(key, entry);
    if (this.entries.size > this.opts.max) this.entries.delete(this.entries.keys().next().value as K);
    // Only this read is forgotten: a newer one for the key may have replaced it meanwhile.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
