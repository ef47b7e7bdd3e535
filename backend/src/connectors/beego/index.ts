/**
 * Beego REST services, in the shape `bee api` generates: /v1/<resource> answers GetAll with a map
 * keyed by id, Get with one object, Post with the new id ({ "ObjectId": … } or { "uid": … }).
 */
import { z } from 'zod';
import { callProvider, joinUrl, type ProviderInfo } from '../provider-call.js';
import { actionWith, ConnectorError, defineConnector, MOCK_ORIGIN, type ActionContext } from '../sdk.js';

const credentials = z.object({
  baseUrl: z.string().url().describe('The service root, e.g. https://api.example.com (resources live under /v1)'),
  token: z.string().optional().describe('Bearer token, when the service checks one'),
  apiVersion: z.string().default('v1').describe('The router namespace, v1 for bee-generated APIs'),
  testResource: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'A resource name such as object or user')
    .default('object')
    .describe('A resource Test connection lists (GET /<namespace>/<resource>); object exists in bee-generated APIs'),
});
type Credentials = z.output<typeof credentials>;
const action = actionWith(credentials);
const provider: ProviderInfo = { name: 'The Beego service', messages: { 401: 'rejected the token', 404: 'has no such resource or record' } };

const resource = z.string().regex(/^[A-Za-z0-9_-]+$/, 'A resource name such as object or user').describe('Resource (controller) name, e.g. object, user');

function call(ctx: Pick<ActionContext<Credentials, unknown>, 'credentials'>, path: string) {
  const { baseUrl, token, apiVersion } = ctx.credentials;
  return {
    url: joinUrl(baseUrl, `/${apiVersion}${path}`),
    headers: token ? { authorization: `Bearer ${token}` } : undefined,
    secrets: token ? [token] : [],
  };
}

export const beego = defineConnector({
  key: 'beego',
  name: 'Beego REST',
  icon: 'server',
  description: 'Read and create records in a Beego REST service',
  credentials,
  sampleCredentials: { baseUrl: `${MOCK_ORIGIN}/beego`, token: 'mock-beego-token' },
  /**
   * A Beego service has no standard "who am I" route, so the test lists one resource (the
   * credential's test resource, `object` by default, which `bee api` generates): a GET that proves
   * the service answers and, when a token is set, that it accepts it.
   */
  async test(ctx) {
    const { apiVersion, testResource, token } = ctx.credentials;
    const path = `/${apiVersion}/${testResource}`;
    const res = await callProvider(ctx, provider, call(ctx, `/${testResource}`)).catch((failure: unknown) => {
      if (!(failure instanceof ConnectorError) || failure.status !== 404) throw failure;
      throw new ConnectorError(`The Beego service has no ${path} (404): set the credential's test resource to one it serves`, { status: 404 });
    });
    const body = res.body;
    const count = Array.isArray(body) ? body.length : body && typeof body === 'object' ? Object.keys(body).length : undefined;
    const what = count === undefined ? 'answered' : `listed ${count} record${count === 1 ? '' : 's'}`;
    return `The Beego service ${what} at ${path}${token ? ' with the token' : ' (no token set)'}`;
  },
  actions: [
    action({
      key: 'list',
      name: 'List records',
      description: 'All records of a resource, as an array (a map answer is turned into its values)',
      input: z.object({ resource }),
      output: z.object({ items: z.array(z.unknown()), count: z.number() }),
      sample: { resource: 'object' },
      async execute(ctx) {
        const res = await callProvider(ctx, provider, call(ctx, `/${ctx.input.resource}`));
        const body = res.body;
        const items = Array.isArray(body) ? body : body && typeof body === 'object' ? Object.values(body) : [];
        return { items, count: items.length };
      },
    }),
    action({
      key: 'get',
      name: 'Get record',
      description: 'One record by id',
      input: z.object({ resource, id: z.string().min(1).describe('Record id, e.g. hjkhsbnmn123') }),
      output: z.object({ item: z.unknown() }),
      sample: { resource: 'object', id: 'hjkhsbnmn123' },
      async execute(ctx) {
        const res = await callProvider(ctx, provider, call(ctx, `/${ctx.input.resource}/${encodeURIComponent(ctx.input.id)}`));
        return { item: res.body };
      },
    }),
    action({
      key: 'create',
      name: 'Create record',
      description: 'Posts a new record as JSON and returns its id',
      input: z.object({ resource, data: z.record(z.string(), z.unknown()).describe('The record as JSON') }),
      output: z.object({ id: z.string().nullable().describe('The new id, when the service answers one'), response: z.unknown() }),
      sample: { resource: 'object', data: { Score: 42, PlayerName: 'tributary' } },
      async execute(ctx) {
        const res = await callProvider(ctx, provider, { method: 'POST', ...call(ctx, `/${ctx.input.resource}`), json: ctx.input.data });
        const body = res.body as Record<string, unknown> | string | null;
        const id = body && typeof body === 'object' ? (body.ObjectId ?? body.uid ?? body.id ?? body.Id ?? null) : typeof body === 'string' ? body : null;
        return { id: id === null ? null : String(id), response: body };
      },
    }),
  ],
});
