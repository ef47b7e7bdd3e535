/**
 * Combining config parts (gateway/kong.yml, generated templates, API consumers) into one tenant
 * config, and masking its secrets for display.
 */
import type { KongConsumer, KongDeclarativeConfig, KongPlugin, KongRoute, KongService } from './kong-types.js';

/** Items keyed alike are merged, the later part winning field by field; order of first appearance is kept. */
function mergeBy<T extends object>(items: T[], key: (item: T) => string, combine: (a: T, b: T) => T): T[] {
  const merged = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const previous = merged.get(k);
    merged.set(k, previous ? combine(previous, item) : item);
  }
  return [...merged.values()];
}

const pluginKey = (p: KongPlugin) => p.instance_name ?? `${p.name}|${p.service ?? ''}|${p.route ?? ''}|${p.consumer ?? ''}`;

function mergePlugins(a: KongPlugin[] | undefined, b: KongPlugin[] | undefined): KongPlugin[] | undefined {
  if (!a && !b) return undefined;
  // A later plugin of the same name on the same entity replaces the earlier one (Kong allows one).
  return mergeBy([...(a ?? []), ...(b ?? [])], pluginKey, (_x, y) => y);
}

function mergeRoute(a: KongRoute, b: KongRoute): KongRoute {
  return withOptional({ ...a, ...b }, 'plugins', mergePlugins(a.plugins, b.plugins));
}

function mergeService(a: KongService, b: KongService): KongService {
  const merged = withOptional({ ...a, ...b }, 'plugins', mergePlugins(a.plugins, b.plugins));
  const routes = a.routes || b.routes ? mergeBy([...(a.routes ?? []), ...(b.routes ?? [])], (r) => r.name, mergeRoute) : undefined;
  return withOptional(merged, 'routes', routes);
}

function mergeConsumer(a: KongConsumer, b: KongConsumer): KongConsumer {
  let merged: KongConsumer = { ...a, ...b };
  merged = withOptional(merged, 'plugins', mergePlugins(a.plugins, b.plugins));
  if (a.keyauth_credentials || b.keyauth_credentials) {
    merged.keyauth_credentials = mergeBy([...(a.keyauth_credentials ?? []), ...(b.keyauth_credentials ?? [])], (k) => k.key, (_x, y) => y);
  }
  if (a.jwt_secrets || b.jwt_secrets) {
    merged.jwt_secrets = mergeBy([...(a.jwt_secrets ?? []), ...(b.jwt_secrets ?? [])], (k) => k.key, (_x, y) => y);
  }
  if (a.acls || b.acls) merged.acls = mergeBy([...(a.acls ?? []), ...(b.acls ?? [])], (g) => g.group, (_x, y) => y);
  return merged;
}

function withOptional<T extends object, K extends keyof T>(target: T, field: K, value: T[K] | undefined): T {
  if (value === undefined) delete target[field];
  else target[field] = value;
  return target;
}

const consumerKey = (c: KongConsumer) => (c.username !== undefined ? `u:${c.username}` : `c:${c.custom_id ?? ''}`);

/**
 * Merges declarative configs into one: services, routes (also inside services), consumers and their
 * credentials, and plugins are deduplicated by name (plugins by name and scope). Inputs are not
 * modified. The result still needs validateKongConfig: merging cannot fix, e.g., one route name
 * used under two services.
 */
export function mergeKongConfigs(base: KongDeclarativeConfig, ...parts: KongDeclarativeConfig[]): KongDeclarativeConfig {
  const all = [base, ...parts].map((p) => structuredClone(p));
  const out: KongDeclarativeConfig = { _format_version: '3.0' };
  const info = all.map((p) => p._info).filter((i) => i !== undefined);
  if (info.length) out._info = Object.assign({}, ...info);
  const services = all.flatMap((p) => p.services ?? []);
  if (services.length) out.services = mergeBy(services, (s) => s.name, mergeService);
  const routes = all.flatMap((p) => p.routes ?? []);
  if (routes.length) out.routes = mergeBy(routes, (r) => r.name, mergeRoute);
  const consumers = all.flatMap((p) => p.consumers ?? []);
  if (consumers.length) out.consumers = mergeBy(consumers, consumerKey, mergeConsumer);
  const plugins = all.flatMap((p) => p.plugins ?? []);
  if (plugins.length) out.plugins = mergeBy(plugins, pluginKey, (_x, y) => y);
  return out;
}

const mask = (secret: string) => (secret.length > 8 ? `…${secret.slice(-4)}` : '…');

/** A copy safe to show: API keys and HS secrets reduced to their last four characters. */
export function redactKongSecrets(config: KongDeclarativeConfig): KongDeclarativeConfig {
  const copy = structuredClone(config);
  for (const consumer of copy.consumers ?? []) {
    for (const k of consumer.keyauth_credentials ?? []) k.key = mask(k.key);
    for (const j of consumer.jwt_secrets ?? []) j.secret = mask(j.secret);
  }
  return copy;
}
