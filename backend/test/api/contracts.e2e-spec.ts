/**
 * The api answers what @tributary/contracts says it answers: real responses of the real api (real
 * PostgreSQL and Redis) parsed with the contract's schemas. The response schemas are strict objects,
 * so a field the api adds, drops or renames without the contract fails here; the dashboard's types
 * are the same schemas' types.
 */
import {
  environmentListSchema,
  variableListSchema,
  variableSchema,
  workflowPromotionSchema,
  apiKeySchema,
  createdApiKeySchema,
  apiConsumerSchema,
  apiConsumerWithKeySchema,
  auditEntrySchema,
  authOptionsSchema,
  connectorSchema,
  consumerUsageSchema,
  createdInvitationSchema,
  credentialSchema,
  credentialTestSchema,
  credentialUsageSchema,
  dryRunResultSchema,
  executionSchema,
  executionStartedSchema,
  executionSummarySchema,
  generatedKongTemplateSchema,
  invitationSchema,
  kongTemplateSchema,
  kongTenantConfigSchema,
  meSchema,
  pageSchema,
  publishResultSchema,
  serverMessageSchema,
  sessionSchema,
  ssoSettingsSchema,
  statsSchema,
  teamMemberSchema,
  workflowSchema,
  workflowVersionListSchema,
} from '@tributary/contracts';
import { z } from 'zod';
import { startOidcIdp } from '../../../scripts/oidc-idp/server.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { WsClient } from '../helpers/ws-client.js';

/** Parses a response body with a contract schema; a mismatch fails with the paths that differ. */
function expectContract<S extends z.ZodType>(schema: S, res: { status: number; body: unknown }, status = 200): z.output<S> {
  expect(res.status).toBe(status);
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) throw new Error(`response does not match the contract:\n${z.prettifyError(parsed.error)}\n${JSON.stringify(res.body, null, 2)}`);
  return parsed.data;
}

describe('contracts: real api responses parse with @tributary/contracts', () => {
  let t: TestApp;
  let token: string;
  let ws: WsClient | undefined;

  beforeAll(async () => {
    t = await createTestApp();
    await t.startWorker();
    token = (await t.register()).token;
  });
  afterAll(async () => {
    ws?.ws.terminate();
    await t?.close();
  });

  const get = (url: string) => t.request('GET', url, { token });
  const post = (url: string, body?: unknown) => t.request('POST', url, { token, body });

  it('sessions and users: register, login, me', async () => {
    const reg = await t.request('POST', '/api/auth/register', { body: { email: `contract-${Date.now()}@example.com`, password: 'password123', name: 'Contract' } });
    const session = expectContract(sessionSchema, reg, 201);
    expectContract(sessionSchema, await t.request('POST', '/api/auth/login', { body: { email: session.user.email, password: 'password123' } }), 200);
    expectContract(meSchema, await t.request('GET', '/api/auth/me', { token: session.token }));
  });

  it('workflows of every trigger type, their versions, and the connector catalogue', async () => {
    const step = { id: 'greet', connector: 'core', action: 'transform', input: { value: 'Hello {{name}}' } };
    for (const trigger of [{ type: 'webhook', secret: 'a-long-secret' }, { type: 'schedule', cron: '*/5 * * * *', timezone: 'Europe/Paris' }, { type: 'event', topic: 'order.*' }, { type: 'manual' }]) {
      expectContract(workflowSchema, await post('/api/workflows', { name: `wf ${trigger.type}`, trigger, steps: [step] }), 201);
    }
    const list = expectContract(pageSchema(workflowSchema), await get('/api/workflows?limit=10'));
    expect(list.items).toHaveLength(4);
    const id = list.items[0].id;
    expectContract(workflowSchema, await get(`/api/workflows/${id}`));
    expectContract(workflowSchema, await t.request('PUT', `/api/workflows/${id}`, { token, body: { name: 'renamed' } }));
    expectContract(workflowSchema, await t.request('PUT', `/api/workflows/${id}/toggle`, { token, body: {} }));
    expectContract(workflowVersionListSchema, await get(`/api/workflows/${id}/versions`));
    expectContract(workflowSchema, await post(`/api/workflows/${id}/rollback/1`));
    expectContract(z.array(connectorSchema), await get('/api/connectors'));
  });

  it('executions, their steps, dry runs and stats; the live events of a run', async () => {
    ws = await WsClient.authed(t.baseUrl, token);
    const wf = expectContract(
      workflowSchema,
      await post('/api/workflows', {
        name: 'Run me',
        trigger: { type: 'manual' },
        steps: [
          { id: 'first', connector: 'core', action: 'transform', input: { value: '{{greeting}}' } },
          { id: 'second', connector: 'core', action: 'transform', input: { value: '{{steps.first.output}}!' } },
        ],
      }),
      201,
    );
    const { executionId } = expectContract(executionStartedSchema, await post(`/api/workflows/${wf.id}/run`, { payload: { greeting: 'hi' } }), 202);
    const detail = await waitFor('the run to finish', async () => {
      const r = await get(`/api/executions/${executionId}`);
      return r.body?.status === 'succeeded' ? r : undefined;
    });
    const execution = expectContract(executionSchema, detail);
    expect(execution.steps.map((s) => s.stepId)).toEqual(['first', 'second']);
    expectContract(pageSchema(executionSummarySchema), await get('/api/executions'));
    expectContract(pageSchema(executionSummarySchema), await get(`/api/logs?workflowId=${wf.id}`));
    expectContract(statsSchema, await get('/api/stats'));
    expectContract(dryRunResultSchema, await post(`/api/workflows/${wf.id}/dry-run`, { payload: { greeting: 'dry' } }));
    expectContract(dryRunResultSchema, await post('/api/workflows/dry-run', { workflow: { steps: [{ id: 'x', connector: 'core', action: 'transform', input: { value: 1 } }] }, payload: {} }));

    // A failed run can be retried.
    const failing = expectContract(
      workflowSchema,
      await post('/api/workflows', { name: 'Fails', trigger: { type: 'manual' }, steps: [{ id: 'boom', connector: 'core', action: 'delay', input: { seconds: '{{seconds}}' } }] }),
      201,
    );
    const run = expectContract(executionStartedSchema, await post(`/api/workflows/${failing.id}/run`, { payload: { seconds: 'not-a-number' } }), 202);
    await waitFor('the failing run', async () => ((await get(`/api/executions/${run.executionId}`)).body?.status === 'failed' ? true : undefined));
    expectContract(executionStartedSchema, await post(`/api/executions/${run.executionId}/retry`), 202);

    // Every message the socket got: the envelope and each event's payload as the contract says.
    await ws.next('execution.succeeded', (d: { executionId: string }) => d.executionId === executionId);
    await ws.next('execution.failed', (d: { executionId: string }) => d.executionId === run.executionId);
    const events = new Set<string>();
    for (const m of ws.messages) {
      const parsed = serverMessageSchema.safeParse(m);
      if (!parsed.success) throw new Error(`${m.event} does not match the contract:\n${z.prettifyError(parsed.error)}\n${JSON.stringify(m)}`);
      events.add(m.event);
    }
    expect([...events]).toEqual(
      expect.arrayContaining(['auth_success', 'system', 'workflow.updated', 'execution.queued', 'execution.started', 'execution.step', 'execution.succeeded', 'execution.failed']),
    );
  });

  it('published events, with their live event', async () => {
    ws ??= await WsClient.authed(t.baseUrl, token);
    expectContract(publishResultSchema, await post('/api/events', { topic: 'order.created', data: { id: 1 } }), 201);
    const live = await ws.next('event.published', (d: { topic: string }) => d.topic === 'order.created');
    serverMessageSchema.parse(live);
    ws.send('ping');
    serverMessageSchema.parse(await ws.next('pong'));
    ws.send('subscribe', { topics: ['execution.*'] });
    serverMessageSchema.parse(await ws.next('subscribed'));
  });

  it('credentials', async () => {
    const connectors = z.array(connectorSchema).parse((await get('/api/connectors')).body);
    const slack = connectors.find((c) => c.key === 'slack')!;
    const data = Object.fromEntries(Object.keys(slack.credentials?.properties ?? {}).map((k) => [k, k.toLowerCase().includes('url') ? 'http://127.0.0.1:4010/slack/webhook/x' : 'secret-value']));
    const created = expectContract(credentialSchema, await post('/api/credentials', { connector: 'slack', name: 'Mine', data }), 201);
    expectContract(credentialSchema, await get(`/api/credentials/${created.id}`));
    expectContract(pageSchema(credentialSchema), await get('/api/credentials'));
    expectContract(credentialTestSchema, await post(`/api/credentials/${created.id}/test`, {}));
    expectContract(credentialUsageSchema, await get(`/api/credentials/${created.id}/usage`));
  });

  it('API consumers and Kong templates', async () => {
    const wf = expectContract(workflowSchema, await post('/api/workflows', { name: 'Gateway', trigger: { type: 'webhook' }, steps: [] }), 201);
    const created = expectContract(apiConsumerWithKeySchema, await post('/api/consumers', { username: 'partner', groups: [`wf-${wf.id}`] }), 201);
    const id = created.consumer.id;
    expectContract(pageSchema(apiConsumerSchema), await get('/api/consumers'));
    expectContract(apiConsumerSchema, await get(`/api/consumers/${id}`));
    expectContract(apiConsumerWithKeySchema, await post(`/api/consumers/${id}/rotate-key`), 201); // Nest's default for a POST
    expectContract(consumerUsageSchema, await get(`/api/consumers/${id}/usage`));
    expectContract(generatedKongTemplateSchema, await post('/api/kong/templates', { workflow_id: wf.id, use_case: 'webhook_handler' }), 201);
    expectContract(generatedKongTemplateSchema, await post('/api/kong/templates', { workflow_id: wf.id, use_case: 'federated_security', options: { allowGroups: ['partners'] } }), 201);
    expectContract(pageSchema(kongTemplateSchema), await get('/api/kong/templates'));
    expectContract(kongTenantConfigSchema, await get('/api/kong/config'));
  });

  it('team members and invitations', async () => {
    expectContract(pageSchema(teamMemberSchema), await get('/api/users'));
    expectContract(createdInvitationSchema, await post('/api/invitations', { email: `invitee-${Date.now()}@example.com`, role: 'editor' }), 201);
    expectContract(pageSchema(invitationSchema), await get('/api/invitations'));
  });

  it('the audit log and its NDJSON export', async () => {
    const page = expectContract(pageSchema(auditEntrySchema), await get('/api/audit?action=auth.'));
    expect(page.items.length).toBeGreaterThan(0);
    const res = await fetch(`${t.baseUrl}/api/audit/export?action=auth.`, { headers: { authorization: `Bearer ${token}` } });
    for (const line of (await res.text()).split('\n').filter(Boolean)) expectContract(auditEntrySchema, { status: res.status, body: JSON.parse(line) });
  });

  it('API keys', async () => {
    const created = expectContract(createdApiKeySchema, await post('/api/api-keys', { name: 'contract', scope: 'read', expiresAt: new Date(Date.now() + 86_400_000).toISOString() }), 201);
    expectContract(pageSchema(apiKeySchema), await get('/api/api-keys'));
    expectContract(apiKeySchema, await t.request('GET', '/api/api-keys/current', { token: created.key }));
  });

  it('variables, environments and promotion', async () => {
    const v = expectContract(variableSchema, await post('/api/variables', { name: 'CONTRACT_BASE', values: { staging: 'https://s', production: 'https://p' } }), 201);
    expectContract(variableSchema, await post('/api/variables', { name: 'CONTRACT_SECRET', secret: true, defaultValue: 'a-long-secret-value' }), 201);
    expectContract(variableSchema, await t.request('PUT', `/api/variables/${v.id}`, { token, body: { values: { qa: 'https://q' } } }));
    expectContract(variableSchema, await get(`/api/variables/${v.id}`));
    expectContract(variableListSchema, await get('/api/variables'));
    const wf = expectContract(workflowSchema, await post('/api/workflows', { name: 'promote me', trigger: { type: 'manual' }, environment: 'staging', steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: '{{vars.CONTRACT_BASE}}' } }] }), 201);
    expectContract(workflowPromotionSchema, await post(`/api/workflows/${wf.id}/promote`, { environment: 'production' }));
    expectContract(environmentListSchema, await get('/api/environments'));
  });

  it('SSO settings and the login page options', async () => {
    expectContract(authOptionsSchema, await t.request('GET', '/api/auth/options'));
    expectContract(authOptionsSchema, await t.request('GET', '/api/auth/options?email=someone%40example.com'));
    expectContract(ssoSettingsSchema, await get('/api/sso'));
    const idp = await startOidcIdp({ clients: [{ clientId: 'contract', clientSecret: 'contract-secret', redirectUris: [`${t.config.publicUrl}/api/auth/sso/callback`] }] });
    try {
      const body = { issuer: idp.issuer, clientId: 'contract', clientSecret: 'contract-secret', allowedDomains: [`contract-${Date.now()}.test`] };
      expectContract(ssoSettingsSchema, await t.request('PUT', '/api/sso', { token, body }));
      expectContract(ssoSettingsSchema, await get('/api/sso'));
    } finally {
      await idp.close();
    }
  });
});
