import { generateKeyPairSync } from 'node:crypto';
import { ValidationError } from '../common/errors.js';
import { loadBaseKongConfig } from './kong-files.js';
import { mergeKongConfigs, redactKongSecrets } from './kong-merge.js';
import {
  ANONYMOUS_CONSUMER,
  consumerConfig,
  generateKongTemplate,
  tenantGroup,
  KONG_USE_CASES,
  kongSlug,
  type KongTemplateInput,
  type KongUseCase,
} from './kong-templates.js';
import type { KongPlugin, KongRoute } from './kong-types.js';
import { validateKongConfig } from './kong-validate.js';

const WORKFLOW_ID = '3f2a9c1e-7b4d-4e2a-9f10-5c6d7e8f9a0b';
const workflow = { id: WORKFLOW_ID, name: 'SOAP order lookup', trigger: { type: 'webhook', responseMode: 'sync' } };
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

function generate(useCase: KongUseCase, overrides: Partial<KongTemplateInput> = {}) {
  return generateKongTemplate({ workflow, useCase, apiUpstreamUrl: 'http://api:8080', ...overrides });
}

function onlyRoute(useCase: KongUseCase, overrides: Partial<KongTemplateInput> = {}): KongRoute {
  const routes = generate(useCase, overrides).config.services?.flatMap((s) => s.routes ?? []) ?? [];
  expect(routes).toHaveLength(1);
  return routes[0];
}

const pluginConfig = (route: KongRoute, name: string) => route.plugins?.find((p: KongPlugin) => p.name === name)?.config;

describe('generated Kong templates: each pattern passes Kong declarative schema, plugin configs and DB-less rules', () => {
  const cases: [string, KongUseCase, KongTemplateInput['options']][] = [
    ['protocol_bridge', 'protocol_bridge', undefined],
    ['webhook_handler', 'webhook_handler', undefined],
    ['smart_aggregator', 'smart_aggregator', undefined],
    ['federated_security (key-auth + acl)', 'federated_security', { auth: 'key-auth' }],
    ['federated_security (jwt RS256 + key-auth via anonymous + acl)', 'federated_security', { auth: 'jwt', jwtIssuer: 'https://idp.example.com', jwtPublicKey: publicKey }],
    ['usage_tracking (key-auth + http-log to Logstash + prometheus per consumer)', 'usage_tracking', undefined],
  ];
  it.each(cases)('%s validates with no errors, alone and merged with gateway/kong.yml', (_label, useCase, options) => {
    const template = generate(useCase, { options });
    expect(template.useCase).toBe(useCase);
    expect(template.description).toContain('SOAP order lookup');
    expect(template.notes.length).toBeGreaterThan(0);
    const alone = validateKongConfig(template.config);
    expect(alone.errors).toEqual([]);
    const whole = validateKongConfig(mergeKongConfigs(loadBaseKongConfig(), template.config));
    expect(whole.errors).toEqual([]);
  });

  it('all five patterns of one workflow merge into one valid tenant config (one service, five routes)', () => {
    const parts = KONG_USE_CASES.map((useCase) => generate(useCase).config);
    const merged = mergeKongConfigs(loadBaseKongConfig(), ...parts, consumerConfig({ username: 'acme', apiKeys: ['acme-key-0001'], groups: [`wf-${WORKFLOW_ID}`] }));
    const result = validateKongConfig(merged);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const service = merged.services?.find((s) => s.name === `wf-${WORKFLOW_ID}`);
    expect(service?.routes?.map((r) => r.paths?.[0])).toEqual([
      `~/bridge/${WORKFLOW_ID}/?$`,
      `~/hooks/${WORKFLOW_ID}/?$`,
      `~/aggregate/${WORKFLOW_ID}/?$`,
      `~/secure/${WORKFLOW_ID}/?$`,
      `~/metered/${WORKFLOW_ID}/?$`,
    ]);
    expect(merged.services?.map((s) => s.name)).toEqual(['tributary-api', `wf-${WORKFLOW_ID}`]);
  });
});

describe('what each pattern configures', () => {
  it('every pattern proxies to the workflow webhook on the api, without retries, tagged with the workflow id', () => {
    for (const useCase of KONG_USE_CASES) {
      const [service] = generate(useCase, { apiUpstreamUrl: 'http://api:8080/' }).config.services ?? [];
      expect(service.url).toBe(`http://api:8080/api/webhooks/${WORKFLOW_ID}`);
      expect(service.retries).toBe(0);
      expect(service.tags).toEqual(expect.arrayContaining(['tributary', `workflow:${WORKFLOW_ID}`, `pattern:${useCase}`]));
    }
  });

  it('protocol_bridge: REST route /bridge/<id> forced to a JSON POST by request-transformer', () => {
    const route = onlyRoute('protocol_bridge');
    expect(route.paths).toEqual([`~/bridge/${WORKFLOW_ID}/?$`]);
    expect(route.strip_path).toBe(true);
    expect(pluginConfig(route, 'request-transformer')).toMatchObject({
      http_method: 'POST',
      remove: { headers: expect.arrayContaining(['Content-Type', 'X-Consumer-ID']) },
      add: { headers: ['Content-Type:application/json'] },
    });
  });

  it('protocol_bridge on an async webhook says the caller would get 202, not the SOAP answer', () => {
    const template = generate('protocol_bridge', { workflow: { ...workflow, trigger: { type: 'webhook', responseMode: 'async' } } });
    expect(template.notes.join(' ')).toContain("responseMode is 'async'");
  });

  it('webhook_handler: POST only, rate-limiting 100 per second with policy local', () => {
    const route = onlyRoute('webhook_handler');
    expect(route.methods).toEqual(['POST']);
    expect(pluginConfig(route, 'rate-limiting')).toMatchObject({ second: 100, policy: 'local', limit_by: 'ip' });
    expect(pluginConfig(onlyRoute('webhook_handler', { options: { rateLimitPerSecond: 5 } }), 'rate-limiting')).toMatchObject({ second: 5 });
  });

  it('smart_aggregator: proxy-cache in memory for 300 s, caching both JSON content types', () => {
    const route = onlyRoute('smart_aggregator');
    expect(route.methods).toEqual(['GET', 'HEAD']);
    expect(pluginConfig(route, 'proxy-cache')).toMatchObject({
      strategy: 'memory',
      cache_ttl: 300,
      content_type: ['application/json', 'application/json; charset=utf-8'],
    });
    expect(pluginConfig(route, 'request-transformer')).toMatchObject({ http_method: 'POST' });
  });

  it('federated_security with key-auth: key-auth then acl allowing the workflow group (or the groups given)', () => {
    const route = onlyRoute('federated_security');
    expect(route.plugins?.map((p) => p.name)).toEqual(['key-auth', 'acl']);
    expect(pluginConfig(route, 'acl')).toMatchObject({ allow: [`wf-${WORKFLOW_ID}`] });
    const custom = onlyRoute('federated_security', { options: { allowGroups: ['gold', 'silver'] } });
    expect(pluginConfig(custom, 'acl')).toMatchObject({ allow: ['gold', 'silver'] });
  });

  it("federated_security with jwt: the identity provider's RS256 key as a jwt_secret, key-auth and jwt through an anonymous consumer, acl", () => {
    const template = generate('federated_security', { options: { auth: 'jwt', jwtIssuer: 'https://idp.example.com', jwtPublicKey: publicKey, allowGroups: ['partners'] } });
    const route = template.config.services?.[0].routes?.[0];
    expect(route?.plugins?.map((p) => p.name)).toEqual(['jwt', 'key-auth', 'acl']);
    expect(pluginConfig(route!, 'jwt')).toMatchObject({ key_claim_name: 'iss', claims_to_verify: ['exp'], anonymous: ANONYMOUS_CONSUMER });
    expect(pluginConfig(route!, 'key-auth')).toMatchObject({ anonymous: ANONYMOUS_CONSUMER });
    const idp = template.config.consumers?.find((c) => c.username === `idp-${WORKFLOW_ID}`);
    expect(idp?.jwt_secrets?.[0]).toMatchObject({ key: 'https://idp.example.com', algorithm: 'RS256', rsa_public_key: publicKey });
    expect(idp?.acls).toEqual([expect.objectContaining({ group: 'partners' })]);
    expect(template.config.consumers?.map((c) => c.username)).toContain(ANONYMOUS_CONSUMER);
    expect(template.config.plugins ?? []).not.toContainEqual(expect.objectContaining({ name: 'oauth2' }));
  });

  it('federated_security with jwt but no identity provider key is refused with the fields to fill', () => {
    expect(() => generate('federated_security', { options: { auth: 'jwt' } })).toThrow(ValidationError);
    expect(() => generate('federated_security', { options: { auth: 'jwt', jwtIssuer: 'x' } })).toThrow(/issuer and RS256 public key/);
  });

  it('usage_tracking: key-auth, http-log batches to Logstash at http://logstash:8080, prometheus per consumer', () => {
    const route = onlyRoute('usage_tracking');
    expect(route.plugins?.map((p) => p.name)).toEqual(['key-auth', 'http-log', 'prometheus']);
    expect(pluginConfig(route, 'http-log')).toMatchObject({ http_endpoint: 'http://logstash:8080', headers: { 'X-Tributary-Workflow': WORKFLOW_ID } });
    expect(pluginConfig(route, 'prometheus')).toMatchObject({ per_consumer: true });
    expect(pluginConfig(onlyRoute('usage_tracking', { options: { logstashUrl: 'http://elk.internal:9000' } }), 'http-log')).toMatchObject({
      http_endpoint: 'http://elk.internal:9000',
    });
  });

  it("usage_tracking for a tenant admits only that tenant's consumers (acl on the tenant group), and still validates", () => {
    const tenantId = '7d3f1c2a-0000-4000-8000-000000000001';
    const t = generate('usage_tracking', { tenantId });
    const route = t.config.services![0].routes![0];
    expect(route.plugins?.map((p) => p.name)).toEqual(['key-auth', 'acl', 'http-log', 'prometheus']);
    expect(pluginConfig(route, 'acl')).toMatchObject({ allow: [tenantGroup(tenantId)] });
    expect(validateKongConfig(t.config).errors).toEqual([]);
  });
});

describe('names and inputs', () => {
  it('names and paths depend on the workflow id only: stable across renames, valid Kong names', () => {
    const a = generate('webhook_handler');
    const b = generate('webhook_handler', { workflow: { ...workflow, name: 'Renamed workflow' } });
    expect(b.config.services?.[0].name).toBe(a.config.services?.[0].name);
    expect(b.path).toBe(a.path);
    expect(a.config.services?.[0].routes?.[0].name).toBe(`wf-${WORKFLOW_ID}-hooks`);
  });

  it('odd ids become valid names, and ids that differ only by case stay apart', () => {
    expect(kongSlug('ABC_def')).toMatch(/^abc-def-[0-9a-f]{8}$/);
    expect(kongSlug('ABC')).not.toBe(kongSlug('abc'));
    expect(kongSlug('x'.repeat(100)).length).toBeLessThanOrEqual(64);
    const odd = generateKongTemplate({ workflow: { ...workflow, id: 'Order Sync #1' }, useCase: 'webhook_handler', apiUpstreamUrl: 'http://api:8080' });
    expect(validateKongConfig(odd.config).errors).toEqual([]);
  });

  it('refuses workflows without a webhook trigger, unknown use cases and unsafe paths', () => {
    expect(() => generate('webhook_handler', { workflow: { ...workflow, trigger: { type: 'schedule' } } })).toThrow(/has a schedule trigger/);
    expect(() => generate('oauth_proxy' as KongUseCase)).toThrow(/Unknown use case/);
    expect(() => generate('webhook_handler', { options: { path: '/a b' } })).toThrow(ValidationError);
    expect(() => generate('webhook_handler', { apiUpstreamUrl: 'api:8080' })).toThrow(/not an http\(s\) URL/);
  });
});

describe('mergeKongConfigs and redactKongSecrets', () => {
  it('dedupes by name (later parts win), merges consumer credentials and leaves its inputs untouched', () => {
    const first = consumerConfig({ username: 'acme', apiKeys: ['key-aaaa-1111'], groups: ['gold'] });
    const second = consumerConfig({ username: 'acme', apiKeys: ['key-bbbb-2222'], groups: ['gold', 'silver'] });
    const hook = generate('webhook_handler').config;
    const hookAgain = generate('webhook_handler', { options: { rateLimitPerSecond: 7 } }).config;
    const before = JSON.stringify(first);
    const merged = mergeKongConfigs({ _format_version: '3.0' }, first, hook, second, hookAgain);
    expect(JSON.stringify(first)).toBe(before);
    expect(merged.consumers).toHaveLength(1);
    expect(merged.consumers?.[0].keyauth_credentials?.map((k) => k.key)).toEqual(['key-aaaa-1111', 'key-bbbb-2222']);
    expect(merged.consumers?.[0].acls?.map((a) => a.group)).toEqual(['gold', 'silver']);
    expect(merged.services).toHaveLength(1);
    expect(merged.services?.[0].routes).toHaveLength(1);
    expect(pluginConfig(merged.services![0].routes![0], 'rate-limiting')).toMatchObject({ second: 7 });
    expect(validateKongConfig(merged).errors).toEqual([]);
  });

  it('keeps global plugins of the base once', () => {
    const base = loadBaseKongConfig();
    const merged = mergeKongConfigs(base, base);
    expect(merged.plugins?.map((p) => p.name)).toEqual(['correlation-id', 'prometheus']);
  });

  it('redacts API keys and HS secrets for display', () => {
    const shown = redactKongSecrets(consumerConfig({ username: 'acme', apiKeys: ['supersecretkey-9876'] }));
    expect(shown.consumers?.[0].keyauth_credentials?.[0].key).toBe('…9876');
  });
});
