/**
 * A periodic pass that never overlaps itself: a call while the previous pass still runs answers
 * `whileBusy` at once instead of starting another (a slow database must not stack reconcilers up).
 * `idle()` waits for the pass in flight, if any: a shutdown awaits it before the database closes, so
 * no pass queries a closed pool.
 */
export interface NonOverlapping<T> {
  (): Promise<T>;
  idle(): Promise<void>;
}

export function nonOverlapping<T>(pass: () => Promise<T>, whileBusy: T): NonOverlapping<T> {
  let current: Promise<T> | undefined;
  const run = (() => {
    if (current) return Promise.resolve(whileBusy);
    current = pass().finally(() => (current = undefined));
    return current;
  }) as NonOverlapping<T>;
  run.idle = async () => {
    await current?.catch(() => undefined);
  };
  return run;
}
