/** API keys for the public REST API (`/api/api-keys`): personal and service keys with one scope. */
import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';

/**
 * What a key may do, one level each including the ones below: `read` (GET), `write` (what an editor
 * may do), `admin` (what an admin may do). A personal key is also capped by its user's current role.
 */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export const apiKeyScopeSchema = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.output<typeof apiKeyScopeSchema>;

/** `personal`: acts as its user (capped by the user's role, gone with the user); `service`: belongs to the workspace (admins only). */
export const API_KEY_KINDS = ['personal', 'service'] as const;
export const apiKeyKindSchema = z.enum(API_KEY_KINDS);
export type ApiKeyKind = z.output<typeof apiKeyKindSchema>;

export const API_KEY_STATUSES = ['active', 'expired', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

/** Every key starts with this; the secret is 32 random bytes in base64url after it. */
export const API_KEY_PREFIX = 'trb_';
/** A full key as `POST /api-keys` answers it once. */
export const API_KEY_PATTERN = /^trb_[A-Za-z0-9_-]{43}$/;

/** A key as lists answer it: never the secret, only its first characters (`prefix`) to recognise it. */
export const apiKeySchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  kind: apiKeyKindSchema,
  scope: apiKeyScopeSchema,
  /** The first characters of the key (`trb_` and 8 more), for telling keys apart. */
  prefix: z.string(),
  /** The owner of a personal key; null for a service key. */
  userId: idSchema.nullable(),
  /** Who created it; null once that user is removed. */
  createdBy: idSchema.nullable(),
  createdAt: timestampSchema,
  /** Null: never expires. */
  expiresAt: timestampSchema.nullable(),
  /** Updated at most once a minute. */
  lastUsedAt: timestampSchema.nullable(),
  revokedAt: timestampSchema.nullable(),
  status: z.enum(API_KEY_STATUSES),
});
export type ApiKey = z.output<typeof apiKeySchema>;

/** `POST /api-keys` answers the key once; only its SHA-256 is kept. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string().regex(API_KEY_PATTERN) });
export type CreatedApiKey = z.output<typeof createdApiKeySchema>;

export const API_KEY_NAME_MAX = 100;

/** The body of `POST /api-keys`. `expiresAt` must be in the future; omitted or null: never expires. */
export const createApiKeySchema = z.strictObject({
  name: z.string().trim().min(1, 'Give the key a name').max(API_KEY_NAME_MAX),
  kind: apiKeyKindSchema.default('personal'),
  scope: apiKeyScopeSchema,
  expiresAt: z.iso
    .datetime({ offset: true, abort: true })
    .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
    .nullable()
    .optional(),
});
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;
