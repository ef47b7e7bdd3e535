/**
 * Flattens a declarative config into lists of entities with their location and scope, whether they
 * were written nested (services[].routes[].plugins[]) or at the top level. Defensive: the input has
 * not necessarily passed the schema yet.
 */

export type Json = Record<string, unknown>;

export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface Located {
  /** Where the entity is, e.g. `services[0](tributary-api).routes[1](tributary-webhooks)`. */
  at: string;
  entity: Json;
}
export interface ServiceEntry extends Located {
  name?: string;
  id?: string;
}
export interface RouteEntry extends Located {
  name?: string;
  id?: string;
  /** Reference to a service when the route is written at the top level. */
  serviceRef?: string;
  nested: boolean;
}
export interface ConsumerEntry extends Located {
  username?: string;
  customId?: string;
  id?: string;
}
export interface PluginEntry extends Located {
  name: string;
  service?: string;
  route?: string;
  consumer?: string;
  /** True when the scope comes from a top-level `service`/`route`/`consumer` field (a reference to check). */
  topLevel: boolean;
}
export interface CredentialEntry extends Located {
  consumerAt: string;
}

export interface KongEntities {
  services: ServiceEntry[];
  routes: RouteEntry[];
  consumers: ConsumerEntry[];
  plugins: PluginEntry[];
  keyAuth: CredentialEntry[];
  jwtSecrets: CredentialEntry[];
  acls: CredentialEntry[];
}

function label(entity: unknown): string {
  if (!isRecord(entity)) return '';
  const name = str(entity.name) ?? str(entity.username) ?? str(entity.custom_id) ?? str(entity.group);
  return name ? `(${name})` : '';
}

export const at = (parent: string, field: string, index: number, entity: unknown): string =>
  `${parent ? `${parent}.` : ''}${field}[${index}]${label(entity)}`;

/** Turns an ajv instancePath (`/services/0/routes/1/paths`) into the same readable form. */
export function describeInstancePath(root: unknown, instancePath: string): string {
  let node: unknown = root;
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(segment)) {
      const item: unknown = node[Number(segment)];
      out += `[${segment}]${label(item)}`;
      node = item;
    } else {
      out += out ? `.${segment}` : segment;
      node = isRecord(node) ? node[segment] : undefined;
    }
  }
  return out || '(document)';
}

export function collectEntities(config: Json): KongEntities {
  const found: KongEntities = { services: [], routes: [], consumers: [], plugins: [], keyAuth: [], jwtSecrets: [], acls: [] };

  const addPlugins = (parent: Json, parentAt: string, scope: Partial<PluginEntry>, topLevel: boolean) => {
    list(parent.plugins).forEach((p, i) => {
      if (!isRecord(p)) return;
      found.plugins.push({
        at: at(parentAt, 'plugins', i, p),
        entity: p,
        name: str(p.name) ?? '',
        service: topLevel ? str(p.service) : (scope.service ?? str(p.service)),
        route: topLevel ? str(p.route) : (scope.route ?? str(p.route)),
        consumer: topLevel ? str(p.consumer) : (scope.consumer ?? str(p.consumer)),
        topLevel,
      });
    });
  };

  const addRoute = (r: unknown, routeAt: string, nested: boolean) => {
    if (!isRecord(r)) return;
    const ref = isRecord(r.service) ? (str(r.service.name) ?? str(r.service.id)) : str(r.service);
    found.routes.push({ at: routeAt, entity: r, name: str(r.name), id: str(r.id), serviceRef: nested ? undefined : ref, nested });
    addPlugins(r, routeAt, { route: str(r.name) ?? str(r.id) }, false);
  };

  list(config.services).forEach((s, i) => {
    if (!isRecord(s)) return;
    const serviceAt = at('', 'services', i, s);
    found.services.push({ at: serviceAt, entity: s, name: str(s.name), id: str(s.id) });
    addPlugins(s, serviceAt, { service: str(s.name) ?? str(s.id) }, false);
    list(s.routes).forEach((r, j) => addRoute(r, at(serviceAt, 'routes', j, r), true));
  });
  list(config.routes).forEach((r, i) => addRoute(r, at('', 'routes', i, r), false));

  list(config.consumers).forEach((c, i) => {
    if (!isRecord(c)) return;
    const consumerAt = at('', 'consumers', i, c);
    found.consumers.push({ at: consumerAt, entity: c, username: str(c.username), customId: str(c.custom_id), id: str(c.id) });
    addPlugins(c, consumerAt, { consumer: str(c.username) ?? str(c.id) ?? str(c.custom_id) }, false);
    const creds = (field: string, into: CredentialEntry[]) =>
      list(c[field]).forEach((k, j) => {
        if (isRecord(k)) into.push({ at: at(consumerAt, field, j, k), entity: k, consumerAt });
      });
    creds('keyauth_credentials', found.keyAuth);
    creds('jwt_secrets', found.jwtSecrets);
    creds('acls', found.acls);
  });

  addPlugins(config, '', {}, true);
  return found;
}
