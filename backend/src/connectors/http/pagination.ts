/**
 * Pagination for `http.request`: follows next links (RFC 8288 `Link` header or a URL in the body),
 * cursors or offsets/page numbers until the API says there is nothing more or `maxPages` is reached,
 * and returns the pages' items concatenated (or the page bodies). Every page is one ordinary call
 * through callProvider, so the SSRF guard, the size cap, retries and error mapping apply to each page
 * exactly as to a single request; what is specific to paging (where the next page is, when to stop,
 * loops, credentials on another host, the item cap) lives here.
 */
import { z } from 'zod';
import type { HttpRequest, HttpResponse } from '../../common/http/http-client.js';
import { createRedactor } from '../../common/http/redact.js';
import { callProvider, toConnectorError, type ProviderInfo } from '../provider-call.js';
import { ConnectorError, type ActionContext } from '../sdk.js';

/**
 * The most items one paginated step collects: the output is kept in memory, recorded as the step's
 * result and rendered into later steps, so an unbounded listing would hurt the worker and the database.
 */
export const MAX_ITEMS = 100_000;

const common = {
  itemsPath: z
    .string()
    .trim()
    .optional()
    .describe('Where the array of items is in each page body, as a dotted path (e.g. data, results, response.items); empty: the body itself is the array'),
  maxPages: z.coerce.number().int().min(1).max(1000).default(10).describe('Stop after this many pages (1 to 1,000); the output says truncated when more were available'),
  output: z
    .enum(['items', 'pages'])
    .default('items')
    .describe('items: the output body is all pages\' items in one array; pages: the output body is the array of page bodies (e.g. for a loop step over pages)'),
};

export const paginationSchema = z
  .discriminatedUnion('mode', [
    z
      .object({
        mode: z
          .literal('nextLink')
          .describe('Follow the next page\'s URL given by the API, as given: the first request\'s query is not added again (the credential is)'),
        from: z
          .enum(['header', 'body'])
          .default('header')
          .describe('header: the Link header\'s rel="next" (RFC 8288, e.g. GitHub); body: a URL at `path` in the JSON body'),
        path: z.string().trim().optional().describe('With from = body: the dotted path of the next URL in the body, e.g. next or links.next'),
        ...common,
      })
      .refine((p) => p.from !== 'body' || Boolean(p.path), { message: 'path is required when the next link comes from the body', path: ['path'] }),
    z.object({
      mode: z.literal('cursor').describe('Send back the cursor each page gives for the next one'),
      cursorPath: z.string().trim().min(1).describe('The dotted path of the next cursor in the body, e.g. meta.next_cursor; missing, null or empty: last page'),
      param: z.string().trim().min(1).default('cursor').describe('The query parameter the cursor is sent in, e.g. cursor or page_token'),
      ...common,
    }),
    z.object({
      mode: z.literal('offset').describe('Count through the list by offset or page number'),
      kind: z.enum(['offset', 'page']).default('offset').describe('offset: skip that many items (0, 50, 100…); page: a page number (1, 2, 3…)'),
      param: z.string().trim().min(1).optional().describe('The query parameter of the offset or page number; default: offset or page, as kind'),
      start: z.coerce.number().int().min(0).optional().describe('The first offset or page number; default 0 for offset, 1 for page'),
      limitParam: z.string().trim().min(1).describe('The query parameter of the page size, e.g. limit, per_page or size'),
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(10000)
        .describe('Items per page, sent in limitParam; a page with fewer items is the last, so keep it within the API\'s maximum page size'),
      ...common,
    }),
  ])
  .optional()
  .describe('Fetch every page of a paginated list (optional): by next link, cursor or offset. The output body becomes the items of all pages (or the page bodies)');

export type Pagination = NonNullable<z.output<typeof paginationSchema>>;

export interface PaginatedOutput {
  status: number;
  headers: HttpResponse['headers'];
  body: unknown;
  pages: number;
  truncated: boolean;
}

export interface PaginateOptions {
  /** The first page's URL: the input URL with the user's query, without the credential's query parameters. */
  firstUrl: URL;
  /**
   * True when the requests carry authentication (from the credential, or a header the user set that
   * the HTTP client treats as secret: Authorization, Cookie, X-API-Key…): next links to another origin
   * are then refused.
   */
  sendsCredentials: boolean;
  /** Values to keep out of error messages (the request's secrets), should a provider echo them in a link or cursor. */
  secrets: string[];
  /** The request for a page, with the same method, headers, body and authentication as the first. */
  request(url: URL, page: number): HttpRequest;
}

export async function paginate<C, I>(ctx: ActionContext<C, I>, provider: ProviderInfo, p: Pagination, opts: PaginateOptions): Promise<PaginatedOutput> {
  const { firstUrl } = opts;
  // Offset mode needs each page's items to see the last page; the others only when the items are the output or a path was given.
  const wantsItems = p.mode === 'offset' || p.output === 'items' || Boolean(p.itemsPath);
  const collected: unknown[] = [];
  let itemCount = 0;
  const start = p.mode === 'offset' ? (p.start ?? (p.kind === 'page' ? 1 : 0)) : 0;
  // Where each URL was fetched and each cursor sent, to recognise an API that sends us in circles.
  const fetched = new Map<string, number>();
  const sentCursors = new Map<string, number>();
  const redact = createRedactor(opts.secrets);
  const initialCursor = p.mode === 'cursor' ? firstUrl.searchParams.get(p.param) : null;
  if (p.mode === 'cursor' && initialCursor) sentCursors.set(initialCursor, 1);

  let url = p.mode === 'offset' ? offsetPageUrl(firstUrl, p, start) : firstUrl;
  for (let page = 1; ; page++) {
    // callProvider refuses an aborted signal too, but only here can the message say how far it got.
    if (ctx.signal.aborted) throw new ConnectorError(`${provider.name}: the pagination was cancelled after page ${page - 1}`);
    fetched.set(url.href, page);
    const res = await fetchPage(ctx, provider, opts.request(new URL(url), page), page);
    // Only with failOnError false: the failed page is the answer, as it would be without pagination,
    // so that the step can branch on its status and read the provider's reason.
    if (res.status >= 400) return { status: res.status, headers: res.headers, body: res.body, pages: page, truncated: false };

    const items = wantsItems ? itemsOf(res.body, p.itemsPath, page, provider) : undefined;
    if (items) {
      itemCount += items.length;
      if (itemCount > MAX_ITEMS) {
        throw new ConnectorError(
          `${provider.name}: more than ${MAX_ITEMS} items by page ${page}; narrow the request (filters, a lower maxPages) or split it over several steps`,
        );
      }
    }
    if (p.output === 'pages') collected.push(res.body);
    // A loop rather than push(...items): spreading a very large page would overflow the call stack.
    else for (const item of items ?? []) collected.push(item);

    const next = nextUrl();
    const done = (truncated: boolean): PaginatedOutput => ({ status: res.status, headers: res.headers, body: collected, pages: page, truncated });
    if (!next) return done(false);
    if (page >= p.maxPages) return done(true);
    if (next.origin !== firstUrl.origin && opts.sendsCredentials) {
      throw new ConnectorError(
        `${provider.name}: the next link of page ${page} leads to ${next.origin}, another origin than the first request (${firstUrl.origin}); ` +
          'the credential is not sent to another host, so pagination stopped. Call that host in a step of its own, with a credential meant for it',
      );
    }
    url = next;

    /** The next page's URL, or undefined when this page was the last. */
    function nextUrl(): URL | undefined {
      switch (p.mode) {
        case 'nextLink': {
          const link = p.from === 'header' ? nextFromLinkHeader(res.headers.link) : linkFromBody(res.body, p.path ?? '', page, provider);
          if (!link) return undefined;
          let resolved: URL;
          try {
            // Relative links are relative to the page they came with (RFC 8288 §3.2, RFC 3986 §5).
            resolved = new URL(link, url);
          } catch {
            throw new ConnectorError(`${provider.name}: the next link of page ${page} is not a valid URL: ${clip(redact(link))}`);
          }
          const seen = fetched.get(resolved.href);
          if (seen !== undefined) {
            throw new ConnectorError(`${provider.name}: the next link of page ${page} leads back to page ${seen}; the provider's pagination loops, so it stopped`);
          }
          return resolved;
        }
        case 'cursor': {
          const cursor = cursorFromBody(res.body, p.cursorPath, page, provider);
          if (cursor === undefined) return undefined;
          const sent = sentCursors.get(cursor);
          if (sent !== undefined) {
            throw new ConnectorError(
              `${provider.name}: page ${page} returned cursor "${clip(redact(cursor), 60)}" again (already sent for page ${sent}); the provider's pagination loops, so it stopped`,
            );
          }
          sentCursors.set(cursor, page + 1);
          const nextPage = new URL(firstUrl);
          nextPage.searchParams.set(p.param, cursor);
          return nextPage;
        }
        case 'offset':
          // A short (or empty) page is the last: the API had no more items to fill it with.
          if (!items || items.length < p.limit) return undefined;
          return offsetPageUrl(firstUrl, p, p.kind === 'page' ? start + page : start + page * p.limit);
      }
    }
  }
}

/** The URL of an offset or page-number page: the first URL with the position and the page size set. */
function offsetPageUrl(firstUrl: URL, p: Extract<Pagination, { mode: 'offset' }>, position: number): URL {
  const url = new URL(firstUrl);
  url.searchParams.set(p.param ?? p.kind, String(position));
  url.searchParams.set(p.limitParam, String(p.limit));
  return url;
}

/**
 * One page through callProvider; a failure says which page failed. The call's own error is kept (its
 * message extended), so it stays exactly as retryable, with the same status, Retry-After and whatever
 * else the engine reads from a ConnectorError, as it would be for a single request.
 */
async function fetchPage<C, I>(ctx: ActionContext<C, I>, provider: ProviderInfo, req: HttpRequest, page: number): Promise<HttpResponse> {
  try {
    return await callProvider(ctx, provider, req);
  } catch (caught) {
    const err = toConnectorError(caught, provider);
    err.message = `${err.message} on page ${page}`;
    throw err;
  }
}

/**
 * The `rel="next"` target of a `Link` header (RFC 8288): `<https://api/x?page=2>; rel="next",
 * <…>; rel="last"`. Several Link headers arrive as an array; a rel may list several relation types
 * (`rel="next last"`), and commas can appear inside the `<…>` and quoted values, hence the scan
 * rather than a split on commas.
 */
export function nextFromLinkHeader(header: string | string[] | undefined): string | undefined {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  for (const value of values) {
    for (const m of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,=\s]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,\s]*))?)*)/g)) {
      for (const param of m[2].matchAll(/;\s*([^;,=\s]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,\s]*)))?/g)) {
        if (param[1].toLowerCase() !== 'rel') continue;
        const rels = (param[2] ?? param[3] ?? '').toLowerCase().split(/\s+/);
        if (rels.includes('next') && m[1].trim()) return m[1].trim();
      }
    }
  }
  return undefined;
}

/** The value at a dotted path (`links.next`, `data.0.id`); the whole value for an empty path. */
export function valueAt(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  let current = value;
  for (const key of path.split('.')) {
    // Own properties only, so that a path like `constructor` finds nothing rather than Object's.
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function itemsOf(body: unknown, path: string | undefined, page: number, provider: ProviderInfo): unknown[] {
  const value = valueAt(body, path);
  if (Array.isArray(value)) return value;
  if (path) {
    throw new ConnectorError(`${provider.name}: itemsPath "${path}" does not lead to an array in page ${page} (found ${kindOf(value)})${arrayHint(body)}`);
  }
  throw new ConnectorError(`${provider.name}: the body of page ${page} is not an array (found ${kindOf(value)}); set itemsPath to where the items are${arrayHint(body)}`);
}

function linkFromBody(body: unknown, path: string, page: number, provider: ProviderInfo): string | undefined {
  const value = valueAt(body, path);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConnectorError(`${provider.name}: the next link at "${path}" in page ${page} is ${kindOf(value)}, not a URL`);
  return value;
}

function cursorFromBody(body: unknown, path: string, page: number, provider: ProviderInfo): string | undefined {
  const value = valueAt(body, path);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ConnectorError(`${provider.name}: the cursor at "${path}" in page ${page} is ${kindOf(value)}, not a string or number`);
  }
  return String(value);
}

/** What a value is, for an error message: "an object", "text", "nothing"… */
function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.trim() ? 'text' : 'an empty body';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Where the body does hold arrays, to suggest an itemsPath: " (arrays at: data, meta.errors)". */
function arrayHint(body: unknown): string {
  const found: string[] = [];
  const walk = (value: unknown, prefix: string, depth: number) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || depth > 2) return;
    for (const [key, child] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (Array.isArray(child)) found.push(path);
      else walk(child, path, depth + 1);
    }
  };
  walk(body, '', 0);
  return found.length ? ` (arrays at: ${found.slice(0, 5).join(', ')})` : '';
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
