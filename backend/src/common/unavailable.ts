/**
 * Telling "a dependency is away" (PostgreSQL or Redis unreachable, restarting, partitioned, out of
 * connections) from every other error. Such an error is nobody's fault and passes: the api answers
 * 503 with Retry-After (never 500, never 202 without a stored row) and the worker waits and tries
 * again instead of failing the run.
 */
import { ServiceUnavailableError } from './errors.js';
import { sleep } from './sleep.js';

/** Socket-level failures of a connection (node's error codes). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTCONN', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * PostgreSQL SQLSTATEs of a server that is away or going: class 08 (connection exception),
 * admin/crash shutdown, "the database system is starting up / shutting down", too many connections,
 * and a standby that cannot take writes (a failover in progress).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || code === '25006';
}

/** Messages of node-postgres, its pool and ioredis/BullMQ when the server cannot be reached. */
const UNAVAILABLE_MESSAGE = new RegExp(
  [
    'Connection terminated',
    'timeout exceeded when trying to connect',
    'Query read timeout',
    'Client has encountered a connection error',
    'Connection is closed',
    "Stream isn't writeable",
    'Reached the max retries per request limit',
    'All sentinels are unreachable',
    'READONLY You can\'t write against a read only replica',
    'LOADING Redis is loading the dataset',
  ].map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
);

/** True when `err` (or what it wraps: TypeORM's driverError, a cause, an AggregateError's errors) says a dependency is unreachable. */
export function isDependencyUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  if (err instanceof ServiceUnavailableError) return true;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || (/^[0-9A-Z]{5}$/.test(e.code) && isUnavailableSqlState(e.code)))) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  if (e.driverError && isDependencyUnavailable(e.driverError, depth + 1)) return true;
  if (e.cause && isDependencyUnavailable(e.cause, depth + 1)) return true;
  if (Array.isArray(e.errors)) return e.errors.some((x) => isDependencyUnavailable(x, depth + 1));
  return false;
}

/** Seconds a caller is asked to wait when a dependency is away. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** The 503 a request gets while a dependency is away (the original error stays as the cause, for the logs). */
export function unavailable(err: unknown): ServiceUnavailableError {
  const e = new ServiceUnavailableError('A service Tributary depends on (database or queue) is unavailable; retry shortly (a webhook with the same Idempotency-Key never runs twice)', UNAVAILABLE_RETRY_AFTER_SECONDS);
  (e as { cause?: unknown }).cause = err;
  return e;
}

/**
 * Runs `fn` until it succeeds, waiting out dependency outages (200 ms doubling to 2 s between tries);
 * any other error is thrown at once. `giveUpAfterMs` bounds the wait (then the last error is thrown);
 * `onWait` hears of the first failure of an outage (to log it once).
 */
export function retryWhileUnavailable<T>(
  fn: () => Promise<T>,
  opts: { giveUpAfterMs?: number; signal?: AbortSignal; onWait?: (err: unknown) => void } = {},
): Promise<T> {
  // The first try costs no more than `fn` itself: the worker calls this several times per execution.
  const started = Date.now();
  return fn().catch((err: unknown) => {
    if (!isDependencyUnavailable(err) || outOfPatience(started, opts)) throw err;
    opts.onWait?.(err);
    return retryAfterOutage(started, fn, opts);
  });
}

function outOfPatience(started: number, opts: { giveUpAfterMs?: number }): boolean {
  return opts.giveUpAfterMs !== undefined && Date.now() - started >= opts.giveUpAfterMs;
}

async function retryAfterOutage<T>(started: number, fn: () => Promise<T>, opts: { giveUpAfterMs?: number; signal?: AbortSignal }): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    await sleep(Math.min(200 * 2 ** attempt, 2000), opts.signal);
    try {
      return await fn();
    } catch (err) {
      if (!isDependencyUnavailable(err) || outOfPatience(started, opts)) throw err;
    }
  }
}
