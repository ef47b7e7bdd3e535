import { describeConnector, failureOf } from '../testing.js';
import { http } from './index.js';

describeConnector(http, ({ mock, run }) => {
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
});
