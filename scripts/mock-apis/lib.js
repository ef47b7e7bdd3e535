// @ts-check
/** Small helpers shared by the mock providers: responses, routing, auth parsing. */

/**
 * @typedef {{ status: number, headers?: Record<string, string | string[]>, body?: unknown }} MockResponse
 * @typedef {{
 *   method: string, path: string, url: string, params: Record<string, string>,
 *   query: Record<string, string>, headers: Record<string, string>, bodyText: string, body: unknown,
 *   origin: string,
 * }} MockRequest
 * @typedef {(req: MockRequest) => MockResponse | Promise<MockResponse>} Handler
 * @typedef {{ method: string, pattern: RegExp, keys: string[], handler: Handler }} Route
 * @typedef {{
 *   name: string, prefix: string, routes: Route[],
 *   error?: (status: number, message: string) => MockResponse, reset?: () => void,
 * }} Provider
 */

/** @param {number} status @param {unknown} body @param {Record<string, string | string[]>} [headers] @returns {MockResponse} */
export function json(status, body, headers = {}) {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** @param {number} status @param {string} body @param {Record<string, string | string[]>} [headers] @returns {MockResponse} */
export function text(status, body, headers = {}) {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

/** @param {number} status @param {string} body @param {Record<string, string | string[]>} [headers] @returns {MockResponse} */
export function html(status, body, headers = {}) {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}

/**
 * A route: `/slack/services/:team/:bot/:token`, with `*` matching the rest of the path.
 * @param {string} method @param {string} path @param {Handler} handler @returns {Route}
 */
export function route(method, path, handler) {
  /** @type {string[]} */
  const keys = [];
  const source = path
    .split('/')
    .map((part) => {
      if (part === '*') {
        keys.push('rest');
        return '(.*)';
      }
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { method, pattern: new RegExp(`^${source}$`), keys, handler };
}

/** Credentials from `Authorization: Basic …`, or null. @param {MockRequest} req */
export function basicAuth(req) {
  const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

/** The token after a scheme (`Bearer`, `Token`) in Authorization, or null. @param {MockRequest} req @param {string} scheme */
export function schemeToken(req, scheme) {
  const m = new RegExp(`^${scheme}\\s+(.+)$`, 'i').exec(req.headers.authorization ?? '');
  return m ? m[1].trim() : null;
}

/** Cookies sent with the request. @param {MockRequest} req @returns {Record<string, string>} */
export function cookies(req) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const i = pair.indexOf('=');
    if (i > 0) out[pair.slice(0, i).trim()] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  return out;
}

/** A deterministic id: prefix + zero-padded counter. @param {string} prefix @param {number} n @param {number} width */
export function makeId(prefix, n, width) {
  return prefix + String(n).padStart(width, '0');
}

/** The body as an object (JSON or form), or {}. @param {MockRequest} req @returns {Record<string, unknown>} */
export function bodyObject(req) {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? /** @type {Record<string, unknown>} */ (req.body) : {};
}
