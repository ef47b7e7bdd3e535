/**
 * A cancellation that costs nothing until it is used. An AbortController per run plus an 'abort'
 * listener per step (Node's EventTarget) cost a worker about 10 µs an execution in `make bench`, for
 * cancellations that almost never happen; this is a flag and a small set of callbacks, and makes a
 * real AbortSignal only for code that asks for one.
 */
export class Cancellation {
  private listeners?: Set<(reason: Error) => void>;
  private controller?: AbortController;
  private cause?: Error;

  get cancelled(): boolean {
    return this.cause !== undefined;
  }

  get reason(): Error | undefined {
    return this.cause;
  }

  cancel(reason: Error): void {
    if (this.cause) return;
    this.cause = reason;
    for (const listener of this.listeners ?? []) listener(reason);
    this.listeners = undefined;
    this.controller?.abort(reason);
  }

  /** Calls `listener` once on cancellation (at once if already cancelled); answers how to stop listening. */
  onCancel(listener: (reason: Error) => void): () => void {
    if (this.cause) {
      listener(this.cause);
      return noop;
    }
    (this.listeners ??= new Set()).add(listener);
    return () => this.listeners?.delete(listener);
  }

  /** An AbortSignal that aborts with this cancellation (made on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cause) this.controller.abort(this.cause);
    }
    return this.controller.signal;
  }
}

function noop(): void {}
