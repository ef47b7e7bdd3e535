import { timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../common/errors.js';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** With METRICS_TOKEN set, a scrape of /metrics (api or worker) needs `Authorization: Bearer <token>`. */
export function checkMetricsToken(authorization: string | undefined, token: string | undefined): void {
  if (token && !sameToken(/^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '', token)) {
    throw new UnauthorizedError('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
  }
}
