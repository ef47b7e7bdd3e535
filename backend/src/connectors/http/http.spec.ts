import { startMockApis } from '../../../../scripts/mock-apis/server.js';
import { toJsonSchema } from '../sdk.js';
import { describeConnector, failureOf } from '../testing.js';
import { http } from './index.js';
import { nextFromLinkHeader, valueAt } from './pagination.js';

const ALL_IDS = Array.from({ length: 23 }, (_, i) => i + 1);
const ids = (out: unknown) => ((out as { body: { id: number }[] }).body ?? []).map((item) => item.id);
const cursorAfter = (id: number) => Buffer.from(`after:${id}`).toString('base64url');
const none = { type: 'none' };
const bearer = { type: 'bearer', token: 'mock-http-bearer-token' };

describeConnector(http, ({ mock, run, fail }) => {
  describe('http.request', () => {
    it('sends method, headers, query and a JSON body without credentials', async () => {
      const out = await run('request', {
        credentials: { type: 'none' },
        input: { method: 'POST', url: `${mock.url}/http/anything/orders`, headers: { 'X-Trace': 'abc' }, query: { page: 2 }, body: { id: 1 } },
      });
      expect(out).toMatchObject({ status: 200, body: { method: 'POST', args: { page: '2' }, json: { id: 1 } } });
      expect(mock.requests[0].headers).toMatchObject({ 'x-trace': 'abc', 'content-type': 'application/json' });
      expect(mock.requests[0].headers.authorization).toBeUndefined();
      expect(http.credentials!.parse(undefined)).toEqual({ type: 'none' });
    });

    it.each([
      ['basic', { type: 'basic', username: 'ada', password: 'lovelace' }, '/http/basic-auth/ada/lovelace'],
      ['bearer', { type: 'bearer', token: 'mock-http-bearer-token' }, '/http/bearer'],
      ['api key header', { type: 'apiKey', name: 'X-API-Key', value: 'mock-http-api-key', in: 'header' }, '/http/api-key'],
      ['api key query', { type: 'apiKey', name: 'api_key', value: 'mock-http-api-key', in: 'query' }, '/http/api-key'],
    ])('authenticates with %s from the credential', async (_name, credentials, path) => {
      const out = await run('request', { credentials, input: { url: `${mock.url}${path}` } });
      expect(out).toMatchObject({ status: 200, body: { authenticated: true } });
    });

    it('sends form and text bodies', async () => {
      await run('request', { input: { method: 'PUT', url: `${mock.url}/http/anything`, body: { a: 1 }, bodyType: 'form' } });
      await run('request', { input: { method: 'PUT', url: `${mock.url}/http/anything`, body: 'plain', bodyType: 'text' } });
      expect(mock.requests.map((r) => [r.headers['content-type'], r.bodyText])).toEqual([
        ['application/x-www-form-urlencoded', 'a=1'],
        ['text/plain; charset=utf-8', 'plain'],
      ]);
    });

    it('fails on 4xx by default, without the secret, and returns it when asked', async () => {
      const bad = { type: 'bearer', token: 'wrong-bearer-token' };
      const err = await failureOf(run('request', { credentials: bad, input: { url: `${mock.url}/http/bearer` } }));
      expect(err).toMatchObject({ message: 'The HTTP endpoint rejected the credentials (401)', status: 401, retryable: false });
      expect(JSON.stringify(err)).not.toContain('wrong-bearer-token');
      const out = await run('request', { credentials: bad, input: { url: `${mock.url}/http/bearer`, failOnError: false } });
      expect(out).toMatchObject({ status: 401 });
    });

    it('stops an oversize response at the size cap', async () => {
      const err = await failureOf(run('request', { input: { url: `${mock.url}/http/anything?mock-oversize` } }));
      expect(err.message).toMatch(/^The HTTP endpoint sent too large a response: GET .* is larger than the 5242880-byte limit$/);
    });

    it('refuses private targets when the client guards them', async () => {
      const err = await failureOf(run('request', { input: { url: `${mock.url}/http/anything` }, http: { allowPrivateTargets: false } }));
      expect(err.message).toMatch(/^The HTTP endpoint: Refusing to connect to 127\.0\.0\.1: loopback address/);
      expect(mock.requests).toHaveLength(0);
    });

    it('honours a per-request timeout', async () => {
      const err = await failureOf(run('request', { input: { url: `${mock.url}/http/anything?mock-slow-2000`, timeoutMs: 200 } }));
      expect(err).toMatchObject({ retryable: true });
      expect(err.message).toContain('timed out after 200 ms');
    });
  });

  describe('http.request pagination', () => {
    it('follows the Link header to the last page and concatenates the items', async () => {
      const out = await run('request', { input: { url: `${mock.url}/http/pages/link`, query: { per_page: 5 }, pagination: { mode: 'nextLink' } } });
      expect(ids(out)).toEqual(ALL_IDS);
      expect(out).toMatchObject({ status: 200, pages: 5, truncated: false, headers: { 'x-total-count': '23' } });
      // The last page's headers: no next link any more.
      expect((out as { headers: { link: string } }).headers.link).not.toContain('rel="next"');
      expect(mock.requests.map((r) => r.query.page)).toEqual([undefined, '2', '3', '4', '5']);
    });

    it('resolves relative next links against the page they came with', async () => {
      const out = await run('request', { input: { url: `${mock.url}/http/pages/link?per_page=10&link=relative`, pagination: { mode: 'nextLink', from: 'header' } } });
      expect(ids(out)).toEqual(ALL_IDS);
      expect(mock.requests.map((r) => r.path)).toEqual(['/http/pages/link', '/http/pages/link', '/http/pages/link']);
      expect(mock.requests.map((r) => r.query.page)).toEqual([undefined, '2', '3']);
    });

    it('follows a next link in the body', async () => {
      const out = await run('request', {
        input: { url: `${mock.url}/http/pages/body-next?per_page=10`, pagination: { mode: 'nextLink', from: 'body', path: 'links.next', itemsPath: 'data' } },
      });
      expect(ids(out)).toEqual(ALL_IDS);
      expect(out).toMatchObject({ pages: 3, truncated: false });
    });

    it('sends each cursor back until there is none', async () => {
      const out = await run('request', {
        input: {
          url: `${mock.url}/http/pages/cursor`,
          query: { limit: 10 },
          pagination: { mode: 'cursor', cursorPath: 'meta.next_cursor', param: 'cursor', itemsPath: 'results' },
        },
      });
      expect(ids(out)).toEqual(ALL_IDS);
      expect(out).toMatchObject({ pages: 3, truncated: false });
      expect(mock.requests.map((r) => r.query)).toEqual([{ limit: '10' }, { limit: '10', cursor: cursorAfter(10) }, { limit: '10', cursor: cursorAfter(20) }]);
    });

    it.each([
      ['offset', '/http/pages/offset', { mode: 'offset', limitParam: 'limit', limit: 10, itemsPath: 'data' }, 'offset', ['0', '10', '20'], ALL_IDS],
      ['page', '/http/pages/page', { mode: 'offset', kind: 'page', limitParam: 'size', limit: 10, itemsPath: 'items' }, 'page', ['1', '2', '3'], ALL_IDS],
      [
        'page from a given start',
        '/http/pages/page',
        { mode: 'offset', kind: 'page', param: 'page', start: '2', limitParam: 'size', limit: '10', itemsPath: 'items' },
        'page',
        ['2', '3'],
        ALL_IDS.slice(10),
      ],
    ])('counts through the list by %s until a short page', async (_name, path, pagination, param, positions, expected) => {
      const out = await run('request', { input: { url: `${mock.url}${path}`, pagination } });
      expect(mock.requests.map((r) => r.query[param])).toEqual(positions);
      // The page size goes with every page.
      expect(mock.requests.every((r) => Object.values(r.query).includes('10'))).toBe(true);
      expect(ids(out)).toEqual(expected);
      expect(out).toMatchObject({ pages: positions.length, truncated: false });
    });

    it('stops at an empty page when the last full page was exactly the end', async () => {
      const out = await run('request', { input: { url: `${mock.url}/http/pages/offset`, pagination: { mode: 'offset', limitParam: 'limit', limit: 23, itemsPath: 'data' } } });
      expect(ids(out)).toEqual(ALL_IDS);
      expect(out).toMatchObject({ pages: 2, truncated: false });
    });

    it('returns the page bodies with output = pages', async () => {
      const out = (await run('request', {
        input: { url: `${mock.url}/http/pages/body-next?per_page=10`, pagination: { mode: 'nextLink', from: 'body', path: 'links.next', output: 'pages' } },
      })) as { body: { data: { id: number }[]; links: { next: string | null } }[]; pages: number };
      expect(out.pages).toBe(3);
      expect(out.body.map((page) => page.data.length)).toEqual([10, 10, 3]);
      expect(out.body[2].links.next).toBeNull();
    });

    it('stops at maxPages and says the list was truncated', async () => {
      const out = await run('request', { input: { url: `${mock.url}/http/pages/link?per_page=5`, pagination: { mode: 'nextLink', maxPages: 2 } } });
      expect(ids(out)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(out).toMatchObject({ pages: 2, truncated: true });
      expect(mock.requests).toHaveLength(2);
      // Reaching the last page exactly at maxPages is not a truncation.
      const all = await run('request', { input: { url: `${mock.url}/http/pages/link?per_page=5`, pagination: { mode: 'nextLink', maxPages: 5 } } });
      expect(all).toMatchObject({ pages: 5, truncated: false });
    });

    it('refuses a cursor that comes back, as a provider loop', async () => {
      const err = await fail('request', {
        input: { url: `${mock.url}/http/pages/cursor-loop`, pagination: { mode: 'cursor', cursorPath: 'meta.next_cursor', itemsPath: 'results', maxPages: 50 } },
      });
      expect(err).toMatchObject({ retryable: false });
      expect(err.message).toBe(
        'The HTTP endpoint: page 3 returned cursor "c1" again (already sent for page 2); the provider\'s pagination loops, so it stopped',
      );
      expect(mock.requests.map((r) => r.query.cursor)).toEqual([undefined, 'c1', 'c2']);
    });

    describe('next links to another origin', () => {
      let other: Awaited<ReturnType<typeof startMockApis>>;
      beforeAll(async () => {
        // A second mock on another port: another origin without relying on how `localhost` resolves.
        other = await startMockApis({ port: 0 });
      });
      afterAll(() => other.close());
      beforeEach(() => other.reset());
      const input = () => ({ url: `${mock.url}/http/pages/link?per_page=5&next_origin=${other.url}`, pagination: { mode: 'nextLink' } });

      it('refuses to follow them with a credential', async () => {
        const err = await fail('request', { credentials: bearer, input: input() });
        expect(err).toMatchObject({ retryable: false });
        expect(err.message).toBe(
          `The HTTP endpoint: the next link of page 1 leads to ${other.url}, another origin than the first request (${mock.url}); ` +
            'the credential is not sent to another host, so pagination stopped. Call that host in a step of its own, with a credential meant for it',
        );
        expect(mock.requests).toHaveLength(1);
        expect(other.requests).toHaveLength(0);
      });

      it('refuses to follow them with an Authorization header the user set', async () => {
        const err = await fail('request', { credentials: none, input: { ...input(), headers: { Authorization: 'Bearer typed-in-token' } } });
        expect(err.message).toContain('another origin');
        expect(other.requests).toHaveLength(0);
      });

      it('follows them without credentials', async () => {
        const out = await run('request', { credentials: none, input: input() });
        expect(ids(out)).toEqual(ALL_IDS);
        expect(mock.requests).toHaveLength(1);
        expect(other.requests.map((r) => r.query.page)).toEqual(['2', '3', '4', '5']);
      });
    });

    it('names the page and the path when itemsPath finds no array', async () => {
      const err = await fail('request', {
        input: { url: `${mock.url}/http/pages/body-next?per_page=10`, pagination: { mode: 'nextLink', from: 'body', path: 'links.next', itemsPath: 'items' } },
      });
      expect(err).toMatchObject({ retryable: false, message: 'The HTTP endpoint: itemsPath "items" does not lead to an array in page 1 (found nothing) (arrays at: data)' });
      const bare = await fail('request', { input: { url: `${mock.url}/http/pages/cursor`, pagination: { mode: 'cursor', cursorPath: 'meta.next_cursor' } } });
      expect(bare.message).toBe('The HTTP endpoint: the body of page 1 is not an array (found an object); set itemsPath to where the items are (arrays at: results)');
    });

    it('fails the step with the page number when a page fails, as retryable as the failure', async () => {
      const err = await fail('request', { input: { url: `${mock.url}/http/pages/fail-on-3?per_page=5`, pagination: { mode: 'nextLink' } }, http: { retries: 0 } });
      expect(err).toMatchObject({
        message: 'The HTTP endpoint had a server error (503 Service unavailable (mock)) on page 3',
        status: 503,
        retryable: true,
        retryAfterMs: 1000,
      });
      expect(mock.requests.map((r) => r.query.page)).toEqual([undefined, '2', '3']);
    });

    it('returns the failed page as the answer with failOnError false', async () => {
      const out = await run('request', { input: { url: `${mock.url}/http/pages/fail-on-3?per_page=5`, failOnError: false, pagination: { mode: 'nextLink' } } });
      expect(out).toMatchObject({ status: 503, body: { error: 'Service unavailable (mock)' }, pages: 3, truncated: false });
    });

    it('authenticates every page, with the API key once even when the next link echoes it', async () => {
      await run('request', { credentials: bearer, input: { url: `${mock.url}/http/pages/link?per_page=10`, pagination: { mode: 'nextLink' } } });
      expect(mock.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill('Bearer mock-http-bearer-token'));
      mock.reset();
      const apiKey = { type: 'apiKey', name: 'api_key', value: 'mock-http-api-key', in: 'query' };
      await run('request', { credentials: apiKey, input: { url: `${mock.url}/http/pages/link?per_page=10`, pagination: { mode: 'nextLink' } } });
      expect(mock.requests.map((r) => r.url.match(/api_key=mock-http-api-key/g)?.length)).toEqual([1, 1, 1]);
    });

    it('resends method and body on every page, each page with its own stable idempotency key', async () => {
      const out = await run('request', {
        input: {
          method: 'POST',
          url: `${mock.url}/http/pages/cursor?limit=10`,
          body: { q: 'all' },
          pagination: { mode: 'cursor', cursorPath: 'meta.next_cursor', itemsPath: 'results' },
        },
      });
      expect(ids(out)).toEqual(ALL_IDS);
      expect(mock.requests.map((r) => [r.method, r.bodyText])).toEqual(Array(3).fill(['POST', '{"q":"all"}']));
      const keys = mock.requests.map((r) => r.headers['idempotency-key']);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}:http\.test$/);
      expect(keys.slice(1)).toEqual([`${keys[0]}:page-2`, `${keys[0]}:page-3`]);
    });

    it('stops when the step is cancelled', async () => {
      const controller = new AbortController();
      // Each page takes 100 ms, so the abort lands while page 2 is in flight.
      const running = run('request', { input: { url: `${mock.url}/http/pages/link?per_page=5&mock-slow-100`, pagination: { mode: 'nextLink' } }, signal: controller.signal });
      setTimeout(() => controller.abort(), 150);
      const err = await failureOf(running);
      expect(err).toMatchObject({ retryable: false, message: expect.stringMatching(/cancelled/) });
      // No page is requested after the abort.
      await new Promise((r) => setTimeout(r, 150));
      expect(mock.requests.length).toBeLessThanOrEqual(2);
    });

    it('checks the pagination input and describes it for the dashboard', async () => {
      const err = await fail('request', { input: { url: `${mock.url}/http/pages/body-next`, pagination: { mode: 'nextLink', from: 'body' } } });
      expect(err.message).toContain('path is required when the next link comes from the body');
      expect(mock.requests).toHaveLength(0);
      const schema = JSON.stringify(toJsonSchema(http.actions[0].input));
      expect(schema).toContain('Fetch every page of a paginated list');
      expect(schema).toContain('"nextLink"');
      expect(JSON.stringify(toJsonSchema(http.actions[0].output))).toContain('how many pages were fetched');
    });
  });

  describe('pagination helpers', () => {
    it('finds rel="next" in Link headers (RFC 8288)', () => {
      expect(nextFromLinkHeader('<https://api.example/x?page=2>; rel="next", <https://api.example/x?page=9>; rel="last"')).toBe('https://api.example/x?page=2');
      expect(nextFromLinkHeader('<https://a/x?q=a,b>; title="a, b"; rel="prev", </x?page=3>; REL=next')).toBe('/x?page=3');
      expect(nextFromLinkHeader(['<https://a/1>; rel="first"', '<https://a/2>; rel="last next"'])).toBe('https://a/2');
      expect(nextFromLinkHeader('<https://a/1>; rel="nextish"')).toBeUndefined();
      expect(nextFromLinkHeader(undefined)).toBeUndefined();
    });

    it('reads dotted paths, own properties only', () => {
      expect(valueAt({ links: { next: 'u' } }, 'links.next')).toBe('u');
      expect(valueAt({ data: [{ id: 1 }] }, 'data.0.id')).toBe(1);
      expect(valueAt([1], '')).toEqual([1]);
      expect(valueAt({}, 'constructor')).toBeUndefined();
    });
  });
});
