/**
 * Kong declarative config for the five gateway patterns, per workflow. Pure functions: the same
 * workflow and options always give the same config (names and paths come from the workflow id, so
 * renaming a workflow never moves its public route). Each pattern puts a route in front of the
 * workflow's webhook, `<api>/api/webhooks/<workflowId>`, and tags every entity with the workflow id
 * so errors Kong reports (POST /config?flatten_errors=1) map back to it.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../common/errors.js';
import {
  KONG_CONSUMER_HEADERS,
  type KongConsumer,
  type KongDeclarativeConfig,
  type KongPlugin,
  type KongRoute,
  type KongService,
} from './kong-types.js';
import { KONG_USE_CASES, type KongUseCase } from '@tributary/contracts';

/** The five patterns: the contract's list (the dashboard offers the same). */
export { KONG_USE_CASES, type KongUseCase } from '@tributary/contracts';

export const DEFAULT_LOGSTASH_URL = 'http://logstash:8080';
/** Key-auth and jwt fall back to this consumer, so either credential can satisfy the route. */
export const ANONYMOUS_CONSUMER = 'tributary-anonymous';

export interface WorkflowTriggerLike {
  type: string;
  responseMode?: string;
  secret?: string;
}

export interface KongTemplateOptions {
  /** federated_security: `key-auth` (default) or `jwt` (tokens from an identity provider, RS256). */
  auth?: 'key-auth' | 'jwt';
  /** federated_security: ACL groups allowed through (default: `wf-<workflow id>`). */
  allowGroups?: string[];
  /** jwt: the identity provider's issuer, matched against the token's `iss`. */
  jwtIssuer?: string;
  /** jwt: the identity provider's RS256 public key, PEM. */
  jwtPublicKey?: string;
  /** webhook_handler: requests per second (default 100). */
  rateLimitPerSecond?: number;
  /** webhook_handler: what a limit counts (default `ip`). */
  rateLimitBy?: 'ip' | 'service' | 'consumer';
  /** smart_aggregator: seconds a response is served from cache (default 300). */
  cacheTtlSeconds?: number;
  /** usage_tracking: where http-log sends entries (default http://logstash:8080). */
  logstashUrl?: string;
  /** The public path of the route (default `/<pattern>/<workflow id>`). */
  path?: string;
  /** Extra tags on every entity (e.g. `tenant:<id>`). */
  tags?: string[];
}

/** The ACL group every API consumer of a tenant belongs to: metered routes admit only their own tenant's consumers. */
export function tenantGroup(tenantId: string): string {
  return `tenant-${tenantId}`;
}

export interface KongTemplateInput {
  workflow: { id: string; name: string; trigger: WorkflowTriggerLike };
  /** The workflow's tenant: usage_tracking admits only this tenant's consumers (ACL group tenant-<id>). */
  tenantId?: string;
  useCase: KongUseCase;
  /** How Kong reaches the api, e.g. http://api:8080 in docker-compose. */
  apiUpstreamUrl: string;
  options?: KongTemplateOptions;
}

export interface KongTemplate {
  useCase: KongUseCase;
  description: string;
  config: KongDeclarativeConfig;
  /** The public path on Kong's proxy (port 8000). */
  path: string;
  notes: string[];
}

const PATH_PREFIX: Record<KongUseCase, string> = {
  protocol_bridge: 'bridge',
  webhook_handler: 'hooks',
  smart_aggregator: 'aggregate',
  federated_security: 'secure',
  usage_tracking: 'metered',
};

/** A Kong name (letters, digits, `-`) derived from a workflow id; stable and collision-safe. */
export function kongSlug(id: string): string {
  const slug = id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug === '') throw new ValidationError('A workflow id is needed to name Kong entities', [{ path: 'workflow.id', message: 'empty' }]);
  if (slug.length <= 64 && slug === id) return slug;
  // Lower-casing or trimming could make two ids meet; a hash of the original keeps them apart.
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  return `${slug.slice(0, 55)}-${hash}`;
}

export const workflowServiceName = (workflowId: string) => `wf-${kongSlug(workflowId)}`;
export const workflowRouteName = (workflowId: string, useCase: KongUseCase) => `wf-${kongSlug(workflowId)}-${PATH_PREFIX[useCase]}`;

const stripConsumerHeaders = () => ({ remove: { headers: [...KONG_CONSUMER_HEADERS] } });

export function generateKongTemplate(input: KongTemplateInput): KongTemplate {
  const { workflow, useCase, options = {} } = input;
  if (!KONG_USE_CASES.includes(useCase)) {
    throw new ValidationError(`Unknown use case '${String(useCase)}'`, [{ path: 'use_case', message: `one of ${KONG_USE_CASES.join(', ')}` }]);
  }
  if (workflow.trigger.type !== 'webhook') {
    throw new ValidationError(`Kong templates front a workflow's webhook; '${workflow.name}' has a ${workflow.trigger.type} trigger`, [
      { path: 'workflow_id', message: 'give the workflow a webhook trigger first' },
    ]);
  }
  const upstream = URL.canParse(input.apiUpstreamUrl) ? new URL(input.apiUpstreamUrl) : undefined;
  if (!upstream || (upstream.protocol !== 'http:' && upstream.protocol !== 'https:')) {
    throw new ValidationError('apiUpstreamUrl is not an http(s) URL', [{ path: 'apiUpstreamUrl', message: input.apiUpstreamUrl }]);
  }
  const slug = kongSlug(workflow.id);
  const path = options.path ?? `/${PATH_PREFIX[useCase]}/${slug}`;
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(path)) {
    throw new ValidationError('The route path may hold letters, digits and . _ ~ / - only', [{ path: 'options.path', message: path }]);
  }
  // Kong tags exclude ',' and '/'; ids are UUIDs, the slug covers anything else.
  const workflowTag = /^[\x20-\x2b\x2d\x2e\x30-\x7e]+$/.test(workflow.id) ? workflow.id : slug;
  const tags = ['tributary', `workflow:${workflowTag}`, `pattern:${useCase}`, ...(options.tags ?? [])];
  const webhookPath = `${upstream.pathname.replace(/\/+$/, '')}/api/webhooks/${encodeURIComponent(workflow.id)}`;
  const service: KongService = {
    name: workflowServiceName(workflow.id),
    url: `${upstream.origin}${webhookPath}`,
    // Sync webhooks wait for the run (SYNC_WEBHOOK_TIMEOUT_MS, 30 s by default): leave room.
    read_timeout: 60_000,
    // Webhooks start runs: never replay a request Kong already sent.
    retries: 0,
    tags,
  };
  const route: KongRoute = {
    name: workflowRouteName(workflow.id, useCase),
    // Anchored, so /hooks/<id> does not also match /hooks/<id>-other.
    paths: [`~${path.replace(/\/+$/, '').replace(/\./g, '\\.')}/?$`],
    strip_path: true,
    protocols: ['http', 'https'],
    tags,
  };
  const notes: string[] = [];
  const consumers: KongConsumer[] = [];
  const sync = workflow.trigger.responseMode === 'sync';
  const plugin = (name: string, config: Record<string, unknown>): KongPlugin => ({ name, config, tags });

  let description: string;
  switch (useCase) {
    case 'protocol_bridge':
      description = `REST route ${path} in front of the sync webhook of "${workflow.name}": any REST verb becomes a JSON POST, the workflow calls the SOAP service and its last step's output is the response.`;
      route.methods = ['GET', 'POST', 'PUT', 'PATCH'];
      route.plugins = [plugin('request-transformer', forceJsonPost('kong-bridge'))];
      if (!sync) notes.push("The webhook answers 202 { executionId } because its responseMode is 'async': set it to 'sync' so callers get the SOAP result.");
      notes.push('A GET or an empty body reaches the workflow as { "via": "kong-bridge" }; query parameters are passed through.');
      break;
    case 'webhook_handler': {
      const second = options.rateLimitPerSecond ?? 100;
      description = `Webhook receiver ${path} for "${workflow.name}", rate-limited to ${second} requests per second per ${options.rateLimitBy ?? 'ip'} on each Kong node.`;
      route.methods = ['POST'];
      route.plugins = [
        plugin('rate-limiting', { second, policy: 'local', limit_by: options.rateLimitBy ?? 'ip', fault_tolerant: true, error_code: 429 }),
        plugin('request-transformer', stripConsumerHeaders()),
      ];
      notes.push("policy 'local' counts per Kong node (DB-less has no 'cluster'); use 'redis' for one count across nodes.");
      break;
    }
    case 'smart_aggregator': {
      const ttl = options.cacheTtlSeconds ?? 300;
      description = `Cached GET ${path} over the sync webhook of "${workflow.name}", which aggregates several APIs: responses are kept ${ttl} s in Kong's memory.`;
      route.methods = ['GET', 'HEAD'];
      route.plugins = [
        plugin('proxy-cache', {
          strategy: 'memory',
          cache_ttl: ttl,
          request_method: ['GET', 'HEAD'],
          response_code: [200],
          // Matched exactly: the api sends the charset form.
          content_type: ['application/json', 'application/json; charset=utf-8'],
          cache_control: false,
        }),
        plugin('request-transformer', forceJsonPost('kong-aggregator')),
      ];
      if (!sync) notes.push("The webhook's responseMode is 'async', so the cache would hold 202 answers (it caches 200 only): set it to 'sync'.");
      notes.push('X-Cache-Status tells Hit/Miss; the cache key includes the query string and, with auth, the consumer.');
      break;
    }
    case 'federated_security': {
      const groups = options.allowGroups?.length ? options.allowGroups : [`wf-${slug}`];
      const auth = options.auth ?? 'key-auth';
      description = `Route ${path} for "${workflow.name}" open only to ${auth === 'jwt' ? 'identity-provider tokens (jwt, RS256) or API keys' : 'API keys'} of consumers in ${groups.join(', ')}.`;
      route.methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
      route.plugins = [];
      if (auth === 'jwt') {
        if (!options.jwtPublicKey || !options.jwtIssuer) {
          throw new ValidationError("auth 'jwt' needs the identity provider's issuer and RS256 public key", [
            { path: 'options.jwtIssuer', message: "the tokens' iss claim" },
            { path: 'options.jwtPublicKey', message: 'PEM public key' },
          ]);
        }
        route.plugins.push(
          plugin('jwt', { key_claim_name: 'iss', claims_to_verify: ['exp'], header_names: ['authorization'], uri_param_names: [], anonymous: ANONYMOUS_CONSUMER }),
          plugin('key-auth', { key_names: ['apikey', 'X-API-Key'], hide_credentials: true, key_in_query: false, anonymous: ANONYMOUS_CONSUMER }),
        );
        consumers.push(
          { username: ANONYMOUS_CONSUMER, tags: ['tributary'] },
          {
            username: `idp-${slug}`,
            custom_id: `idp:${workflow.id}`,
            tags,
            jwt_secrets: [
              {
                key: options.jwtIssuer,
                algorithm: 'RS256',
                rsa_public_key: options.jwtPublicKey,
                // Unused with RS256 (Kong checks the signature with rsa_public_key), but the declarative schema requires it.
                secret: createHash('sha256').update(`${workflow.id}|${options.jwtIssuer}`).digest('hex'),
                tags,
              },
            ],
            acls: groups.map((group) => ({ group, tags })),
          },
        );
        notes.push(
          "The OSS oauth2 plugin needs a database, so DB-less Kong verifies the identity provider's tokens with jwt (RS256, key = the token's iss).",
          `Requests with neither a valid token nor an API key run as '${ANONYMOUS_CONSUMER}', which is in no group: acl answers 403.`,
        );
      } else {
        route.plugins.push(plugin('key-auth', { key_names: ['apikey', 'X-API-Key'], hide_credentials: true, key_in_query: false }));
      }
      route.plugins.push(plugin('acl', { allow: groups, hide_groups_header: false }));
      notes.push(`API consumers need an ACL group among: ${groups.join(', ')}.`);
      break;
    }
    case 'usage_tracking': {
      const logstash = options.logstashUrl ?? DEFAULT_LOGSTASH_URL;
      description = `Metered route ${path} for "${workflow.name}": API key required, every request logged per consumer to Logstash and counted in Prometheus by consumer.`;
      route.methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
      route.plugins = [
        plugin('key-auth', { key_names: ['apikey', 'X-API-Key'], hide_credentials: true, key_in_query: false }),
        plugin('http-log', {
          http_endpoint: logstash,
          method: 'POST',
          content_type: 'application/json',
          timeout: 10_000,
          keepalive: 60_000,
          headers: { 'X-Tributary-Workflow': workflow.id },
          // Batches arrive as JSON arrays; Logstash's json codec splits them into events.
          queue: { max_batch_size: 50, max_coalescing_delay: 2, max_retry_time: 60 },
        }),
        plugin('prometheus', { per_consumer: true, status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true }),
      ];
      if (input.tenantId) {
        // A valid key of another tenant's consumer must not reach this tenant's workflow.
        route.plugins.splice(1, 0, plugin('acl', { allow: [tenantGroup(input.tenantId)], hide_groups_header: true }));
        notes.push(`Only API consumers of this workspace (ACL group ${tenantGroup(input.tenantId)}) are admitted.`);
      }
      notes.push(`Log entries (consumer, route, service, latencies, started_at) go to ${logstash}; start the 'observability' compose profile to receive them.`);
      break;
    }
  }
  if (workflow.trigger.secret) {
    notes.push('The webhook checks X-Tributary-Signature: callers must sign the body that reaches the api (Kong transforms it on bridge and aggregator routes).');
  }
  notes.push(`Public URL: <kong proxy>${path}`);

  service.routes = [route];
  const config: KongDeclarativeConfig = { _format_version: '3.0', services: [service] };
  if (consumers.length) config.consumers = consumers;
  return { useCase, description, config, path, notes };
}

/** Forces a JSON POST to the webhook whatever the client sent; an empty body becomes `{ via }`. */
function forceJsonPost(via: string) {
  return {
    http_method: 'POST',
    remove: { headers: ['Content-Type', ...KONG_CONSUMER_HEADERS] },
    add: { headers: ['Content-Type:application/json'], body: [`via:${via}`] },
  };
}

export interface KongConsumerInput {
  /** The consumer's id in Kong (a UUID), sent upstream as X-Consumer-ID. */
  id?: string;
  username: string;
  customId?: string;
  /** A key, or a key with the credential id Kong sends upstream as X-Credential-Identifier. */
  apiKeys?: (string | { id: string; key: string })[];
  groups?: string[];
  tags?: string[];
}

/** One API consumer as a config part, for mergeKongConfigs. */
export function consumerConfig(input: KongConsumerInput): KongDeclarativeConfig {
  const tags = ['tributary', ...(input.tags ?? [])];
  const consumer: KongConsumer = input.id ? { id: input.id, username: input.username, tags } : { username: input.username, tags };
  if (input.customId) consumer.custom_id = input.customId;
  if (input.apiKeys?.length) consumer.keyauth_credentials = input.apiKeys.map((k) => (typeof k === 'string' ? { key: k, tags } : { id: k.id, key: k.key, tags }));
  if (input.groups?.length) consumer.acls = input.groups.map((group) => ({ group, tags }));
  return { _format_version: '3.0', consumers: [consumer] };
}
