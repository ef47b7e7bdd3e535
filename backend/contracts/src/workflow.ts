/** A workflow's definition (trigger and steps) as the api accepts and stores it, and the workflows it answers. */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { idSchema, timestampSchema, timezoneSchema } from './common.js';
import { STEP_ID_MAX_LENGTH, STEP_ID_MESSAGE, STEP_ID_PATTERN, TOPIC_PATTERN } from './patterns.js';

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
  topic: z.string().min(1).max(200).regex(TOPIC_PATTERN, 'Letters, digits and . _ : - * only'),
});

export const manualTriggerSchema = z.object({ type: z.literal('manual') });

export const triggerSchema = z.discriminatedUnion('type', [webhookTriggerSchema, scheduleTriggerSchema, eventTriggerSchema, manualTriggerSchema]);

export const stepIdSchema = z.string().min(1).max(STEP_ID_MAX_LENGTH).regex(STEP_ID_PATTERN, STEP_ID_MESSAGE);

export const stepSchema = z.object({
  id: stepIdSchema,
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
  /**
   * What a failure of this step (retries exhausted) does: `fail` (the default) fails the run there;
   * `continue` records the failure, gives the step the output `{ error }` and goes on.
   */
  onError: z.enum(['fail', 'continue']).optional(),
});

/** A workflow's fields as a client sends them, without defaults. */
const workflowFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  enabled: z.boolean(),
  trigger: triggerSchema,
  steps: z.array(stepSchema).max(100),
  /**
   * A workflow of the tenant that runs whenever an execution of this one fails (whatever triggered
   * it), with `{ execution: { id, workflowId, error, failedStepId }, payload }`; null or absent: none.
   */
  errorWorkflowId: idSchema.nullable().optional(),
};

/** The body of `POST /workflows`. */
export const workflowInputSchema = z.object({
  ...workflowFields,
  description: workflowFields.description.default(''),
  enabled: workflowFields.enabled.default(true),
  steps: workflowFields.steps.default([]),
});

/**
 * The body of `PUT /workflows/:id`: any part of a workflow; what it leaves out stays as it is. Built
 * from the fields without their defaults: zod 4's `.partial()` keeps a default, so a PUT of a name
 * alone would have emptied the steps and re-enabled the workflow.
 */
export const workflowUpdateSchema = z.object(workflowFields).partial();

/** As stored and answered (defaults applied). */
export type TriggerDefinition = z.output<typeof triggerSchema>;
export type StepDefinition = z.output<typeof stepSchema>;
export type TriggerType = TriggerDefinition['type'];
/** A request body after validation (what the api works with). */
export type WorkflowInput = z.output<typeof workflowInputSchema>;
export type WorkflowUpdate = z.output<typeof workflowUpdateSchema>;
/** What a client may send (defaults not applied yet). */
export type TriggerDraft = z.input<typeof triggerSchema>;
export type StepDraft = z.input<typeof stepSchema>;
export type WorkflowDraft = z.input<typeof workflowInputSchema>;

/** A workflow as the api answers it (create, get, list, update, toggle, rollback). */
export const workflowSchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  trigger: triggerSchema,
  steps: z.array(stepSchema),
  errorWorkflowId: idSchema.nullable(),
  version: z.number().int(),
  /** Webhook triggers: where to send requests. */
  webhookUrl: z.string().optional(),
  /** Schedule triggers: the next five run times (none while disabled). */
  nextRuns: z.array(z.string()).optional(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});

/** One saved version of a workflow (`GET /workflows/:id/versions`). */
export const workflowVersionSchema = z.strictObject({
  id: idSchema,
  workflowId: idSchema,
  version: z.number().int(),
  name: z.string(),
  description: z.string(),
  trigger: triggerSchema,
  steps: z.array(stepSchema),
  createdBy: idSchema.nullable(),
  createdAt: timestampSchema,
});

export const workflowVersionListSchema = z.strictObject({ items: z.array(workflowVersionSchema) });

export type Workflow = z.output<typeof workflowSchema>;
export type WorkflowVersion = z.output<typeof workflowVersionSchema>;
