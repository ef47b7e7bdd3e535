/**
 * Where the gateway's checked-in files live and how to read them. `gateway/` sits at the repository
 * root, three levels above this file in both src/ and dist/ (the Docker image keeps that layout).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import type { KongDeclarativeConfig } from './kong-types.js';

export const GATEWAY_DIR = fileURLToPath(new URL('../../../gateway/', import.meta.url));
export const BASE_KONG_CONFIG_PATH = `${GATEWAY_DIR}kong.yml`;
/** The name of the api's service in gateway/kong.yml. */
export const BASE_API_SERVICE = 'tributary-api';

/** Parses a declarative file (YAML or JSON). The result is unchecked: run validateKongConfig on it. */
export function readKongConfigFile(path: string): unknown {
  return load(readFileSync(path, 'utf8'));
}

/**
 * gateway/kong.yml as the base of a tenant's whole config. POST /config replaces everything Kong
 * holds, so a push must always carry these routes to the api. `apiUpstreamUrl` replaces the
 * compose address (http://api:8080) when Kong reaches the api somewhere else.
 */
export function loadBaseKongConfig(options: { apiUpstreamUrl?: string; path?: string } = {}): KongDeclarativeConfig {
  const config = readKongConfigFile(options.path ?? BASE_KONG_CONFIG_PATH) as KongDeclarativeConfig;
  if (options.apiUpstreamUrl) {
    const api = config.services?.find((s) => s.name === BASE_API_SERVICE);
    if (api) api.url = options.apiUpstreamUrl.replace(/\/+$/, '');
  }
  return config;
}
