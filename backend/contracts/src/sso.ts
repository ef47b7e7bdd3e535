/** Single sign-on with OpenID Connect: a workspace's identity provider (`GET|PUT|DELETE /sso`) and what the login page asks. */
import { z } from 'zod';
import { timestampSchema } from './common.js';

/** Roles a user created on first SSO sign-in may get (admins are made by admins). */
export const SSO_DEFAULT_ROLES = ['viewer', 'editor'] as const;
export const ssoDefaultRoleSchema = z.enum(SSO_DEFAULT_ROLES);

/** `example.com`: lower-case host names, no scheme, no `@`. */
export const emailDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/, 'A domain such as example.com');

/** `PUT /sso`: the workspace's provider. `clientSecret` may be left out to keep the stored one. */
export const ssoConfigInputSchema = z.strictObject({
  issuer: z.string().trim().url('The issuer URL, such as https://idp.example.com/realms/acme').max(2000),
  clientId: z.string().trim().min(1).max(500),
  clientSecret: z.string().min(1).max(4000).optional(),
  allowedDomains: z.array(emailDomainSchema).min(1, 'At least one email domain').max(50),
  defaultRole: ssoDefaultRoleSchema.default('viewer'),
  ssoOnly: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
export type SsoConfigInput = z.input<typeof ssoConfigInputSchema>;

/** The stored provider as answered: the client secret never is, only whether one is set. */
export const ssoConfigSchema = z.strictObject({
  issuer: z.string(),
  clientId: z.string(),
  clientSecretSet: z.boolean(),
  allowedDomains: z.array(z.string()),
  defaultRole: ssoDefaultRoleSchema,
  ssoOnly: z.boolean(),
  enabled: z.boolean(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type SsoConfig = z.output<typeof ssoConfigSchema>;

/** `GET /sso` (and `PUT`): the provider (null before one is set) and the redirect URI to register at it. */
export const ssoSettingsSchema = z.strictObject({ config: ssoConfigSchema.nullable(), callbackUrl: z.string() });
export type SsoSettings = z.output<typeof ssoSettingsSchema>;

/**
 * `GET /auth/options` (public): dev mode, and with `?email=` how that email signs in: `none` (a
 * password), `available` (SSO or a password), `required` (SSO only).
 */
export const SSO_MODES = ['none', 'available', 'required'] as const;
export const authOptionsSchema = z.strictObject({ devMode: z.boolean(), sso: z.enum(SSO_MODES).optional() });
export type AuthOptions = z.output<typeof authOptionsSchema>;
