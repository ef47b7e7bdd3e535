/**
 * Offline validation of Kong declarative config, in three layers:
 *  1. gateway/schema/kong_json_schema.json — Kong's own schema of entities and where they nest;
 *  2. gateway/schema/tributary-kong.schema.json — the Kong 3 format version and the config of every
 *     plugin we use (that schema leaves plugin config open);
 *  3. kong-rules.ts — DB-less limits (no oauth2, no `cluster` policy), Kong's entity checks,
 *     references between entities and unique names.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv-draft-04';
import { collectEntities, describeInstancePath, isRecord } from './kong-entities.js';
import { GATEWAY_DIR } from './kong-files.js';
import { checkRules, type KongPluginFacts } from './kong-rules.js';

export interface KongValidationResult {
  valid: boolean;
  errors: string[];
  /** Accepted by Kong but probably not what was meant (e.g. a cache that never matches). */
  warnings: string[];
}

export const KONG_SCHEMA_PATH = `${GATEWAY_DIR}schema/kong_json_schema.json`;
export const TRIBUTARY_SCHEMA_PATH = `${GATEWAY_DIR}schema/tributary-kong.schema.json`;

interface Validators {
  entities: ValidateFunction;
  document: ValidateFunction;
  pluginConfigs: Map<string, ValidateFunction>;
  facts: KongPluginFacts;
}

let validators: Validators | undefined;

function loadValidators(): Validators {
  if (validators) return validators;
  const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const kong = readJson(KONG_SCHEMA_PATH);
  const ours = readJson(TRIBUTARY_SCHEMA_PATH);
  // Kong's schema uses keywords ajv's strict mode does not know (nested $schema); it is data we keep verbatim.
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  const definitions = isRecord(ours.definitions) ? ours.definitions : {};
  const configs = isRecord(definitions.pluginConfigs) ? definitions.pluginConfigs : {};
  const plugins = isRecord(ours['x-plugins']) ? ours['x-plugins'] : {};
  const dbless = isRecord(ours['x-dbless']) ? ours['x-dbless'] : {};
  const { definitions: _ignored, ...document } = ours;
  validators = {
    entities: ajv.compile(kong),
    document: ajv.compile(document),
    pluginConfigs: new Map(Object.entries(configs).map(([name, schema]) => [name, ajv.compile(schema as object)])),
    facts: {
      configs,
      consumerScopable: (plugins.consumerScopable ?? {}) as Record<string, boolean>,
      enterprise: (plugins.enterprise ?? []) as string[],
      refusedPlugins: (dbless.refusedPlugins ?? {}) as Record<string, string>,
      refusedPolicies: (dbless.refusedPolicies ?? {}) as Record<string, Record<string, string>>,
    },
  };
  return validators;
}

/** Validates a parsed kong.yml / generated config. Every error names the entity it is about. */
export function validateKongConfig(config: unknown): KongValidationResult {
  const v = loadValidators();
  if (!isRecord(config)) {
    return { valid: false, errors: ['(document): a declarative config must be an object (a YAML mapping)'], warnings: [] };
  }
  const errors: string[] = [];
  const formatVersion = config._format_version;
  if (!v.document(config)) {
    for (const e of v.document.errors ?? []) {
      errors.push(
        e.keyword === 'enum' && e.instancePath === '/_format_version'
          ? `_format_version: must be "3.0" for Kong 3 (got ${JSON.stringify(formatVersion)})`
          : formatAjvError(config, e, ''),
      );
    }
  }
  if (!v.entities(config)) errors.push(...formatAjvErrors(config, v.entities.errors ?? [], ''));

  const entities = collectEntities(config);
  for (const plugin of entities.plugins) {
    const check = v.pluginConfigs.get(plugin.name);
    if (check && !check(plugin.entity.config ?? {})) {
      errors.push(...formatAjvErrors(plugin.entity.config ?? {}, check.errors ?? [], `${plugin.at}.config`));
    }
  }
  const rules = checkRules(entities, v.facts);
  errors.push(...rules.errors);
  const unique = [...new Set(errors)];
  return { valid: unique.length === 0, errors: unique, warnings: rules.warnings };
}

/** ajv reports "must match a schema in anyOf" plus one error per branch; fold those into one line. */
function formatAjvErrors(root: unknown, errors: ErrorObject[], prefix: string): string[] {
  const oneOf = new Map<string, string[]>();
  const out: string[] = [];
  for (const e of errors) {
    if (e.keyword === 'required' && /\/anyOf\/\d+\/required$/.test(e.schemaPath)) {
      const missing = oneOf.get(e.instancePath) ?? [];
      missing.push(String(e.params.missingProperty));
      oneOf.set(e.instancePath, missing);
    } else if (e.keyword !== 'anyOf') {
      out.push(formatAjvError(root, e, prefix));
    }
  }
  for (const [path, missing] of oneOf) out.push(`${where(root, path, prefix)}: must set one of: ${missing.join(', ')}`);
  return out;
}

function where(root: unknown, instancePath: string, prefix: string): string {
  if (!prefix) return describeInstancePath(root, instancePath);
  return instancePath ? `${prefix}.${describeInstancePath(root, instancePath)}` : prefix;
}

function formatAjvError(root: unknown, e: ErrorObject, prefix: string): string {
  const place = where(root, e.instancePath, prefix);
  switch (e.keyword) {
    case 'additionalProperties':
      return `${place}: unknown field '${String(e.params.additionalProperty)}'`;
    case 'enum':
      return `${place}: must be one of ${(e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
    case 'required':
      return `${place}: missing required field '${String(e.params.missingProperty)}'`;
    default:
      return `${place}: ${e.message ?? e.keyword}`;
  }
}
