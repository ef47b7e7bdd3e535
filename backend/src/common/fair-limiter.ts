/**
 * Runs at most `concurrency` tasks at once, giving each key (a tenant) turns: the waiting tasks of
 * one key run in order, and keys take the free slots round robin. A tenant with thousands of
 * executions in this process's jobs makes another tenant's next execution wait for one slot, not
 * for all of them (p-limit's single FIFO did).
 */
export class FairLimiter {
  private active = 0;
  /** Key → its waiting tasks; the Map's order is the round (a key goes to the back after its turn). */
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly concurrency: number) {}

  get activeCount(): number {
    return this.active;
  }

  get pendingCount(): number {
    let n = 0;
    for (const q of this.waiting.values()) n += q.length;
    return n;
  }

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.active++;
        void fn()
          .then(resolve, reject)
          .finally(() => {
            this.active--;
            this.next();
          });
      };
      if (this.active < this.concurrency && this.waiting.size === 0) return start();
      const q = this.waiting.get(key);
      if (q) q.push(start);
      else this.waiting.set(key, [start]);
    });
  }

  private next(): void {
    while (this.active < this.concurrency && this.waiting.size > 0) {
      const [key, q] = this.waiting.entries().next().value as [string, (() => void)[]];
      const start = q.shift()!;
      this.waiting.delete(key);
      if (q.length) this.waiting.set(key, q);
      start();
    }
  }
}
