// @ts-check
/**
 * An httpbin-like target for the generic HTTP connector:
 * /http/anything/*, /http/basic-auth/:user/:pass, /http/bearer, /http/api-key, /http/status/:code.
 */
import { basicAuth, json, route, schemeToken } from '../lib.js';

export const HTTP_AUTH = { bearer: 'mock-http-bearer-token', apiKey: 'mock-http-api-key', apiKeyHeader: 'x-api-key', apiKeyQuery: 'api_key' };

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
    ],
  };
}
