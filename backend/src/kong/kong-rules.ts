/**
 * The checks a JSON Schema cannot express: what Kong's entity checks and DB-less mode refuse
 * (rate-limiting periods and policies, acl allow/deny, RS256 keys), references between entities,
 * and uniqueness. Each rule reports `<location>: <message>`.
 */
import { createPublicKey } from 'node:crypto';
import { isRecord, type Json, type KongEntities, type PluginEntry } from './kong-entities.js';

export interface KongPluginFacts {
  configs: Record<string, unknown>;
  consumerScopable: Record<string, boolean>;
  enterprise: string[];
  refusedPlugins: Record<string, string>;
  refusedPolicies: Record<string, Record<string, string>>;
}

export interface RuleReport {
  errors: string[];
  warnings: string[];
}

const NAME = /^[A-Za-z0-9._~-]+$/;
// Kong's rule: printable ASCII (space included) except ',' and '/', or UTF-8.
const TAG = /^[\x20-\x2b\x2d\x2e\x30-\x7e\u0080-\uffff]+$/;
const PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'];
const SERVICE_PROTOCOLS = ['http:', 'https:', 'grpc:', 'grpcs:', 'tcp:', 'tls:', 'udp:', 'ws:', 'wss:'];

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function checkRules(entities: KongEntities, facts: KongPluginFacts): RuleReport {
  const report: RuleReport = { errors: [], warnings: [] };
  const error = (where: string, message: string) => report.errors.push(`${where}: ${message}`);
  const warn = (where: string, message: string) => report.warnings.push(`${where}: ${message}`);

  checkNamesAndTags(entities, error);
  const known = checkUniqueness(entities, error);
  checkServicesAndRoutes(entities, known, error);
  for (const plugin of entities.plugins) checkPlugin(plugin, known, facts, error, warn);
  checkCredentials(entities, error);

  const groups = new Set(entities.acls.map((a) => a.entity.group).filter((g): g is string => typeof g === 'string'));
  for (const plugin of entities.plugins.filter((p) => p.name === 'acl')) {
    const allow = strings(isRecord(plugin.entity.config) ? plugin.entity.config.allow : undefined);
    for (const group of allow.filter((g) => !groups.has(g))) {
      warn(plugin.at, `acl allows group '${group}' but no consumer in this config belongs to it (every request will get 403)`);
    }
  }
  return report;
}

interface KnownEntities {
  services: Set<string>;
  routes: Set<string>;
  consumers: Set<string>;
}

function checkNamesAndTags(entities: KongEntities, error: (w: string, m: string) => void) {
  for (const e of [...entities.services, ...entities.routes]) {
    if (e.name !== undefined && !NAME.test(e.name)) {
      error(e.at, `name '${e.name}' is not a valid Kong name (letters, digits and . _ - ~ only)`);
    }
  }
  const all = [...entities.services, ...entities.routes, ...entities.consumers, ...entities.plugins, ...entities.keyAuth, ...entities.jwtSecrets, ...entities.acls];
  for (const e of all) {
    for (const tag of strings(e.entity.tags).filter((t) => !TAG.test(t))) {
      error(e.at, `tag '${tag}' must not contain ',' or '/' (Kong's tag rule)`);
    }
  }
}

function checkUniqueness(entities: KongEntities, error: (w: string, m: string) => void): KnownEntities {
  const unique = (kind: string, items: { at: string; key?: string }[]) => {
    const seen = new Map<string, string>();
    for (const { at, key } of items) {
      if (key === undefined) continue;
      const first = seen.get(key);
      if (first) error(at, `duplicate ${kind} '${key}' (already declared at ${first})`);
      else seen.set(key, at);
    }
    return new Set(seen.keys());
  };
  const serviceNames = unique('service name', entities.services.map((s) => ({ at: s.at, key: s.name })));
  const serviceIds = unique('service id', entities.services.map((s) => ({ at: s.at, key: s.id })));
  const routeNames = unique('route name', entities.routes.map((r) => ({ at: r.at, key: r.name })));
  const routeIds = unique('route id', entities.routes.map((r) => ({ at: r.at, key: r.id })));
  const usernames = unique('consumer username', entities.consumers.map((c) => ({ at: c.at, key: c.username })));
  const customIds = unique('consumer custom_id', entities.consumers.map((c) => ({ at: c.at, key: c.customId })));
  const consumerIds = unique('consumer id', entities.consumers.map((c) => ({ at: c.at, key: c.id })));
  unique('key-auth key', entities.keyAuth.map((k) => ({ at: k.at, key: typeof k.entity.key === 'string' ? k.entity.key : undefined })));
  unique('jwt_secrets key', entities.jwtSecrets.map((k) => ({ at: k.at, key: typeof k.entity.key === 'string' ? k.entity.key : undefined })));
  unique('plugin instance_name', entities.plugins.map((p) => ({ at: p.at, key: typeof p.entity.instance_name === 'string' ? p.entity.instance_name : undefined })));
  unique(
    'plugin on the same scope',
    entities.plugins.map((p) => ({
      at: p.at,
      key: `${p.name} (service ${p.service ?? '*'}, route ${p.route ?? '*'}, consumer ${p.consumer ?? '*'})`,
    })),
  );
  return {
    services: new Set([...serviceNames, ...serviceIds]),
    routes: new Set([...routeNames, ...routeIds]),
    consumers: new Set([...usernames, ...consumerIds, ...customIds]),
  };
}

function checkServicesAndRoutes(entities: KongEntities, known: KnownEntities, error: (w: string, m: string) => void) {
  for (const s of entities.services) {
    const url = s.entity.url;
    if (typeof url === 'string') {
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        error(s.at, `url '${url}' is not a valid URL`);
      }
      if (parsed && !SERVICE_PROTOCOLS.includes(parsed.protocol)) error(s.at, `url protocol '${parsed.protocol}' is not one Kong proxies to`);
    } else if (typeof s.entity.host !== 'string') {
      error(s.at, "needs 'url' (or 'host') telling Kong where to proxy");
    }
  }
  for (const r of entities.routes) {
    if (!r.nested) {
      if (r.serviceRef === undefined) error(r.at, 'a top-level route needs service: { name } (or nest it under its service)');
      else if (!known.services.has(r.serviceRef)) error(r.at, `points to service '${r.serviceRef}', which is not declared`);
    }
    const paths = strings(r.entity.paths);
    for (const p of paths.filter((p) => !p.startsWith('/') && !p.startsWith('~/'))) {
      error(r.at, `path '${p}' must start with '/' (or '~/' for a regular expression)`);
    }
    for (const p of paths.filter((p) => p.startsWith('~'))) {
      try {
        new RegExp(p.slice(1));
      } catch {
        error(r.at, `path '${p}' is not a valid regular expression`);
      }
    }
    const protocols = strings(r.entity.protocols);
    const http = protocols.length === 0 || protocols.some((p) => p === 'http' || p === 'https');
    const matchers = ['paths', 'methods', 'hosts', 'headers', 'snis'].filter((f) => {
      const v = r.entity[f];
      return Array.isArray(v) ? v.length > 0 : isRecord(v) && Object.keys(v).length > 0;
    });
    if (http && matchers.length === 0) error(r.at, "an http route must set one of 'paths', 'methods', 'hosts', 'headers' or 'snis'");
    for (const m of strings(r.entity.methods).filter((m) => !/^[A-Z]+$/.test(m))) {
      error(r.at, `method '${m}' must be upper-case`);
    }
  }
}

function checkPlugin(plugin: PluginEntry, known: KnownEntities, facts: KongPluginFacts, error: (w: string, m: string) => void, warn: (w: string, m: string) => void) {
  const where = plugin.at;
  const refused = facts.refusedPlugins[plugin.name];
  if (refused) return error(where, `plugin '${plugin.name}' is refused by DB-less Kong: ${refused}`);
  if (facts.enterprise.includes(plugin.name)) {
    return error(where, `plugin '${plugin.name}' is a Kong Enterprise plugin; kong:3.9 (OSS) does not have it`);
  }
  if (!(plugin.name in facts.configs)) {
    return error(where, `unknown plugin '${plugin.name}' (the gateway schema covers: ${Object.keys(facts.configs).join(', ')})`);
  }
  if (plugin.topLevel) {
    if (plugin.service !== undefined && !known.services.has(plugin.service)) error(where, `is scoped to service '${plugin.service}', which is not declared`);
    if (plugin.route !== undefined && !known.routes.has(plugin.route)) error(where, `is scoped to route '${plugin.route}', which is not declared`);
    if (plugin.consumer !== undefined && !known.consumers.has(plugin.consumer)) error(where, `is scoped to consumer '${plugin.consumer}', which is not declared`);
  }
  if (plugin.consumer !== undefined && facts.consumerScopable[plugin.name] === false) {
    error(where, `plugin '${plugin.name}' cannot be scoped to a consumer`);
  }

  const config = isRecord(plugin.entity.config) ? plugin.entity.config : {};
  const policy = typeof config.policy === 'string' ? facts.refusedPolicies[plugin.name]?.[config.policy] : undefined;
  if (policy) error(where, `config.policy: ${policy}`);
  const anonymous = config.anonymous;
  if (typeof anonymous === 'string' && anonymous !== '' && !known.consumers.has(anonymous)) {
    error(where, `config.anonymous names consumer '${anonymous}', which is not declared`);
  }

  switch (plugin.name) {
    case 'rate-limiting':
      return checkRateLimiting(config, (m) => error(where, m));
    case 'acl': {
      const filled = ['allow', 'deny'].filter((f) => strings(config[f]).length > 0);
      if (filled.length !== 1) error(where, "acl needs exactly one of 'config.allow' or 'config.deny'");
      return;
    }
    case 'proxy-cache': {
      const types = strings(config.content_type);
      if (types.includes('application/json') && !types.includes('application/json; charset=utf-8')) {
        warn(where, "content_type is matched exactly: add 'application/json; charset=utf-8' (what the api sends) or nothing is cached");
      }
      return;
    }
    case 'http-log': {
      if (typeof config.http_endpoint === 'string' && !URL.canParse(config.http_endpoint)) {
        error(where, `config.http_endpoint '${config.http_endpoint}' is not a valid URL`);
      }
      for (const old of ['queue_size', 'flush_timeout', 'retry_count'].filter((f) => f in config)) {
        warn(where, `config.${old} is deprecated in Kong 3; use config.queue`);
      }
      return;
    }
    case 'cors':
      if (config.credentials === true && strings(config.origins).includes('*')) {
        warn(where, "cors with credentials and origin '*': browsers refuse it; list the origins");
      }
  }
}

function checkRateLimiting(config: Json, error: (m: string) => void) {
  const limits: [string, number][] = [];
  for (const p of PERIODS) {
    const value = config[p];
    if (typeof value === 'number') limits.push([p, value]);
  }
  if (limits.length === 0) error('rate-limiting needs at least one limit: second, minute, hour, day, month or year');
  for (let i = 0; i < limits.length; i++) {
    for (let j = i + 1; j < limits.length; j++) {
      if (limits[j][1] < limits[i][1]) {
        error(`the limit for ${limits[j][0]} (${limits[j][1]}) cannot be lower than the limit for ${limits[i][0]} (${limits[i][1]})`);
      }
    }
  }
  if (config.policy === 'redis') {
    const host = isRecord(config.redis) ? config.redis.host : config.redis_host;
    if (typeof host !== 'string' || host === '') error("policy 'redis' needs config.redis.host");
  }
  if (config.limit_by === 'header' && typeof config.header_name !== 'string') error("limit_by 'header' needs config.header_name");
  if (config.limit_by === 'path' && typeof config.path !== 'string') error("limit_by 'path' needs config.path");
}

function checkCredentials(entities: KongEntities, error: (w: string, m: string) => void) {
  for (const k of entities.keyAuth) {
    if (k.entity.key === '') error(k.at, 'key-auth key must not be empty');
  }
  for (const j of entities.jwtSecrets) {
    const alg = j.entity.algorithm;
    if (typeof alg !== 'string' || !JWT_ALGORITHMS.includes(alg)) {
      error(j.at, `algorithm '${String(alg)}' is not one of ${JWT_ALGORITHMS.join(', ')}`);
      continue;
    }
    if (alg.startsWith('HS')) continue;
    const pem = j.entity.rsa_public_key;
    if (typeof pem !== 'string' || pem.trim() === '') {
      error(j.at, `algorithm ${alg} needs rsa_public_key: the identity provider's public key (PEM)`);
      continue;
    }
    try {
      createPublicKey(pem);
    } catch {
      error(j.at, 'rsa_public_key is not a PEM public key (-----BEGIN PUBLIC KEY----- …)');
    }
  }
  for (const a of entities.acls) {
    if (a.entity.group === '') error(a.at, 'acl group must not be empty');
  }
}
