import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';

export const CREDENTIAL_KINDS = ['fields', 'oauth2'] as const;
/**
 * A connection's health: `ok` (its last use or test worked), `untested`, `needs_connect` (an OAuth2
 * connection not authorised yet), `needs_reconnect` (the provider refused its refresh: runs using it
 * fail until someone connects again), `error` (its last use or test failed on the credential).
 */
export const CREDENTIAL_STATUSES = ['ok', 'untested', 'needs_connect', 'needs_reconnect', 'error'] as const;
export const credentialStatusSchema = z.enum(CREDENTIAL_STATUSES);
export type CredentialStatus = z.output<typeof credentialStatusSchema>;
export const OAUTH2_GRANTS = ['authorization_code', 'client_credentials'] as const;

/** A credential as the api answers it: masked hints of its fields, never the secrets. */
export const credentialSchema = z.strictObject({
  id: idSchema,
  connector: z.string(),
  name: z.string(),
  hints: z.record(z.string(), z.string()),
  /** `fields` typed by the user, or an OAuth2 connection (tokens kept and refreshed by the platform). */
  kind: z.enum(CREDENTIAL_KINDS),
  status: credentialStatusSchema,
  lastSuccessAt: timestampSchema.nullable(),
  lastErrorAt: timestampSchema.nullable(),
  lastError: z.string().nullable(),
  /** OAuth2 connections: the grant, scopes and when the current access token expires. */
  oauth2: z
    .strictObject({ grant: z.enum(OAUTH2_GRANTS), scopes: z.array(z.string()), expiresAt: timestampSchema.nullable(), connected: z.boolean() })
    .optional(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Credential = z.output<typeof credentialSchema>;

/** `POST /credentials/:id/test`: did one cheap authenticated call work, and what it said. */
export const credentialTestSchema = z.strictObject({ ok: z.boolean(), message: z.string(), status: credentialStatusSchema });
export type CredentialTest = z.output<typeof credentialTestSchema>;

/** `GET /credentials/:id/usage`: the workflows whose steps use the credential. */
export const credentialUsageSchema = z.strictObject({
  workflows: z.array(z.strictObject({ id: idSchema, name: z.string(), enabled: z.boolean() })),
});
export type CredentialUsage = z.output<typeof credentialUsageSchema>;

/** `GET /credentials/:id/mcp/tools`: an MCP connection's server's tools, with their input schemas (JSON Schema). */
export const mcpToolListSchema = z.strictObject({
  items: z.array(z.strictObject({ name: z.string(), description: z.string().optional(), inputSchema: z.record(z.string(), z.unknown()) })),
});
export type McpToolList = z.output<typeof mcpToolListSchema>;
