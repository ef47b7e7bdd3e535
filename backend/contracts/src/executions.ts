/** Executions, their step results, dry runs and the dashboard's stats. */
import { z } from 'zod';
import { idSchema } from './common.js';

export const EXECUTION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const executionStatusSchema = z.enum(EXECUTION_STATUSES);
export type ExecutionStatus = z.output<typeof executionStatusSchema>;

/** What started an execution: its workflow's trigger, or a retry of an earlier execution. */
/** `error`: started by a failed execution of a workflow that names this one as its error workflow. */
export const EXECUTION_TRIGGER_TYPES = ['webhook', 'schedule', 'event', 'manual', 'retry', 'error'] as const;
export const executionTriggerTypeSchema = z.enum(EXECUTION_TRIGGER_TYPES);
export type ExecutionTriggerType = z.output<typeof executionTriggerTypeSchema>;

export const STEP_STATUSES = ['succeeded', 'failed', 'skipped'] as const;
export const stepStatusSchema = z.enum(STEP_STATUSES);
export type StepStatus = z.output<typeof stepStatusSchema>;

/** One step's result, as recorded on its execution (and answered by a dry run). */
export const stepResultSchema = z.strictObject({
  stepId: z.string(),
  connector: z.string(),
  action: z.string(),
  status: stepStatusSchema,
  /** The rendered input (credentials are never part of it). */
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()),
  attempts: z.number().int(),
  durationMs: z.number(),
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  /** Set when the result was carried over from an earlier run (retry from the failed step). */
  reused: z.boolean().optional(),
});
export type StepResult = z.output<typeof stepResultSchema>;

/** An execution in lists (`GET /executions`, `GET /logs`). */
export const executionSummarySchema = z.strictObject({
  id: idSchema,
  workflowId: idSchema,
  /** Null once the workflow is deleted. */
  workflowName: z.string().nullable(),
  workflowVersion: z.number().int(),
  status: executionStatusSchema,
  triggerType: executionTriggerTypeSchema,
  error: z.string().nullable(),
  attempts: z.number().int(),
  retryOf: idSchema.nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  startedAt: z.iso.datetime({ offset: true }).nullable(),
  finishedAt: z.iso.datetime({ offset: true }).nullable(),
  durationMs: z.number().nullable(),
});
export type ExecutionSummary = z.output<typeof executionSummarySchema>;

/** One execution with its payload, output and steps (`GET /executions/:id`). */
export const executionSchema = executionSummarySchema.extend({
  payload: z.unknown(),
  output: z.unknown(),
  steps: z.array(stepResultSchema),
});
export type Execution = z.output<typeof executionSchema>;

/** `POST /workflows/:id/run` and `POST /executions/:id/retry` (202). */
export const executionStartedSchema = z.strictObject({ executionId: idSchema });
export type ExecutionStarted = z.output<typeof executionStartedSchema>;

/** A dry run answers the same step results as an execution, each also under `id`. */
export const dryRunStepSchema = stepResultSchema.extend({ id: z.string() });
export type DryRunStep = z.output<typeof dryRunStepSchema>;

/** `POST /workflows/dry-run` and `POST /workflows/:id/dry-run`: real calls, nothing recorded. */
export const dryRunResultSchema = z.strictObject({
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  durationMs: z.number(),
  output: z.unknown(),
  error: z.string().nullable(),
  steps: z.array(dryRunStepSchema),
});
export type DryRunResult = z.output<typeof dryRunResultSchema>;

const counts = { total: z.number().int(), succeeded: z.number().int(), failed: z.number().int() };

/** `GET /stats`: the dashboard's overview. */
export const statsSchema = z.strictObject({
  total: z.number().int(),
  byStatus: z.strictObject({
    queued: z.number().int(),
    running: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
  }),
  /** Succeeded over finished (succeeded + failed), 0 to 1; null before anything finished. */
  successRate: z.number().nullable(),
  today: z.strictObject(counts),
  /** The 50 busiest workflows. */
  perWorkflow: z.array(z.strictObject({ workflowId: idSchema, name: z.string(), ...counts })),
  /** The last 24 hours, oldest first. */
  perHour: z.array(z.strictObject({ hour: z.iso.datetime({ offset: true }), ...counts })),
});
export type Stats = z.output<typeof statsSchema>;
