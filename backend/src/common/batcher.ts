/**
 * Collects calls made within one tick (or up to `maxSize`) and serves them with one batched operation:
 * one INSERT for many webhooks, one UPDATE for many finished runs. Each caller gets its own result or
 * the batch's error.
 */
export class Batcher<T, R> {
  private pending: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly flushFn: (items: T[]) => Promise<R[]>,
    private readonly opts: { maxSize: number; maxWaitMs?: number; maxConcurrent?: number } = { maxSize: 200 },
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.opts.maxSize) this.flush();
      // While saturated, the batch that finishes flushes what has gathered: nothing to schedule.
      else if (!this.scheduled && !this.saturated()) {
        this.scheduled = true;
        if (this.opts.maxWaitMs) setTimeout(() => this.flush(), this.opts.maxWaitMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  private saturated(): boolean {
    return !!this.opts.maxConcurrent && this.inFlight >= this.opts.maxConcurrent;
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.pending.length) return;
    // Back-pressure: while earlier batches run, keep collecting into a bigger next batch; the
    // batch that finishes first flushes it.
    if (this.saturated()) return;
    const batch = this.pending.splice(0, this.opts.maxSize);
    if (this.pending.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    this.inFlight++;
    this.flushFn(batch.map((b) => b.item)).then(
      (results) => batch.forEach((b, i) => b.resolve(results[i])),
      (err) => batch.forEach((b) => b.reject(err)),
    ).finally(() => {
      this.inFlight--;
      if (this.pending.length && !this.scheduled) this.flush();
    });
  }
}
