/**
 * The gateway endpoints against a stand-in for Kong's DB-less Admin API (a real HTTP server on
 * loopback that records POST /config and answers as Kong 3.9 does): generated patterns are
 * validated against Kong's schema, stored per tenant, and pushed as the installation's whole config.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { validateKongConfig } from '../../src/kong/kong-validate.js';
import type { KongDeclarativeConfig, KongPlugin, KongRoute } from '../../src/kong/kong-types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

const USE_CASES = ['protocol_bridge', 'webhook_handler', 'smart_aggregator', 'federated_security', 'usage_tracking'] as const;
const LOGSTASH = 'http://logstash.test:8080';

interface FakeKong {
  url: string;
  pushes: { query: string; config: KongDeclarativeConfig }[];
  refuseNext: (body: unknown) => void;
  close: () => Promise<void>;
}

async function startFakeKong(): Promise<FakeKong> {
  const pushes: FakeKong['pushes'] = [];
  let refusal: unknown;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/config')) {
        res.writeHead(404).end();
        return;
      }
      if (refusal !== undefined) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(refusal));
        refusal = undefined;
        return;
      }
      const parsed = JSON.parse(body) as { config: string };
      pushes.push({ query: req.url.slice('/config'.length), config: JSON.parse(parsed.config) as KongDeclarativeConfig });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    pushes,
    refuseNext: (b) => (refusal = b),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const lastPush = (kong: FakeKong) => kong.pushes[kong.pushes.length - 1]!.config;
const routesOf = (config: KongDeclarativeConfig): KongRoute[] => (config.services ?? []).flatMap((s) => s.routes ?? []);
const pluginOf = (route: KongRoute | undefined, name: string): KongPlugin | undefined => route?.plugins?.find((p) => p.name === name);

describe('Kong gateway API', () => {
  let kong: FakeKong;
  let t: TestApp;
  let token: string;
  let workflowId: string;

  const createWorkflow = async (tok: string, trigger: Record<string, unknown>) => {
    const res = await t.request('POST', '/api/workflows', {
      token: tok,
      body: { name: 'Order bridge', trigger, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: '{{order.id}}' } }] },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const generate = (body: unknown, tok = token) => t.request('POST', '/api/kong/templates', { token: tok, body });

  beforeAll(async () => {
    kong = await startFakeKong();
    t = await createTestApp({ KONG_ADMIN_URL: kong.url, KONG_API_UPSTREAM_URL: 'http://api.internal:8080', LOGSTASH_URL: LOGSTASH });
    token = (await t.register()).token;
    workflowId = await createWorkflow(token, { type: 'webhook', responseMode: 'sync' });
  });
  afterAll(async () => {
    await t?.close();
    await kong?.close();
  });

  it('pushes gateway/kong.yml to Kong when it starts, pointed at KONG_API_UPSTREAM_URL', async () => {
    const first = await waitFor('the start-up push', async () => kong.pushes[0]);
    expect(first.query).toContain('flatten_errors=1');
    expect(first.config.services?.find((s) => s.name === 'tributary-api')?.url).toBe('http://api.internal:8080');
    expect(validateKongConfig(first.config)).toMatchObject({ valid: true, errors: [] });
  });

  it('generates the five patterns: each validated against Kong\'s schema, stored, and pushed with the rest', async () => {
    for (const useCase of USE_CASES) {
      const res = await generate({ workflow_id: workflowId, use_case: useCase });
      expect(`${useCase}: ${res.status}`).toBe(`${useCase}: 201`);
      expect(res.body).toMatchObject({ useCase, workflowId, pushed: { ok: true, status: 201 } });
      expect(res.body.description).toContain('Order bridge');
      expect(res.body.notes.length).toBeGreaterThan(0);
      expect(res.body.path).toMatch(/^\/[a-z]+\//);
      const config = res.body.config as KongDeclarativeConfig;
      expect(validateKongConfig(config).errors).toEqual([]);
      expect(config.services?.[0].url).toBe(`http://api.internal:8080/api/webhooks/${workflowId}`);
      expect(config.services?.[0].tags).toContain(`tenant:${(await t.request('GET', '/api/auth/me', { token })).body.user.tenantId}`);

      const pushed = lastPush(kong);
      expect(validateKongConfig(pushed).errors).toEqual([]);
      expect(routesOf(pushed).map((r) => r.name)).toEqual(expect.arrayContaining(['tributary-api', 'tributary-webhooks', config.services![0].routes![0].name]));
    }

    const routes = routesOf(lastPush(kong));
    const route = (useCase: string) => routes.find((r) => r.tags?.includes(`pattern:${useCase}`));
    expect(pluginOf(route('webhook_handler'), 'rate-limiting')?.config).toMatchObject({ second: 100, policy: 'local' });
    expect(pluginOf(route('smart_aggregator'), 'proxy-cache')?.config).toMatchObject({ cache_ttl: 300, strategy: 'memory' });
    expect(pluginOf(route('federated_security'), 'key-auth')).toBeDefined();
    expect(pluginOf(route('federated_security'), 'acl')?.config).toMatchObject({ allow: [expect.stringMatching(/^wf-/)] });
    expect(pluginOf(route('usage_tracking'), 'http-log')?.config).toMatchObject({ http_endpoint: LOGSTASH });
    expect(pluginOf(route('protocol_bridge'), 'request-transformer')?.config).toMatchObject({ http_method: 'POST' });

    const list = await t.request('GET', '/api/kong/templates', { token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { useCase: string }) => i.useCase).sort()).toEqual([...USE_CASES].sort());
  });

  it('regenerating a pattern replaces it', async () => {
    const res = await generate({ workflow_id: workflowId, use_case: 'webhook_handler', options: { rateLimitPerSecond: 10 } });
    expect(res.status).toBe(201);
    const list = await t.request('GET', `/api/kong/templates?workflow_id=${workflowId}`, { token });
    const handlers = list.body.items.filter((i: { useCase: string }) => i.useCase === 'webhook_handler');
    expect(handlers).toHaveLength(1);
    expect(handlers[0].options).toEqual({ rateLimitPerSecond: 10 });
    const route = routesOf(lastPush(kong)).find((r) => r.tags?.includes('pattern:webhook_handler'));
    expect(pluginOf(route, 'rate-limiting')?.config).toMatchObject({ second: 10 });
  });

  it('federated_security with jwt needs the identity provider\'s issuer and key', async () => {
    const missing = await generate({ workflow_id: workflowId, use_case: 'federated_security', options: { auth: 'jwt' } });
    expect(missing.status).toBe(400);
    expect(missing.body.details.map((d: { path: string }) => d.path)).toEqual(['options.jwtIssuer', 'options.jwtPublicKey']);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const ok = await generate({ workflow_id: workflowId, use_case: 'federated_security', options: { auth: 'jwt', jwtIssuer: 'https://idp.example', jwtPublicKey: publicKey } });
    expect(ok.status).toBe(201);
    expect(validateKongConfig(ok.body.config).errors).toEqual([]);
    const idp = lastPush(kong).consumers?.find((c) => c.custom_id === `idp:${workflowId}`);
    expect(idp?.jwt_secrets?.[0]).toMatchObject({ key: 'https://idp.example', algorithm: 'RS256', rsa_public_key: publicKey });
  });

  it('refuses what it cannot generate: other tenants\' workflows, non-webhook triggers, bad options, taken paths', async () => {
    const other = await t.register();
    expect((await generate({ workflow_id: workflowId, use_case: 'webhook_handler' }, other.token)).status).toBe(404);
    expect((await generate({ workflow_id: 'not-a-uuid', use_case: 'webhook_handler' })).status).toBe(404);
    const manual = await createWorkflow(token, { type: 'manual' });
    const notWebhook = await generate({ workflow_id: manual, use_case: 'webhook_handler' });
    expect(notWebhook.status).toBe(400);
    expect(notWebhook.body.message).toMatch(/webhook/);
    const bad = await generate({ workflow_id: workflowId, use_case: 'teleport', options: { rateLimitPerSecond: 0, extra: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['options', 'options.rateLimitPerSecond', 'use_case']);
    const reserved = await generate({ workflow_id: workflowId, use_case: 'webhook_handler', options: { path: '/api/auth/login' } });
    expect(reserved.status).toBe(400);

    const theirs = await createWorkflow(other.token, { type: 'webhook' });
    expect((await generate({ workflow_id: theirs, use_case: 'webhook_handler', options: { path: '/partners/orders' } }, other.token)).status).toBe(201);
    const taken = await generate({ workflow_id: workflowId, use_case: 'usage_tracking', options: { path: '/partners/orders' } });
    expect(taken.status).toBe(409);
  });

  it('puts API consumers in the pushed config (key in plaintext for Kong) and masks them in GET /api/kong/config', async () => {
    const created = await t.request('POST', '/api/consumers', { token, body: { username: 'partner', groups: [`wf-${workflowId}`] } });
    expect(created.status).toBe(201);
    expect(created.body.pushed).toEqual({ ok: true, status: 201, unchanged: false });
    const { consumer, apiKey } = created.body as { consumer: { id: string; kongUsername: string }; apiKey: string };
    const inKong = lastPush(kong).consumers?.find((c) => c.id === consumer.id);
    const tenantId = (await t.request('GET', '/api/auth/me', { token })).body.user.tenantId;
    // Every consumer is in its tenant's group (metered routes admit only their own tenant), plus the groups given.
    expect(inKong).toMatchObject({ username: consumer.kongUsername, keyauth_credentials: [{ key: apiKey }], acls: [{ group: `tenant-${tenantId}` }, { group: `wf-${workflowId}` }] });
    expect(validateKongConfig(lastPush(kong)).errors).toEqual([]);

    const res = await t.request('GET', '/api/kong/config', { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: true, errors: [] });
    expect(res.text).not.toContain(apiKey);
    const shown = (res.body.config as KongDeclarativeConfig).consumers?.find((c) => c.id === consumer.id);
    expect(shown?.keyauth_credentials?.[0].key).toBe(`…${apiKey.slice(-4)}`);
    // The tenant sees its own patterns, not the other tenant's /partners/orders route.
    const paths = routesOf(res.body.config).flatMap((r) => r.paths ?? []);
    expect(paths.some((p) => p.includes('/partners/orders'))).toBe(false);
    expect(routesOf(res.body.config).filter((r) => r.tags?.includes(`workflow:${workflowId}`))).toHaveLength(5);
    expect(routesOf(lastPush(kong)).some((r) => (r.paths ?? []).some((p) => p.includes('/partners/orders')))).toBe(true);

    const rotated = await t.request('POST', `/api/consumers/${consumer.id}/rotate-key`, { token });
    expect(lastPush(kong).consumers?.find((c) => c.id === consumer.id)?.keyauth_credentials).toEqual([expect.objectContaining({ key: rotated.body.apiKey })]);
  });

  it("answers 502 with Kong's errors when Kong refuses the config, and keeps nothing", async () => {
    const before = (await t.request('GET', '/api/kong/templates', { token })).body.items;
    kong.refuseNext({
      code: 14,
      name: 'invalid declarative configuration',
      message: 'declarative config is invalid',
      flattened_errors: [
        { entity_type: 'route', entity_name: `wf-${workflowId}-hooks`, entity_tags: [`workflow:${workflowId}`], errors: [{ type: 'field', field: 'paths', message: 'invalid regex' }] },
      ],
    });
    const res = await generate({ workflow_id: workflowId, use_case: 'webhook_handler', options: { rateLimitPerSecond: 42 } });
    expect(res.status).toBe(502);
    expect(res.body.message).toContain('Kong refused the configuration (HTTP 400 invalid declarative configuration)');
    expect(res.body.details).toEqual([{ entity: `route wf-${workflowId}-hooks`, workflowId, message: 'paths: invalid regex' }]);
    expect((await t.request('GET', '/api/kong/templates', { token })).body.items).toEqual(before);
  });

  it('GET /api/kong/config is for admins; templates are tenant-scoped; deleting one takes its route out of Kong', async () => {
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    const { user } = await t.register();
    await db.query(`UPDATE users SET role = 'editor' WHERE id = $1`, [user.id]);
    await db.end();
    const editor = (await t.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password123' } })).body.token;
    expect((await t.request('GET', '/api/kong/config', { token: editor })).status).toBe(403);

    const items = (await t.request('GET', '/api/kong/templates', { token })).body.items as { id: string; useCase: string }[];
    const bridge = items.find((i) => i.useCase === 'protocol_bridge')!;
    const other = await t.register();
    expect((await t.request('DELETE', `/api/kong/templates/${bridge.id}`, { token: other.token })).status).toBe(404);
    const del = await t.request('DELETE', `/api/kong/templates/${bridge.id}`, { token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ id: bridge.id, pushed: { ok: true, status: 201, unchanged: false } });
    expect(routesOf(lastPush(kong)).some((r) => r.tags?.includes('pattern:protocol_bridge'))).toBe(false);

    // Deleting the workflow removes its remaining patterns, in the database and in Kong.
    expect((await t.request('DELETE', `/api/workflows/${workflowId}`, { token })).status).toBe(204);
    await waitFor('a push without the workflow', async () => !routesOf(lastPush(kong)).some((r) => r.tags?.includes(`workflow:${workflowId}`)));
    expect((await t.request('GET', '/api/kong/templates', { token })).body.items).toEqual([]);
  });
});
