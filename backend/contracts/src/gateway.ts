/** API consumers and Kong templates: the gateway side of the api. */
import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';

/** What a gateway sync reports back; answered as null when no Kong Admin API is configured. */
export const gatewaySyncReportSchema = z.strictObject({
  ok: z.boolean(),
  status: z.number().int(),
  unchanged: z.boolean().optional(),
  error: z.string().optional(),
});
export type GatewaySyncReport = z.output<typeof gatewaySyncReportSchema>;

export const apiConsumerSchema = z.strictObject({
  id: idSchema,
  username: z.string(),
  plan: z.string(),
  groups: z.array(z.string()),
  /** Unique across tenants; Kong sends it upstream as X-Consumer-Username. */
  kongUsername: z.string(),
  keyHint: z.string(),
  createdAt: timestampSchema,
  keyRotatedAt: timestampSchema,
});
export type ApiConsumer = z.output<typeof apiConsumerSchema>;

/** The answer of create and rotate-key: the only time the key is readable. */
export const apiConsumerWithKeySchema = z.strictObject({
  consumer: apiConsumerSchema,
  apiKey: z.string(),
  pushed: gatewaySyncReportSchema.nullable(),
});
export type ApiConsumerWithKey = z.output<typeof apiConsumerWithKeySchema>;

export const consumerUsageSchema = z.strictObject({
  consumerId: idSchema,
  /** Dates (YYYY-MM-DD, UTC), inclusive. */
  from: z.string(),
  to: z.string(),
  items: z.array(z.strictObject({ day: z.string(), route: z.string(), count: z.number().int() })),
  total: z.number().int(),
});
export type ConsumerUsage = z.output<typeof consumerUsageSchema>;

/** The five gateway patterns `POST /kong/templates` generates for a webhook workflow. */
export const KONG_USE_CASES = ['protocol_bridge', 'webhook_handler', 'smart_aggregator', 'federated_security', 'usage_tracking'] as const;
export const kongUseCaseSchema = z.enum(KONG_USE_CASES);
export type KongUseCase = z.output<typeof kongUseCaseSchema>;

/** What a caller may choose when generating (each applies to some use cases). */
export const kongTemplateOptionsSchema = z.looseObject({
  auth: z.enum(['key-auth', 'jwt']).optional(),
  allowGroups: z.array(z.string()).optional(),
  jwtIssuer: z.string().optional(),
  jwtPublicKey: z.string().optional(),
  rateLimitPerSecond: z.number().optional(),
  rateLimitBy: z.enum(['ip', 'service', 'consumer']).optional(),
  cacheTtlSeconds: z.number().optional(),
  path: z.string().optional(),
});
export type KongTemplateOptions = z.output<typeof kongTemplateOptionsSchema>;

/** Kong 3 declarative config (`_format_version: "3.0"`); secrets come masked. */
export const kongConfigSchema = z.looseObject({ _format_version: z.string() });
export type KongConfig = z.output<typeof kongConfigSchema>;

/** A stored template (`GET /kong/templates`). */
export const kongTemplateSchema = z.strictObject({
  id: idSchema,
  workflowId: idSchema,
  useCase: kongUseCaseSchema,
  path: z.string(),
  options: kongTemplateOptionsSchema,
  config: kongConfigSchema,
  createdAt: timestampSchema,
});
export type KongTemplate = z.output<typeof kongTemplateSchema>;

/** `POST /kong/templates`. */
export const generatedKongTemplateSchema = z.strictObject({
  id: idSchema,
  workflowId: idSchema,
  useCase: kongUseCaseSchema,
  description: z.string(),
  config: kongConfigSchema,
  notes: z.array(z.string()),
  path: z.string(),
  pushed: gatewaySyncReportSchema.nullable(),
});
export type GeneratedKongTemplate = z.output<typeof generatedKongTemplateSchema>;

/** `GET /kong/config`: the tenant's part of the gateway, checked. */
export const kongTenantConfigSchema = z.strictObject({
  config: kongConfigSchema,
  valid: z.boolean(),
  errors: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type KongTenantConfig = z.output<typeof kongTenantConfigSchema>;
