// @ts-check
/**
 * An httpbin-like target for the generic HTTP connector:
 * /http/anything/*, /http/basic-auth/:user/:pass, /http/bearer, /http/api-key, /http/status/:code,
 * and paginated lists of the same 23 items under /http/pages/* (next links in the Link header or the
 * body, cursors, offsets, page numbers, a looping cursor, a page that fails).
 */
import { basicAuth, json, route, schemeToken } from '../lib.js';

export const HTTP_AUTH = { bearer: 'mock-http-bearer-token', apiKey: 'mock-http-api-key', apiKeyHeader: 'x-api-key', apiKeyQuery: 'api_key' };

/** The list every /http/pages/* endpoint pages through: deterministic, so tests can expect exact items. */
export const PAGED_ITEMS = Array.from({ length: 23 }, (_, i) => ({ id: i + 1, name: `Item ${i + 1}` }));

/** A positive integer query parameter, or the fallback; capped at `max`. @param {string | undefined} raw @param {number} fallback @param {number} max */
function positive(raw, fallback, max) {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

/**
 * The URL of another page of the endpoint asked: the request's query (an API key included, as real
 * APIs echo it) with `changes` applied. `link=relative` gives a reference relative to the request
 * (`link?page=2…`); `next_origin=<origin>` gives an absolute URL on that origin (without
 * `next_origin`, so later pages stay there), to test links that lead to another host.
 * @param {import('../lib.js').MockRequest} req @param {Record<string, string | number>} changes
 */
function pageUrl(req, changes) {
  const url = new URL(req.url, req.origin);
  for (const [k, v] of Object.entries(changes)) url.searchParams.set(k, String(v));
  const nextOrigin = url.searchParams.get('next_origin');
  url.searchParams.delete('next_origin');
  if (nextOrigin) return new URL(url.pathname + url.search, nextOrigin).href;
  if (req.query.link === 'relative') return url.pathname.slice(url.pathname.lastIndexOf('/') + 1) + url.search;
  return url.href;
}

/** A page by number: `page` (from 1) and `per_page` (default 10, at most 100). @param {import('../lib.js').MockRequest} req */
function numberedPage(req) {
  const perPage = positive(req.query.per_page, 10, 100);
  const page = positive(req.query.page, 1, Number.MAX_SAFE_INTEGER);
  const last = Math.max(1, Math.ceil(PAGED_ITEMS.length / perPage));
  const items = PAGED_ITEMS.slice((page - 1) * perPage, page * perPage);
  const next = page < last ? pageUrl(req, { page: page + 1, per_page: perPage }) : null;
  return { page, perPage, last, items, next };
}

/** GitHub's style: the items as a bare array, the other pages in a Link header (RFC 8288). @param {import('../lib.js').MockRequest} req */
function linkHeaderPage(req) {
  const { page, perPage, last, items, next } = numberedPage(req);
  const links = [`<${pageUrl(req, { page: 1, per_page: perPage })}>; rel="first"`, `<${pageUrl(req, { page: last, per_page: perPage })}>; rel="last"`];
  if (next) links.unshift(`<${next}>; rel="next"`);
  if (page > 1) links.push(`<${pageUrl(req, { page: page - 1, per_page: perPage })}>; rel="prev"`);
  return json(200, items, { link: links.join(', '), 'x-total-count': String(PAGED_ITEMS.length) });
}

/** The opaque cursor of the item after `id`, as APIs hand them out. @param {number} id */
const cursorAfter = (id) => Buffer.from(`after:${id}`).toString('base64url');

/** @param {import('../lib.js').MockRequest} req */
function echo(req) {
  const form = /x-www-form-urlencoded/.test(req.headers['content-type'] ?? '') ? req.body : {};
  const isJson = /json/.test(req.headers['content-type'] ?? '');
  return {
    method: req.method,
    url: req.origin + req.url,
    args: req.query,
    headers: req.headers,
    data: req.bodyText,
    json: isJson ? req.body : null,
    form,
  };
}

/** @returns {import('../lib.js').Provider} */
export function createHttpEchoProvider() {
  return {
    name: 'http',
    prefix: '/http',
    routes: [
      route('*', '/http/anything', (req) => json(200, echo(req))),
      route('*', '/http/anything/*', (req) => json(200, echo(req))),
      route('GET', '/http/basic-auth/:user/:pass', (req) => {
        const auth = basicAuth(req);
        if (!auth || auth.user !== req.params.user || auth.pass !== req.params.pass) {
          return { status: 401, headers: { 'www-authenticate': 'Basic realm="Fake Realm"' } };
        }
        return json(200, { authenticated: true, user: auth.user });
      }),
      route('GET', '/http/bearer', (req) => {
        const token = schemeToken(req, 'Bearer');
        if (token !== HTTP_AUTH.bearer) return { status: 401, headers: { 'www-authenticate': 'Bearer' } };
        return json(200, { authenticated: true, token });
      }),
      route('*', '/http/api-key', (req) => {
        const key = req.headers[HTTP_AUTH.apiKeyHeader] ?? req.query[HTTP_AUTH.apiKeyQuery];
        if (key !== HTTP_AUTH.apiKey) return json(401, { error: 'invalid or missing API key' });
        return json(200, { authenticated: true, ...echo(req) });
      }),
      route('*', '/http/status/:code', (req) => {
        const status = Number(req.params.code);
        return status === 204 || status === 304 ? { status } : json(status, { status });
      }),
      route('GET', '/http/pages/link', linkHeaderPage),
      route('GET', '/http/pages/body-next', (req) => {
        const { page, items, next } = numberedPage(req);
        return json(200, { data: items, links: { self: pageUrl(req, { page }), next } });
      }),
      // Any method, so that a search sent by POST can page through it too (the cursor stays in the query).
      route('*', '/http/pages/cursor', (req) => {
        const limit = positive(req.query.limit, 10, 100);
        let after = 0;
        if (req.query.cursor) {
          const m = /^after:(\d+)$/.exec(Buffer.from(req.query.cursor, 'base64url').toString('utf8'));
          if (!m) return json(400, { error: 'invalid cursor' });
          after = Number(m[1]);
        }
        const results = PAGED_ITEMS.filter((item) => item.id > after).slice(0, limit);
        const lastId = results.at(-1)?.id ?? after;
        return json(200, { results, meta: { next_cursor: lastId < PAGED_ITEMS.length ? cursorAfter(lastId) : null } });
      }),
      // A broken provider: its cursors go c1 → c2 → c1 → … forever, always with a full page.
      route('GET', '/http/pages/cursor-loop', (req) => {
        const next = req.query.cursor === 'c1' ? 'c2' : 'c1';
        return json(200, { results: PAGED_ITEMS.slice(0, 5), meta: { next_cursor: next } });
      }),
      route('GET', '/http/pages/offset', (req) => {
        const offset = Math.max(0, Number.parseInt(req.query.offset ?? '0', 10) || 0);
        const limit = positive(req.query.limit, 10, 100);
        return json(200, { data: PAGED_ITEMS.slice(offset, offset + limit) });
      }),
      route('GET', '/http/pages/page', (req) => {
        const page = positive(req.query.page, 1, Number.MAX_SAFE_INTEGER);
        const size = positive(req.query.size, 10, 100);
        return json(200, { page, size, total: PAGED_ITEMS.length, items: PAGED_ITEMS.slice((page - 1) * size, page * size) });
      }),
      // Like /http/pages/link, but page 3 is always a 503 with Retry-After (a provider outage mid-listing).
      route('GET', '/http/pages/fail-on-3', (req) => {
        if (positive(req.query.page, 1, Number.MAX_SAFE_INTEGER) === 3) return json(503, { error: 'Service unavailable (mock)' }, { 'retry-after': '1' });
        return linkHeaderPage(req);
      }),
    ],
  };
}
