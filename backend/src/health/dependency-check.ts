/** One dependency of a /health answer (the api's and each worker's): reachable within 2 s, and how fast. */
import { withTimeout } from '../common/timeout.js';
import type { HealthRepository } from './health.repository.js';

const CHECK_TIMEOUT_MS = 2_000;

export interface DependencyCheck {
  status: 'up' | 'down' | 'skipped';
  latencyMs?: number;
  error?: string;
  note?: string;
}

export async function checkDependency(fn: () => Promise<unknown>): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    await withTimeout(fn(), CHECK_TIMEOUT_MS);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { status: 'down', error: (err as Error).message };
  }
}

/** PostgreSQL's check; notes a transaction pooler found behind DATABASE_URL while DATABASE_POOLING says session. */
export async function checkPostgres(db: Pick<HealthRepository, 'ping' | 'poolerDetected'>): Promise<DependencyCheck> {
  const check = await checkDependency(() => db.ping());
  const pooler = db.poolerDetected();
  return pooler ? { ...check, note: pooler } : check;
}
