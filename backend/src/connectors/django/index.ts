/**
 * Django / Django REST framework: list and create objects on a DRF endpoint (token auth, or a
 * session login when no token is set) and submit a regular Django form with session + CSRF.
 */
import { z } from 'zod';
import type { HttpRequest } from '../../common/http/http-client.js';
import { callProvider, joinUrl, jsonBody } from '../provider-call.js';
import { actionWith, ConnectorError, defineConnector, MOCK_ORIGIN, type ActionContext, type ConnectionTestContext } from '../sdk.js';
import { djangoProvider as provider, loginWithSession } from './session.js';

const credentials = z.object({
  baseUrl: z.string().url().describe('The site root, e.g. https://app.example.com'),
  token: z.string().optional().describe('DRF token (Authorization: Token …) for API calls'),
  username: z.string().optional().describe('User for session login (form submits, or the API without a token)'),
  password: z.string().optional().describe('Password for session login'),
  loginPath: z.string().default('/accounts/login/').describe('Path of the login view'),
  apiRoot: z.string().regex(/^\/[\w\-/.]*$/, 'A path starting with /').default('/api/').describe("Path of the DRF API root (the router's index), read by Test connection with the token"),
});
type Credentials = z.output<typeof credentials>;
const action = actionWith(credentials);

const apiPath = z.string().regex(/^\/[\w\-/.]*$/, 'A path starting with /').describe('Endpoint path, e.g. /api/articles/');

async function session<I>(ctx: ActionContext<Credentials, I>) {
  const { baseUrl, loginPath, username, password } = ctx.credentials;
  if (!username || !password) throw new ConnectorError('Django session login needs a username and password in the credential');
  return loginWithSession(ctx, { baseUrl, loginPath, username, password });
}

/** Token auth when the credential has one, else a logged-in session (with CSRF on unsafe methods). */
async function authorised<I>(ctx: ActionContext<Credentials, I>, req: HttpRequest): Promise<HttpRequest> {
  const { token } = ctx.credentials;
  if (token) return { ...req, headers: { ...req.headers, authorization: `Token ${token}` }, secrets: [token] };
  const s = await session(ctx);
  return s.sign(req, req.url);
}

export const django = defineConnector({
  key: 'django',
  name: 'Django',
  icon: 'database',
  description: 'Django REST framework endpoints and Django forms',
  credentials,
  sampleCredentials: { baseUrl: `${MOCK_ORIGIN}/django`, token: '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', username: 'demo', password: 'demo-password' },
  test: testConnection,
  actions: [
    action({
      key: 'list_objects',
      name: 'List objects',
      description: 'GET a DRF list endpoint; paginated answers give results, count and next',
      input: z.object({ path: apiPath, query: z.record(z.string(), z.string()).optional().describe('Filters and page parameters') }),
      output: z.object({ results: z.array(z.unknown()), count: z.number(), next: z.string().nullable() }),
      sample: { path: '/api/articles/' },
      async execute(ctx) {
        const req = await authorised(ctx, { url: joinUrl(ctx.credentials.baseUrl, ctx.input.path), query: ctx.input.query, headers: { accept: 'application/json' } });
        const body = jsonBody<unknown>(await callProvider(ctx, provider, req), provider);
        if (Array.isArray(body)) return { results: body, count: body.length, next: null };
        const page = body as { results?: unknown[]; count?: number; next?: string | null };
        const results = page.results ?? [body];
        return { results, count: page.count ?? results.length, next: page.next ?? null };
      },
    }),
    action({
      key: 'create_object',
      name: 'Create object',
      description: 'POST JSON to a DRF endpoint; validation errors name the fields',
      input: z.object({ path: apiPath, data: z.record(z.string(), z.unknown()).describe('The object as JSON') }),
      output: z.record(z.string(), z.unknown()).describe('The created object as the API returns it'),
      sample: { path: '/api/articles/', data: { title: 'Created by Tributary', body: 'Hello from a workflow' } },
      async execute(ctx) {
        const url = joinUrl(ctx.credentials.baseUrl, ctx.input.path);
        const req = await authorised(ctx, { method: 'POST', url, json: ctx.input.data, headers: { accept: 'application/json' }, retries: 0 });
        return jsonBody<Record<string, unknown>>(await callProvider(ctx, { ...provider, reason: fieldErrors }, req), provider);
      },
    }),
    action({
      key: 'submit_form',
      name: 'Submit form (session + CSRF)',
      description: 'Logs in like a browser, then posts a Django form with the CSRF token; a redirect means success',
      input: z.object({
        path: z.string().regex(/^\/[\w\-/.]*$/, 'A path starting with /').describe('Path of the form view, e.g. /forms/contact/'),
        fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('Form field names and values'),
      }),
      output: z.object({
        status: z.number(),
        redirectedTo: z.string().nullable().describe('Location of the redirect Django answered (success page)'),
      }),
      sample: { path: '/forms/contact/', fields: { name: 'Ada', email: 'ada@example.com', message: 'Sent by Tributary' } },
      async execute(ctx) {
        const s = await session(ctx);
        const url = joinUrl(ctx.credentials.baseUrl, ctx.input.path);
        const form = Object.fromEntries(Object.entries(ctx.input.fields).map(([k, v]) => [k, String(v)]));
        form.csrfmiddlewaretoken = s.jar.get('csrftoken') ?? '';
        const res = await callProvider(ctx, provider, s.sign({ method: 'POST', url, form, retries: 0 }, url));
        const location = typeof res.headers.location === 'string' ? res.headers.location : null;
        if (location && /login/.test(location)) throw new ConnectorError('Django redirected the form to the login page: the session was not accepted');
        const errors = res.status === 200 ? /class="errorlist[^"]*">\s*<li>([^<]+)/.exec(res.text)?.[1] : undefined;
        if (errors) throw new ConnectorError(`Django rejected the form: ${errors}`, { status: 200 });
        return { status: res.status, redirectedTo: location };
      },
    }),
  ],
});

/**
 * Tests what the credential holds, as the actions would use it: the token with a GET of the API root
 * (DRF authenticates a token before any permission check, so a wrong one is 401 even where the root
 * is public), and the username and password with a session login, the only way Django checks a
 * password. That login is a POST, but it creates nothing beyond a session, as every form submit does.
 */
async function testConnection(ctx: ConnectionTestContext<Credentials>): Promise<string> {
  const { baseUrl, token, username, password, loginPath, apiRoot } = ctx.credentials;
  if (!token && !(username && password)) {
    throw new ConnectorError('The Django credential has neither a token nor a username and password: there is nothing to test');
  }
  const passed: string[] = [];
  if (token) {
    const res = await callProvider(ctx, provider, {
      url: joinUrl(baseUrl, apiRoot),
      headers: { accept: 'application/json', authorization: `Token ${token}` },
      secrets: [token],
    }).catch((err: unknown) => {
      if (err instanceof ConnectorError && err.status === 404) {
        throw new ConnectorError(`Django has no API root at ${apiRoot} (404): set the credential's API root path`, { status: 404 });
      }
      throw err;
    });
    const root = res.body && typeof res.body === 'object' && !Array.isArray(res.body) ? Object.keys(res.body) : [];
    passed.push(`accepted the token${root.length ? ` (the API lists ${root.slice(0, 5).join(', ')}${root.length > 5 ? ', …' : ''})` : ''}`);
  }
  if (username && password) {
    await loginWithSession(ctx, { baseUrl, loginPath, username, password });
    passed.push(`logged in ${username}`);
  }
  return `Django ${passed.join(' and ')}`;
}

/** DRF validation errors: { field: ["message"] } → "field: message". */
function fieldErrors(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const entries = Object.entries(body as Record<string, unknown>);
  if (!entries.every(([, v]) => Array.isArray(v))) return undefined;
  return entries.map(([k, v]) => `${k}: ${(v as unknown[]).join(' ')}`).join('; ');
}
