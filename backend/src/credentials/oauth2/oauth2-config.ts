/**
 * What a user gives to create an OAuth2 connection (sealed like every credential field), and how it
 * becomes the settings of a token request with its connector's declaration.
 */
import { z } from 'zod';
import { OAUTH2_GRANTS } from '@tributary/contracts';
import type { ConnectorDefinition, OAuth2Endpoints } from '../../connectors/sdk.js';
import { ValidationError } from '../../common/errors.js';
import type { OAuth2Settings } from './oauth2-client.js';

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const oauth2ConfigSchema = z.strictObject({
  grant: z.enum(OAUTH2_GRANTS).default('authorization_code'),
  clientId: z.string().trim().min(1).max(500),
  clientSecret: z.string().min(1).max(2000),
  /** Scopes to ask for; default: the connector's. */
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope has no spaces or quotes')).max(100).optional(),
  clientAuth: z.enum(['basic', 'post']).default('basic'),
  /** The provider's endpoints: only for a generic connector (HTTP), others know theirs. */
  authorizationUrl: httpUrl.optional(),
  tokenUrl: httpUrl.optional(),
  revocationUrl: httpUrl.optional(),
});
export type OAuth2Config = z.output<typeof oauth2ConfigSchema>;

/** The connection's settings, or the field errors of a configuration that does not fit its connector. */
export function settingsOf(connector: ConnectorDefinition<unknown>, config: OAuth2Config, baseUrl: (d: string) => string): OAuth2Settings {
  const decl = connector.oauth2;
  if (!decl) throw new ValidationError('Request body is invalid', [{ path: 'connector', message: `Connector "${connector.key}" has no OAuth2 connections` }]);
  const errors: { path: string; message: string }[] = [];
  if (!decl.grants.includes(config.grant)) errors.push({ path: 'oauth2.grant', message: `${connector.name} supports ${decl.grants.join(', ')}` });
  let endpoints: OAuth2Endpoints;
  if (decl.endpoints) {
    for (const f of ['authorizationUrl', 'tokenUrl', 'revocationUrl'] as const) {
      if (config[f]) errors.push({ path: `oauth2.${f}`, message: `${connector.name} has its own endpoints; leave this out` });
    }
    endpoints = decl.endpoints(baseUrl);
  } else {
    if (!config.tokenUrl) errors.push({ path: 'oauth2.tokenUrl', message: 'Required: the provider\'s token endpoint' });
    if (config.grant === 'authorization_code' && !config.authorizationUrl) errors.push({ path: 'oauth2.authorizationUrl', message: 'Required for the authorization code grant' });
    endpoints = { authorizationUrl: config.authorizationUrl, tokenUrl: config.tokenUrl ?? '', revocationUrl: config.revocationUrl };
  }
  if (errors.length) throw new ValidationError('OAuth2 settings are invalid', errors);
  return {
    grant: config.grant,
    endpoints,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    clientAuth: config.clientAuth,
    scopes: config.scopes ?? decl.defaultScopes ?? [],
    tokenTypes: decl.tokenTypes,
    tokenAnswer: decl.tokenAnswer?.bind(decl),
  };
}
