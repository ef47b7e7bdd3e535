/** The shape of a workflow's trigger and steps, as the API accepts and stores them. */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { timezoneSchema } from '../common/zod.js';

export const webhookTriggerSchema = z.object({
  type: z.literal('webhook'),
  /** When set, callers sign the raw body with HMAC-SHA256 in `X-Tributary-Signature: sha256=<hex>`. */
  secret: z.string().min(8).max(256).optional(),
  responseMode: z.enum(['async', 'sync']).default('async'),
  /** Sync mode: how long to wait for the run before answering 504. */
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  /** Per-workflow webhook rate limit (requests per minute). */
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
});

export const scheduleTriggerSchema = z
  .object({
    type: z.literal('schedule'),
    intervalSeconds: z.number().int().min(1).max(366 * 24 * 3600).optional(),
    cron: z.string().min(1).max(200).optional(),
    timezone: timezoneSchema.default('UTC'),
    /** The payload each scheduled run starts with. */
    payload: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.intervalSeconds === undefined) === (t.cron === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['intervalSeconds'], message: 'Set exactly one of intervalSeconds or cron' });
    }
    if (t.cron !== undefined) {
      try {
        CronExpressionParser.parse(t.cron, { tz: t.timezone });
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['cron'], message: `Invalid cron expression: ${(err as Error).message}` });
      }
    }
  });

export const eventTriggerSchema = z.object({
  type: z.literal('event'),
  topic: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:*-]+$/, 'Letters, digits and . _ : - * only'),
});

export const manualTriggerSchema = z.object({ type: z.literal('manual') });

export const triggerSchema = z.discriminatedUnion('type', [
  webhookTriggerSchema,
  scheduleTriggerSchema,
  eventTriggerSchema,
  manualTriggerSchema,
]);

export const stepSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'Start with a letter; letters, digits and _ only (it is used as steps.<id> in templates)'),
  name: z.string().max(200).optional(),
  connector: z.string().min(1),
  action: z.string().min(1),
  credentialId: z.string().uuid().optional(),
  input: z.record(z.string(), z.unknown()).default({}),
  /** A condition template; the step is skipped when it renders falsy. */
  when: z.string().max(10_000).optional(),
  retry: z
    .object({
      attempts: z.number().int().min(1).max(10).default(3),
      backoffMs: z.number().int().min(0).max(600_000).default(1000),
    })
    .optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
});

export const workflowInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  enabled: z.boolean().default(true),
  trigger: triggerSchema,
  steps: z.array(stepSchema).max(100).default([]),
});

export const workflowUpdateSchema = workflowInputSchema.partial();

export type TriggerDefinition = z.output<typeof triggerSchema>;
export type StepDefinition = z.output<typeof stepSchema>;
export type WorkflowInput = z.output<typeof workflowInputSchema>;
export type WorkflowUpdate = z.output<typeof workflowUpdateSchema>;
