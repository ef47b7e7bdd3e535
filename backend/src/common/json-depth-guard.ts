/**
 * JSON bodies nested deeper than MAX_JSON_DEPTH are refused on every route with a 400 that says the
 * limit. JSON.parse copes with any depth, but JSON.stringify, the NUL guard's walk and template
 * rendering recurse, and a body of 10,000 levels (20 KB) overflowed the stack while the batched
 * INSERT was encoded, failing every webhook that shared its tick.
 *
 * A document cannot nest deeper than it has `{` and `[` bytes, so the raw body is first counted with
 * indexOf (memchr speed), stopping at limit + 1; only a body with more brackets than the limit gets
 * the exact walk of the parsed value, which never descends past the limit. On a typical 200-byte
 * webhook body the hook costs about 0.1 µs (scripts/bench/json-depth.mjs), against ~70 µs of CPU
 * per accepted webhook.
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from './errors.js';

const OPENERS = [0x7b, 0x5b]; // '{' and '['

/** How many `{` and `[` bytes the buffer holds, counting no further than `stopAfter`. */
export function countOpeners(raw: Buffer, stopAfter: number): number {
  let n = 0;
  for (const byte of OPENERS) {
    for (let i = raw.indexOf(byte); i !== -1; i = raw.indexOf(byte, i + 1)) {
      if (++n > stopAfter) return n;
    }
  }
  return n;
}

/**
 * The path of the first object or array nested deeper than `maxDepth` levels (the top-level value
 * is level 1), or undefined. Recurses at most `maxDepth` levels, whatever the value's depth.
 */
export function findTooDeep(value: unknown, maxDepth: number): string | undefined {
  const keys: string[] = [];
  return tooDeep(value, maxDepth, keys) ? keys.reverse().join('.') || '(body)' : undefined;
}

/** Whether the value nests past `levelsLeft`; if so `keys` gets the path to it, innermost first. */
function tooDeep(value: unknown, levelsLeft: number, keys: string[]): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levelsLeft === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (tooDeep(value[i], levelsLeft - 1, keys)) {
        keys.push(String(i));
        return true;
      }
    }
    return false;
  }
  for (const key of Object.keys(value)) {
    if (tooDeep((value as Record<string, unknown>)[key], levelsLeft - 1, keys)) {
      keys.push(key);
      return true;
    }
  }
  return false;
}

export function tooDeepError(maxDepth: number, path: string): ValidationError {
  return new ValidationError(`JSON is nested too deeply: at most ${maxDepth} levels of objects and arrays`, [
    { path, message: `nested deeper than ${maxDepth} levels` },
  ]);
}

/** Registered before the NUL guard, whose walk of the parsed body recurses. */
export function registerJsonDepthGuard(fastify: FastifyInstance, maxDepth: number): void {
  fastify.addHook('preValidation', (req, _reply, done) => {
    const raw = (req as { rawBody?: Buffer }).rawBody;
    const at = raw && countOpeners(raw, maxDepth) > maxDepth ? findTooDeep(req.body, maxDepth) : undefined;
    if (!at) return done();
    done(tooDeepError(maxDepth, at));
  });
}
