/**
 * PostgreSQL's text and jsonb cannot hold the NUL character, so a JSON body with "\u0000" in a
 * string or key would fail at its INSERT. Refused here, on every route, with a 400 that names the
 * field. JSON escapes control characters, so the raw body shows the six characters \u0000 whenever a
 * string holds a NUL: a memchr-speed scan of the raw body, and the exact walk only on a hit.
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from './errors.js';

const NUL_ESCAPE = Buffer.from('\\u0000');

/** The path of the first key or string that holds a NUL character, or undefined. */
export function findNul(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path || '(body)' : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\0')) return at;
    const found = findNul(v, at);
    if (found) return found;
  }
  return undefined;
}

export function registerJsonNulGuard(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (req, _reply, done) => {
    const raw = (req as { rawBody?: Buffer }).rawBody;
    const at = raw?.includes(NUL_ESCAPE) ? findNul(req.body) : undefined;
    if (!at) return done();
    done(new ValidationError('JSON strings cannot contain the NUL character (\\u0000)', [{ path: at, message: 'contains \\u0000, which cannot be stored' }]));
  });
}
