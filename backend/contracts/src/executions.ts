/** Executions, their step results, dry runs and the dashboard's stats. */
import { z } from 'zod';
import { idSchema } from './common.js';

/** `waiting`: parked on a durable wait (a time, a resume webhook, an approval, a sub-workflow); it holds no worker. */
export const EXECUTION_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
/** The states an execution ends in. */
export const FINAL_EXECUTION_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;
export const executionStatusSchema = z.enum(EXECUTION_STATUSES);
export type ExecutionStatus = z.output<typeof executionStatusSchema>;

/** What started an execution: its workflow's trigger, or a retry of an earlier execution. */
/** `error`: started by a failed execution of a workflow that names this one as its error workflow. */
/** `call`: started by a `call` step of another execution (a sub-workflow). */
/** `mcp`: a tool call of an MCP client (`/mcp`). */
export const EXECUTION_TRIGGER_TYPES = ['webhook', 'schedule', 'event', 'manual', 'retry', 'error', 'call', 'mcp'] as const;
export const executionTriggerTypeSchema = z.enum(EXECUTION_TRIGGER_TYPES);
export type ExecutionTriggerType = z.output<typeof executionTriggerTypeSchema>;

/** `waiting`: a wait step (or a block holding one) not resumed yet. */
export const STEP_STATUSES = ['succeeded', 'failed', 'skipped', 'waiting'] as const;
export const STEP_KINDS = ['action', 'condition', 'loop', 'parallel', 'wait', 'call', 'agent'] as const;
export const stepStatusSchema = z.enum(STEP_STATUSES);
export type StepStatus = z.output<typeof stepStatusSchema>;

/** Tokens a model call used (an agent step's: every call of its loop). */
export const tokenUsageSchema = z.strictObject({ promptTokens: z.number().int(), completionTokens: z.number().int(), totalTokens: z.number().int() });
export type TokenUsage = z.output<typeof tokenUsageSchema>;

/** One step's result, as recorded on its execution (and answered by a dry run). */
export const stepResultSchema = z.strictObject({
  stepId: z.string(),
  /**
   * Where the step ran: its id, prefixed inside loops and parallel branches by the block and the
   * iteration or branch (`fanout[3].post`, `enrich[1].geo`). Absent on results recorded before v2 (= stepId).
   */
  path: z.string().optional(),
  /** `action` or the block's type; absent on results recorded before v2 (= action). */
  type: z.enum(STEP_KINDS).optional(),
  /** `<executionId>:<path>`: the same on every attempt and after a crash (`Idempotency-Key` of HTTP calls). */
  idempotencyKey: z.string().optional(),
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
  /** Test runs: the step did not run; its output is the data pinned on it (`workflow.pinData`). */
  pinned: z.boolean().optional(),
  /** Milliseconds the step was queued by its connection's rate limit (part of `durationMs`). */
  throttledMs: z.number().optional(),
  /** Model calls (`llm`, agent steps): the tokens this result used. */
  usage: tokenUsageSchema.optional(),
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

/** A wait of an execution not resumed yet: what it waits for, until when, and how to resume it. */
export const pendingWaitSchema = z.strictObject({
  stepId: z.string(),
  path: z.string(),
  kind: z.enum(['duration', 'until', 'webhook', 'approval', 'call']),
  /** When it fires (duration, until) or times out (webhook, approval); null: no limit. */
  dueAt: z.iso.datetime({ offset: true }).nullable(),
  /** Webhook waits: POST here to resume (single use). */
  resumeUrl: z.string().optional(),
  /** Approval waits: the message shown to approvers. */
  message: z.string().optional(),
  /** Call waits: the child execution. */
  childExecutionId: idSchema.optional(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type PendingWait = z.output<typeof pendingWaitSchema>;

/**
 * One step of an execution as a tree node: the workflow's step with its result (none yet: `pending`),
 * and for blocks what ran inside: a condition's branch, a loop's iterations, a parallel block's branches.
 */
export interface ExecutionStepNode {
  stepId: string;
  path: string;
  type: (typeof STEP_KINDS)[number];
  name?: string;
  status: StepStatus | 'pending';
  result?: StepResult;
  /** Condition: the branch taken and its steps. */
  branch?: 'then' | 'else';
  steps?: ExecutionStepNode[];
  /** Loop: one entry per iteration started. */
  iterations?: { index: number; steps: ExecutionStepNode[] }[];
  /** Parallel: one entry per branch. */
  branches?: { index: number; steps: ExecutionStepNode[] }[];
}
export const executionStepNodeSchema: z.ZodType<ExecutionStepNode> = z.lazy(() =>
  z.strictObject({
    stepId: z.string(),
    path: z.string(),
    type: z.enum(STEP_KINDS),
    name: z.string().optional(),
    status: z.enum([...STEP_STATUSES, 'pending']),
    result: stepResultSchema.optional(),
    branch: z.enum(['then', 'else']).optional(),
    steps: z.array(executionStepNodeSchema).optional(),
    iterations: z.array(z.strictObject({ index: z.number().int(), steps: z.array(executionStepNodeSchema) })).optional(),
    branches: z.array(z.strictObject({ index: z.number().int(), steps: z.array(executionStepNodeSchema) })).optional(),
  }),
);

/** One execution with its payload, output and steps (`GET /executions/:id`). */
export const executionSchema = executionSummarySchema.extend({
  payload: z.unknown(),
  output: z.unknown(),
  /** Every step result recorded, flat, in the order they finished (blocks after their steps). */
  steps: z.array(stepResultSchema),
  /** The same results as the workflow's tree of steps and blocks (null when its version is gone). */
  tree: z.array(executionStepNodeSchema).nullable(),
  /** The waits not resumed yet (while `waiting`). */
  waits: z.array(pendingWaitSchema),
  /** The execution that started this one through a `call` step. */
  parentExecutionId: idSchema.nullable(),
  /** Its OpenTelemetry trace id (32 hex digits; look it up in Jaeger, Tempo…): null when tracing was off when it was accepted. */
  traceId: z.string().regex(/^[0-9a-f]{32}$/).nullable(),
  /** The environment it ran in (its workflow's when it was accepted): which values `{{vars.NAME}}` read. */
  environment: z.string(),
  /** Tokens its model calls used (LLM and agent steps), summed; null: it made none. */
  usage: tokenUsageSchema.nullable(),
});

/** `POST /executions/:id/approve` and `/reject`. */
export const approvalInputSchema = z.strictObject({
  /** Which approval step, when the execution waits on several. */
  stepId: z.string().max(200).optional(),
  /** Anything the approver adds; the wait's output carries it. */
  data: z.unknown().optional(),
});
export type ApprovalInput = z.output<typeof approvalInputSchema>;

/** `POST /resume/:token` (202). */
export const resumedSchema = z.strictObject({ executionId: idSchema, resumed: z.literal(true) });
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

/** `tokens`: what model calls (LLM and agent steps) of the finished executions used. */
const counts = { total: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), tokens: z.number().int() };

/** `GET /stats`: the dashboard's overview. */
export const statsSchema = z.strictObject({
  total: z.number().int(),
  byStatus: z.strictObject({
    queued: z.number().int(),
    running: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
    waiting: z.number().int(),
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
