import { BASE_KONG_CONFIG_PATH, loadBaseKongConfig, readKongConfigFile } from './kong-files.js';
import { validateKongConfig } from './kong-validate.js';

type Doc = Record<string, unknown>;

/** A small valid config that each negative case breaks in one place. */
function valid(): Doc {
  return {
    _format_version: '3.0',
    services: [
      {
        name: 'orders',
        url: 'http://api:8080/api/webhooks/abc',
        routes: [{ name: 'orders-route', paths: ['/orders'], plugins: [{ name: 'key-auth', config: { key_names: ['apikey'] } }] }],
      },
    ],
    consumers: [{ username: 'acme', keyauth_credentials: [{ key: 'k-123456789' }], acls: [{ group: 'partners' }] }],
    plugins: [{ name: 'prometheus', config: { per_consumer: true } }],
  };
}

function expectRejected(config: unknown, ...fragments: string[]) {
  const result = validateKongConfig(config);
  expect(result.valid).toBe(false);
  for (const fragment of fragments) {
    expect(result.errors.join('\n')).toContain(fragment);
  }
  return result;
}

describe('gateway/kong.yml (the checked-in config)', () => {
  const config = readKongConfigFile(BASE_KONG_CONFIG_PATH) as Doc;

  it('passes Kong declarative schema + plugin configs + DB-less rules, with no warnings', () => {
    expect(validateKongConfig(config)).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('routes /api, /api/webhooks, /mcp and /health to the api service at http://api:8080', () => {
    const base = loadBaseKongConfig();
    const api = base.services?.find((s) => s.name === 'tributary-api');
    expect(api?.url).toBe('http://api:8080');
    const paths = Object.fromEntries((api?.routes ?? []).map((r) => [r.name, r.paths]));
    expect(paths).toEqual({ 'tributary-api': ['/api'], 'tributary-webhooks': ['/api/webhooks'], 'tributary-mcp': ['/mcp'], 'tributary-health': ['~/health$'] });
    // The MCP session's event stream goes out as it is written.
    expect(api?.routes?.find((r) => r.name === 'tributary-mcp')?.response_buffering).toBe(false);
    expect(api?.routes?.every((r) => r.strip_path === false)).toBe(true);
  });

  it('rate-limits the webhooks route with policy local, echoes X-Request-ID and exports Prometheus metrics', () => {
    const base = loadBaseKongConfig();
    const webhooks = base.services?.[0].routes?.find((r) => r.name === 'tributary-webhooks');
    expect(webhooks?.plugins?.find((p) => p.name === 'rate-limiting')?.config).toMatchObject({ second: 100, policy: 'local' });
    const global = Object.fromEntries((base.plugins ?? []).map((p) => [p.name, p.config]));
    expect(global['correlation-id']).toEqual({ header_name: 'X-Request-ID', generator: 'uuid', echo_downstream: true });
    expect(global.prometheus).toMatchObject({ per_consumer: true });
  });

  it('strips forged consumer headers on the unauthenticated api routes', () => {
    const base = loadBaseKongConfig();
    for (const name of ['tributary-api', 'tributary-webhooks', 'tributary-mcp']) {
      const route = base.services?.[0].routes?.find((r) => r.name === name);
      const removed = (route?.plugins?.find((p) => p.name === 'request-transformer')?.config?.remove as { headers: string[] }).headers;
      expect(removed).toEqual(expect.arrayContaining(['X-Consumer-ID', 'X-Consumer-Username', 'X-Credential-Identifier']));
    }
  });

  it('can point the api service somewhere else (apiUpstreamUrl) for a Kong outside docker-compose', () => {
    const base = loadBaseKongConfig({ apiUpstreamUrl: 'http://host.docker.internal:8080/' });
    expect(base.services?.[0].url).toBe('http://host.docker.internal:8080');
    expect(validateKongConfig(base).valid).toBe(true);
  });
});

describe('validateKongConfig rejects what Kong (DB-less, 3.9 OSS) would refuse', () => {
  it('accepts the small reference config used below', () => {
    expect(validateKongConfig(valid())).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('rejects a missing or wrong _format_version', () => {
    const old = { ...valid(), _format_version: '1.1' };
    expectRejected(old, '_format_version: must be "3.0" for Kong 3 (got "1.1")');
    const { _format_version: _dropped, ...missing } = valid();
    expectRejected(missing, "missing required field '_format_version'");
  });

  it('rejects the oauth2 plugin: DB-less Kong has no database for its tokens (use jwt)', () => {
    const config = valid();
    (config.plugins as Doc[]).push({ name: 'oauth2', config: { enable_client_credentials: true } });
    expectRejected(config, "plugins[1](oauth2): plugin 'oauth2' is refused by DB-less Kong", 'use \'jwt\'');
  });

  it("rejects rate-limiting policy 'cluster' in DB-less mode", () => {
    const config = valid();
    (config.plugins as Doc[]).push({ name: 'rate-limiting', config: { second: 5, policy: 'cluster' } });
    expectRejected(config, "plugins[1](rate-limiting): config.policy: policy 'cluster' keeps counters in Kong's database");
  });

  it('rejects an unknown plugin and an Enterprise-only plugin', () => {
    const config = valid();
    (config.plugins as Doc[]).push({ name: 'rate-limitting' }, { name: 'openid-connect', config: {} });
    expectRejected(config, "unknown plugin 'rate-limitting'", "plugin 'openid-connect' is a Kong Enterprise plugin");
  });

  it('rejects a plugin config field Kong does not know, a bad enum and a missing required field', () => {
    const config = valid();
    (config.plugins as Doc[]).push(
      { name: 'proxy-cache', config: { strategy: 'redis', cache_ttl: 300 } },
      { name: 'http-log', config: { endpoint: 'http://logstash:8080' } },
    );
    expectRejected(
      config,
      'plugins[1](proxy-cache).config.strategy: must be one of "memory"',
      "plugins[2](http-log).config: unknown field 'endpoint'",
      "plugins[2](http-log).config: missing required field 'http_endpoint'",
    );
  });

  it("applies Kong's own plugin checks: a rate limit needs a period, and hour cannot be below minute", () => {
    const config = valid();
    (config.plugins as Doc[]).push({ name: 'rate-limiting', config: { policy: 'local' } });
    expectRejected(config, 'rate-limiting needs at least one limit');
    const ordered = valid();
    (ordered.plugins as Doc[]).push({ name: 'rate-limiting', config: { minute: 100, hour: 50, policy: 'local' } });
    expectRejected(ordered, 'the limit for hour (50) cannot be lower than the limit for minute (100)');
  });

  it('rejects a top-level route pointing at a service that is not declared', () => {
    const config = valid();
    config.routes = [{ name: 'stray', paths: ['/stray'], service: { name: 'billing' } }];
    expectRejected(config, "routes[0](stray): points to service 'billing', which is not declared");
  });

  it('rejects plugins scoped to undeclared services, routes and consumers, and anonymous consumers that do not exist', () => {
    const config = valid();
    (config.plugins as Doc[]).push(
      { name: 'cors', route: 'nowhere', config: { origins: ['http://localhost:3000'] } },
      { name: 'http-log', service: 'ghost', consumer: 'nobody', config: { http_endpoint: 'http://logstash:8080' } },
      { name: 'jwt', service: 'orders', config: { anonymous: 'missing-anon' } },
    );
    expectRejected(
      config,
      "is scoped to route 'nowhere', which is not declared",
      "is scoped to service 'ghost', which is not declared",
      "is scoped to consumer 'nobody', which is not declared",
      "config.anonymous names consumer 'missing-anon', which is not declared",
    );
  });

  it('rejects auth plugins scoped to a consumer', () => {
    const config = valid();
    (config.plugins as Doc[]).push({ name: 'key-auth', consumer: 'acme' });
    expectRejected(config, "plugin 'key-auth' cannot be scoped to a consumer");
  });

  it('rejects duplicate service, route and consumer names, duplicate API keys and a plugin twice on one route', () => {
    const config = valid();
    const services = config.services as Doc[];
    services.push({ name: 'orders', url: 'http://api:8080', routes: [{ name: 'orders-route', paths: ['/other'] }] });
    (config.consumers as Doc[]).push({ username: 'acme', keyauth_credentials: [{ key: 'k-123456789' }] });
    (config.plugins as Doc[]).push({ name: 'key-auth', route: 'orders-route' });
    expectRejected(
      config,
      "services[1](orders): duplicate service name 'orders' (already declared at services[0](orders))",
      "duplicate route name 'orders-route'",
      "duplicate consumer username 'acme'",
      "duplicate key-auth key 'k-123456789'",
      "plugins[1](key-auth): duplicate plugin on the same scope 'key-auth (service *, route orders-route, consumer *)'",
    );
  });

  it("rejects entities Kong's declarative schema refuses: unknown fields, credentials outside consumers, nameless services", () => {
    expectRejected(
      { _format_version: '3.0', services: [{ url: 'http://x', colour: 'red' }], keyauth_credentials: [{ key: 'x' }] },
      "services[0]: unknown field 'colour'",
      'services[0]: must set one of: name, id',
      "(document): unknown field 'keyauth_credentials'",
    );
  });

  it('rejects invalid names, tags, paths and routes that match nothing', () => {
    expectRejected(
      {
        _format_version: '3.0',
        services: [{ name: 'my service', url: 'http://api:8080', tags: ['a,b'], routes: [{ name: 'r1', paths: ['orders'] }, { name: 'r2', protocols: ['http'] }] }],
      },
      "name 'my service' is not a valid Kong name",
      "tag 'a,b' must not contain ','",
      "path 'orders' must start with '/'",
      "routes[1](r2): an http route must set one of 'paths', 'methods', 'hosts', 'headers' or 'snis'",
    );
  });

  it('rejects RS256 jwt_secrets without a usable public key, and acl with both allow and deny', () => {
    const config = valid();
    (config.consumers as Doc[]).push({
      username: 'idp',
      jwt_secrets: [
        { key: 'https://idp.example', algorithm: 'RS256', secret: 'unused' },
        { key: 'https://idp2.example', algorithm: 'RS256', secret: 'unused', rsa_public_key: 'not a key' },
      ],
    });
    (config.plugins as Doc[]).push({ name: 'acl', service: 'orders', config: { allow: ['a'], deny: ['b'] } });
    expectRejected(
      config,
      "jwt_secrets[0]: algorithm RS256 needs rsa_public_key: the identity provider's public key (PEM)",
      'jwt_secrets[1]: rsa_public_key is not a PEM public key',
      "acl needs exactly one of 'config.allow' or 'config.deny'",
    );
  });

  it('warns (without rejecting) about a proxy-cache that would never match the api\'s JSON content type', () => {
    const config = valid();
    (config.plugins as Doc[]).push({ name: 'proxy-cache', config: { strategy: 'memory', content_type: ['application/json'] } });
    const result = validateKongConfig(config);
    expect(result.valid).toBe(true);
    expect(result.warnings.join('\n')).toContain("add 'application/json; charset=utf-8'");
  });

  it('rejects a document that is not a mapping', () => {
    expectRejected('services: []', 'a declarative config must be an object');
  });
});
