/**
 * PostgreSQL's text cannot hold the NUL character, so `?connector=%00` (or `/users/%00`) reached the
 * database as a parameter it refuses and answered 500. Refused here, on every route, with a 400 that
 * names the parameter. Only a URL holding the three characters %00 can decode to a NUL: a substring
 * search of the raw URL, and the exact check of the decoded query and path parameters only on a hit.
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError, type FieldError } from './errors.js';

/** The names of the parameters whose name or value holds a NUL character. */
export function paramsWithNul(params: unknown): string[] {
  if (!params || typeof params !== 'object') return [];
  const found: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (name.includes('\0') || values.some((v) => typeof v === 'string' && v.includes('\0'))) found.push(name);
  }
  return found;
}

export function registerUrlNulGuard(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (!req.url.includes('%00')) return done();
    const names = [...paramsWithNul(req.params), ...paramsWithNul(req.query)];
    if (!names.length) return done();
    const details: FieldError[] = names.map((path) => ({ path, message: 'contains the NUL character (%00), which cannot be stored' }));
    done(new ValidationError('URL parameters cannot contain the NUL character (%00)', details));
  });
}
