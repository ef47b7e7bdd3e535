/** Salesforce REST API (v60.0): create records and run SOQL queries with an OAuth access token. */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { actionWith, defineConnector, MOCK_ORIGIN, type ActionContext, type ConnectionTestContext } from '../sdk.js';

const API_VERSION = 'v60.0';

const credentials = z.object({
  instanceUrl: z.string().url().describe('Your org\'s instance URL, e.g. https://yourcompany.my.salesforce.com'),
  accessToken: z.string().min(1).describe('OAuth 2.0 access token (Bearer) for the REST API'),
});
type Credentials = z.output<typeof credentials>;
const action = actionWith(credentials);

const provider: ProviderInfo = {
  name: 'Salesforce',
  messages: { 401: 'rejected the access token', 400: 'refused the request' },
};

function api(ctx: Pick<ActionContext<Credentials, unknown>, 'credentials'>, path: string) {
  return {
    url: joinUrl(ctx.credentials.instanceUrl, `/services/data/${API_VERSION}${path}`),
    headers: { authorization: `Bearer ${ctx.credentials.accessToken}`, accept: 'application/json' },
    secrets: [ctx.credentials.accessToken],
  };
}

const sobjectName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'An sObject API name such as Account or Invoice__c');

export const salesforce = defineConnector({
  key: 'salesforce',
  name: 'Salesforce',
  icon: 'cloud',
  description: 'Create records and query data with SOQL',
  credentials,
  sampleCredentials: { instanceUrl: `${MOCK_ORIGIN}/salesforce`, accessToken: '00DMOCK000000000001!mock-salesforce-access-token' },
  test: testConnection,
  // Salesforce's web server flow (authorization code with PKCE) on login.salesforce.com; the token
  // answer names the org's instance URL, which is where the REST API is called.
  oauth2: {
    grants: ['authorization_code', 'client_credentials'],
    defaultScopes: ['api', 'refresh_token'],
    endpoints: (base) => {
      const login = base('https://login.salesforce.com');
      return { authorizationUrl: `${login}/services/oauth2/authorize`, tokenUrl: `${login}/services/oauth2/token`, revocationUrl: `${login}/services/oauth2/revoke` };
    },
    toCredentials: (t, base) => ({ instanceUrl: typeof t.extra.instance_url === 'string' ? t.extra.instance_url : base('https://login.salesforce.com'), accessToken: t.accessToken }),
  },
  actions: [
    action({
      key: 'create_record',
      name: 'Create record',
      description: 'Creates an sObject record (Account, Contact, Lead, a custom object…) and returns its id',
      input: z.object({
        sobject: sobjectName.describe('The sObject API name, e.g. Account, Contact, Invoice__c'),
        fields: z.record(z.string(), z.unknown()).describe('Field API names and values, e.g. { "Name": "Acme" }'),
      }),
      output: z.object({ id: z.string().describe('The new record id'), success: z.boolean() }),
      sample: { sobject: 'Account', fields: { Name: 'Tributary Test Co', Industry: 'Technology' } },
      async execute(ctx) {
        const res = await callProvider(ctx, provider, { method: 'POST', ...api(ctx, `/sobjects/${ctx.input.sobject}`), json: ctx.input.fields });
        const body = res.body as { id: string; success: boolean };
        return { id: body.id, success: body.success };
      },
    }),
    action({
      key: 'query',
      name: 'Query (SOQL)',
      description: 'Runs a SOQL query and returns the matching records',
      input: z.object({ soql: z.string().min(1).describe("A SOQL query, e.g. SELECT Id, Name FROM Account WHERE Industry = 'Energy' LIMIT 10") }),
      output: z.object({
        totalSize: z.number().describe('How many records match'),
        done: z.boolean().describe('false when more records are available than returned'),
        records: z.array(z.record(z.string(), z.unknown())).describe('The records, with their fields (attributes removed)'),
      }),
      sample: { soql: 'SELECT Id, Name, Industry FROM Account LIMIT 5' },
      async execute(ctx) {
        const res = await callProvider(ctx, provider, { method: 'GET', ...api(ctx, '/query'), query: { q: ctx.input.soql } });
        const body = res.body as { totalSize: number; done: boolean; records: Record<string, unknown>[] };
        const records = body.records.map(({ attributes: _a, ...fields }) => fields);
        return { totalSize: body.totalSize, done: body.done, records };
      },
    }),
  ],
});

/**
 * `GET /services/data/vXX.X/limits`: a read of the org's allocations, in the REST API's own error
 * shape (an expired token is 401 INVALID_SESSION_ID, as for the actions), and its answer tells how
 * much of the daily API allocation is left. The resource needs the "View Setup and Configuration"
 * permission: a user without it gets a 403, reported as Salesforce refusing access.
 */
async function testConnection(ctx: ConnectionTestContext<Credentials>): Promise<string> {
  const res = await callProvider(ctx, provider, api(ctx, '/limits'));
  const daily = jsonBody<{ DailyApiRequests?: { Max: number; Remaining: number } }>(res, provider).DailyApiRequests;
  if (!daily) return 'Salesforce accepted the access token';
  const n = (v: number) => v.toLocaleString('en-US');
  return `Salesforce accepted the access token (${n(daily.Remaining)} of ${n(daily.Max)} daily API requests left)`;
}
