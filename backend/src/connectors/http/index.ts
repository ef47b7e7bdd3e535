/**
 * Generic HTTP request: any method, URL, headers, query and body, with the credential supplying
 * authentication (none, basic, bearer, or an API key in a header or the query string), and optionally
 * every page of a paginated list (pagination.ts).
 */
import { z } from 'zod';
import type { HttpRequest } from '../../common/http/http-client.js';
import { secretsFromHeaders } from '../../common/http/redact.js';
import { callProvider, type ProviderInfo } from '../provider-call.js';
import { actionWith, defineConnector, MOCK_ORIGIN } from '../sdk.js';
import { paginate, paginationSchema } from './pagination.js';

/** The user's own limit for the API behind a connection (the HTTP connector knows no provider's). */
const limit = {
  rateLimitPerMinute: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe('At most this many requests a minute through this connection, across all workers (steps wait their turn); empty: no limit'),
};
const credentials = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('none').describe('No authentication'), ...limit }),
    z.object({
      type: z.literal('basic').describe('HTTP basic authentication'),
      username: z.string().describe('User name'),
      password: z.string().describe('Password'),
      ...limit,
    }),
    z.object({ type: z.literal('bearer').describe('Authorization: Bearer <token>'), token: z.string().min(1).describe('The token'), ...limit }),
    z.object({
      type: z.literal('apiKey').describe('An API key in a header or query parameter'),
      name: z.string().min(1).describe('Header or query parameter name, e.g. X-API-Key or api_key'),
      value: z.string().min(1).describe('The key'),
      in: z.enum(['header', 'query']).default('header').describe('Where the key goes'),
      ...limit,
    }),
  ])
  .default({ type: 'none' })
  .describe('Authentication for the request; optional (none)');
type Credentials = z.output<typeof credentials>;
const action = actionWith(credentials);
const provider: ProviderInfo = { name: 'The HTTP endpoint' };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The request changes an auth credential implies, and the values to keep out of errors. */
function applyAuth(auth: Credentials, headers: Record<string, string>, query: Record<string, string>): string[] {
  switch (auth.type) {
    case 'none':
      return [];
    case 'basic':
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      return [auth.password];
    case 'bearer':
      headers.authorization = `Bearer ${auth.token}`;
      return [auth.token];
    case 'apiKey':
      if (auth.in === 'query') query[auth.name] = auth.value;
      else headers[auth.name.toLowerCase()] = auth.value;
      return [auth.value];
  }
}

export const http = defineConnector({
  key: 'http',
  name: 'HTTP request',
  icon: 'globe',
  description: 'Call any HTTP API',
  credentials,
  sampleCredentials: { type: 'bearer', token: 'mock-http-bearer-token' },
  // The generic "OAuth2 API" credential: the user gives the provider's endpoints; the token is sent
  // as a bearer token.
  rateLimit: (c) => (c.rateLimitPerMinute ? { requests: c.rateLimitPerMinute, perMs: 60_000 } : undefined),
  oauth2: {
    grants: ['authorization_code', 'client_credentials'],
    toCredentials: (t) => ({ type: 'bearer' as const, token: t.accessToken }),
  },
  actions: [
    action({
      key: 'request',
      name: 'Send request',
      description: 'Sends one HTTP request and returns status, headers and body (JSON parsed); with pagination, fetches every page of a list',
      input: z.object({
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET').describe('HTTP method'),
        url: z.string().url().describe('Absolute http(s) URL'),
        headers: z.record(z.string(), z.string()).optional().describe('Request headers'),
        query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe('Query parameters added to the URL'),
        body: z.unknown().optional().describe('Request body: JSON (objects, arrays…) or text'),
        bodyType: z.enum(['json', 'text', 'form']).default('json').describe('How to send the body: JSON, raw text, or form-encoded (object)'),
        failOnError: z.boolean().default(true).describe('Fail the step on 4xx/5xx answers; when false they are returned as output'),
        timeoutMs: z.coerce.number().int().min(100).max(120000).optional().describe('Give up after this many milliseconds'),
        idempotencyKey: z
          .boolean()
          .default(true)
          .describe('Send the step\'s stable Idempotency-Key header (<executionId>:<stepId>) on requests other than GET, HEAD and OPTIONS, so the endpoint can tell a repeated attempt from a new request'),
        pagination: paginationSchema,
      }),
      output: z.object({
        status: z.number().describe('The HTTP status (with pagination, the last page\'s)'),
        headers: z.record(z.string(), z.unknown()).describe('The response headers (with pagination, the last page\'s)'),
        body: z
          .unknown()
          .describe('Parsed JSON when the answer is JSON, else text; with pagination, all pages\' items in one array (or the array of page bodies with output = pages)'),
        pages: z.number().int().optional().describe('With pagination: how many pages were fetched'),
        truncated: z.boolean().optional().describe('With pagination: true when maxPages stopped it while the API had more pages'),
      }),
      sample: { method: 'GET', url: `${MOCK_ORIGIN}/http/bearer`, query: { source: 'tributary' } },
      async execute(ctx) {
        const { input } = ctx;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
        const query: Record<string, string> = Object.fromEntries(Object.entries(input.query ?? {}).map(([k, v]) => [k, String(v)]));
        // The user's headers alone, to tell whether they carry a secret (an Authorization, a Cookie…).
        const userSecrets = secretsFromHeaders(headers);
        // Kept apart so that pagination can put the credential back into every next link; merged into
        // the query in place, so the single request's URL is built exactly as before pagination existed.
        const authQuery: Record<string, string> = {};
        const secrets = applyAuth(ctx.credentials, headers, authQuery);
        Object.assign(query, authQuery);
        // The same key on every attempt of the step and after a crash; a header the user set wins.
        if (input.idempotencyKey && !SAFE_METHODS.has(input.method)) headers['idempotency-key'] ??= ctx.idempotencyKey;
        const req: HttpRequest = { method: input.method, url: input.url, headers, query, secrets, timeoutMs: input.timeoutMs };
        if (input.body !== undefined && input.body !== null && input.method !== 'GET' && input.method !== 'HEAD') {
          if (input.bodyType === 'form' && typeof input.body === 'object') {
            req.form = Object.fromEntries(Object.entries(input.body as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
          } else if (input.bodyType === 'text' || typeof input.body === 'string') {
            req.body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
            headers['content-type'] ??= input.bodyType === 'json' ? 'application/json' : 'text/plain; charset=utf-8';
          } else {
            req.json = input.body;
          }
        }
        if (!input.failOnError) req.acceptStatus = () => true;
        if (!input.pagination) {
          const res = await callProvider(ctx, provider, req);
          return { status: res.status, headers: res.headers, body: res.body };
        }

        const firstUrl = new URL(input.url);
        for (const [k, v] of Object.entries(query)) if (!(k in authQuery)) firstUrl.searchParams.append(k, v);
        const ownKey = headers['idempotency-key'] === ctx.idempotencyKey;
        return paginate(ctx, provider, input.pagination, {
          firstUrl,
          sendsCredentials: ctx.credentials.type !== 'none' || userSecrets.length > 0,
          secrets: [...secrets, ...userSecrets],
          request(url, page) {
            // The credential's query parameters replace any the API echoed into a next link, rather
            // than being sent twice.
            for (const [k, v] of Object.entries(authQuery)) url.searchParams.set(k, v);
            // Each page is a distinct request: a provider honouring idempotency keys would answer a
            // later page with the first page's stored response under the same key, so pages after the
            // first get their own stable key. A key the user set is theirs and stays as it is.
            const pageHeaders = ownKey && page > 1 ? { ...headers, 'idempotency-key': `${ctx.idempotencyKey}:page-${page}` } : headers;
            return { ...req, url: url.href, query: undefined, headers: pageHeaders };
          },
        });
      },
    }),
  ],
});
