/** A workflow's definition (trigger and steps) as the api accepts and stores it, and the workflows it answers. */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { idSchema, timestampSchema, timezoneSchema } from './common.js';
import { STEP_ID_MAX_LENGTH, STEP_ID_MESSAGE, STEP_ID_PATTERN, TOPIC_PATTERN } from './patterns.js';
import { environmentSchema } from './variables.js';

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

/** Retries of a step's action (or of a call's start): attempts in all, and the first backoff. */
const retrySchema = z.object({
  attempts: z.number().int().min(1).max(10).default(3),
  backoffMs: z.number().int().min(0).max(600_000).default(1000),
});

/** Items a loop takes at most (SPEC: a clear error above). */
export const LOOP_MAX_ITEMS = 10_000;
/** How deep sub-workflow calls may nest (a cycle stops here with a clear error). */
export const CALL_MAX_DEPTH = 10;

/** What every step and block has: a unique id (read as `steps.<id>`) and an optional label. */
const stepBase = {
  id: stepIdSchema,
  name: z.string().max(200).optional(),
  /** A condition template; the step (or block) is skipped when it renders falsy. */
  when: z.string().max(10_000).optional(),
  /**
   * What a failure of this step (retries exhausted) does: `fail` (the default) fails the run there;
   * `continue` records the failure, gives the step the output `{ error }` and goes on.
   */
  onError: z.enum(['fail', 'continue']).optional(),
};

/** A step as stored and run (defaults applied): an action step or a block. Declared by hand: the schema is recursive. */
export type StepDefinition = ActionStepDefinition | ConditionBlock | LoopBlock | ParallelBlock | WaitBlock | CallBlock | AgentBlock;
/** A step as a client may send it (defaults not applied). */
export type StepDraft = ActionStepDraft | ConditionBlockDraft | LoopBlockDraft | ParallelBlockDraft | WaitBlock | CallBlockDraft | AgentBlockDraft;
interface StepBaseFields {
  id: string;
  name?: string;
  when?: string;
  onError?: 'fail' | 'continue';
}
export interface ActionStepDefinition extends StepBaseFields {
  type?: 'action';
  connector: string;
  action: string;
  credentialId?: string;
  input: Record<string, unknown>;
  retry?: { attempts: number; backoffMs: number };
  timeoutMs?: number;
}
export type ActionStepDraft = Omit<ActionStepDefinition, 'input' | 'retry'> & { input?: Record<string, unknown>; retry?: { attempts?: number; backoffMs?: number } };
export interface ConditionBlock extends StepBaseFields {
  type: 'condition';
  if: string;
  then: StepDefinition[];
  else: StepDefinition[];
}
export type ConditionBlockDraft = Omit<ConditionBlock, 'then' | 'else'> & { then?: StepDraft[]; else?: StepDraft[] };
export interface LoopBlock extends StepBaseFields {
  type: 'loop';
  items: string;
  concurrency: number;
  steps: StepDefinition[];
}
export type LoopBlockDraft = Omit<LoopBlock, 'concurrency' | 'steps'> & { concurrency?: number; steps: StepDraft[] };
export interface ParallelBlock extends StepBaseFields {
  type: 'parallel';
  branches: StepDefinition[][];
}
export type ParallelBlockDraft = Omit<ParallelBlock, 'branches'> & { branches: StepDraft[][] };
export type WaitBlock = StepBaseFields & { type: 'wait' } & (
    | { for: 'duration'; seconds: number }
    | { for: 'until'; at: string }
    | { for: 'webhook'; timeoutSeconds?: number }
    | { for: 'approval'; message?: string; timeoutSeconds?: number }
  );
export interface CallBlock extends StepBaseFields {
  type: 'call';
  workflowId: string;
  input: Record<string, unknown>;
  wait: boolean;
}
export type CallBlockDraft = Omit<CallBlock, 'input' | 'wait'> & { input?: Record<string, unknown>; wait?: boolean };
/** A tool an agent may call: another workflow of the tenant (run as a sub-workflow), or a tool of an MCP server (an `mcp` connection). */
export type AgentTool =
  | { kind: 'workflow'; workflowId: string; name?: string; description?: string; approval?: boolean }
  | { kind: 'mcp'; credentialId: string; tool: string; name?: string; description?: string; approval?: boolean };
export interface AgentBlock extends StepBaseFields {
  type: 'agent';
  /** An `llm` connection (base URL, model, key). */
  credentialId: string;
  /** Overrides the connection's model. */
  model?: string;
  system?: string;
  prompt: string;
  tools: AgentTool[];
  maxIterations: number;
  maxTokens?: number;
  outputSchema?: Record<string, unknown>;
  temperature?: number;
}
export type AgentBlockDraft = Omit<AgentBlock, 'tools' | 'maxIterations'> & { tools?: AgentTool[]; maxIterations?: number };
type StepSchema = z.ZodType<StepDefinition, StepDraft>;

/** An action step: a connector's action with templated input (the v1 step; `type` may be left out). */
export const actionStepSchema = z.object({
  ...stepBase,
  type: z.literal('action').optional(),
  connector: z.string().min(1),
  action: z.string().min(1),
  credentialId: z.string().uuid().optional(),
  input: z.record(z.string(), z.unknown()).default({}),
  retry: retrySchema.optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
});

/** `if` / `then` / `else`: the branch the template picks runs; its last output is the block's. */
export const conditionBlockSchema = z.object({
  ...stepBase,
  type: z.literal('condition'),
  if: z.string().min(1).max(10_000),
  get then(): z.ZodDefault<z.ZodArray<StepSchema>> {
    return z.array(stepSchema).max(100).default([]);
  },
  get else(): z.ZodDefault<z.ZodArray<StepSchema>> {
    return z.array(stepSchema).max(100).default([]);
  },
});

/** Runs its steps once per item (`{{item}}`, `{{$index}}`); output: each iteration's last output. */
export const loopBlockSchema = z.object({
  ...stepBase,
  type: z.literal('loop'),
  items: z.string().min(1).max(10_000),
  concurrency: z.number().int().min(1).max(50).default(1),
  get steps(): z.ZodArray<StepSchema> {
    return z.array(stepSchema).min(1).max(100);
  },
});

/** Branches that run at the same time; output: each branch's last output; fails when a branch fails. */
export const parallelBlockSchema = z.object({
  ...stepBase,
  type: z.literal('parallel'),
  get branches(): z.ZodArray<z.ZodArray<StepSchema>> {
    return z.array(z.array(stepSchema).max(100)).min(1).max(20);
  },
});

/** A durable wait: the execution holds no worker while it waits, and survives restarts. */
export const waitBlockSchema = z.discriminatedUnion('for', [
  z.object({ ...stepBase, type: z.literal('wait'), for: z.literal('duration'), seconds: z.number().min(0).max(366 * 24 * 3600) }),
  z.object({ ...stepBase, type: z.literal('wait'), for: z.literal('until'), at: z.string().min(1).max(10_000) }),
  z.object({ ...stepBase, type: z.literal('wait'), for: z.literal('webhook'), timeoutSeconds: z.number().int().min(1).max(366 * 24 * 3600).optional() }),
  z.object({
    ...stepBase,
    type: z.literal('wait'),
    for: z.literal('approval'),
    message: z.string().max(2000).optional(),
    timeoutSeconds: z.number().int().min(1).max(366 * 24 * 3600).optional(),
  }),
]);

/** Runs another workflow of the tenant as a child execution; with `wait`, its last output is this step's. */
export const callBlockSchema = z.object({
  ...stepBase,
  type: z.literal('call'),
  workflowId: idSchema,
  input: z.record(z.string(), z.unknown()).default({}),
  wait: z.boolean().default(true),
});

/** What a model sees as a tool's name (OpenAI's and MCP's rule). */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const toolNameSchema = z.string().regex(TOOL_NAME_PATTERN, 'Letters, digits, _ and - only, at most 64');
/** Agent loops take at most this many model calls. */
export const AGENT_MAX_ITERATIONS = 50;

const agentToolFields = { name: toolNameSchema.optional(), description: z.string().max(2000).optional(), approval: z.boolean().optional() };
export const agentToolSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('workflow'), workflowId: idSchema, ...agentToolFields }),
  z.strictObject({ kind: z.literal('mcp'), credentialId: z.string().uuid(), tool: z.string().min(1).max(200), ...agentToolFields }),
]);

/**
 * An LLM loop with tools (SPEC "AI steps"): the model answers or asks for tool calls; each model call
 * and each tool call is recorded at its own path (`<id>[<i>].model`, `<id>[<i>].tools[<k>]`), so a
 * resumed run repeats none that finished. Its output: `{ answer, json?, iterations, usage, conversation }`.
 */
export const agentBlockSchema = z.object({
  ...stepBase,
  type: z.literal('agent'),
  credentialId: z.string().uuid(),
  model: z.string().min(1).max(200).optional(),
  system: z.string().max(20_000).optional(),
  prompt: z.string().min(1).max(20_000),
  tools: z.array(agentToolSchema).max(20).default([]),
  maxIterations: z.number().int().min(1).max(AGENT_MAX_ITERATIONS).default(8),
  /** The most tokens (prompt and completion, every call summed) the loop may use; it fails when a call passes it. */
  maxTokens: z.number().int().min(1).max(10_000_000).optional(),
  /** JSON Schema the final answer must match (structured output); a reply that does not is sent back once per iteration. */
  outputSchema: z.record(z.string(), z.unknown()).optional(),
  temperature: z.number().min(0).max(2).optional(),
});

/** A step of the workflow language v2: an action step or a block (SPEC "Workflow language v2"). */
export const stepSchema: StepSchema = z.discriminatedUnion('type', [
  actionStepSchema,
  conditionBlockSchema,
  loopBlockSchema,
  parallelBlockSchema,
  waitBlockSchema,
  callBlockSchema,
  agentBlockSchema,
]);

/** The name the model sees for an agent's tool: its own, else the MCP tool's, else `workflow_<first 8 of its id>`. */
export function agentToolName(t: AgentTool): string {
  if (t.name) return t.name;
  if (t.kind === 'mcp') return t.tool.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return `workflow_${t.workflowId.replace(/-/g, '').slice(0, 8)}`;
}

/** A workflow offered as a tool to MCP clients (`/mcp`): named and described for the model; its `inputSchema` is the tool's. */
export const workflowToolSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** `tributary_` names are the platform's own tools (`tributary_execution`). */
  name: toolNameSchema.refine((n) => !n.startsWith('tributary_'), 'Names starting with tributary_ are reserved'),
  description: z.string().trim().min(1, 'Describe what the tool does: the model reads it').max(2000),
});
export type WorkflowTool = z.output<typeof workflowToolSchema>;

export const WORKFLOW_PRIORITIES = ['high', 'normal', 'low'] as const;
export type WorkflowPriority = (typeof WORKFLOW_PRIORITIES)[number];

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
  /**
   * At most `max` executions of this workflow running at once across all workers; the others wait,
   * queued, in order of acceptance. Null or absent: no limit.
   */
  concurrency: z.strictObject({ max: z.number().int().min(1).max(10_000) }).nullable().optional(),
  /** `high` runs before `normal` work waiting in the queue, `low` after it. */
  priority: z.enum(WORKFLOW_PRIORITIES).optional(),
  /**
   * JSON Schema (draft 2020-12 or 07) of the payload of manual runs and sub-workflow calls: a payload
   * that does not match is refused (400 for a manual run, a failed `call` step). Null or absent: any payload.
   */
  inputSchema: z.record(z.string(), z.unknown()).nullable().optional(),
  /**
   * The environment it runs in: `{{vars.NAME}}` reads that environment's values. Default `production`.
   * A setting of the workflow, not versioned; `POST /workflows/:id/promote` copies it to another one.
   */
  environment: environmentSchema.optional(),
  /** Offered to MCP clients as a tool (`/mcp`); null or absent: not a tool. */
  tool: workflowToolSchema.nullable().optional(),
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
export type BlockType = 'condition' | 'loop' | 'parallel' | 'wait' | 'call' | 'agent';
/** The kind of a step: `action`, or the block's type. */
export type StepKind = 'action' | BlockType;
export function stepKind(step: StepDefinition): StepKind {
  return step.type ?? 'action';
}
export function isActionStep(step: StepDefinition): step is ActionStepDefinition {
  return step.type === undefined || step.type === 'action';
}
/** The nested step lists of a block (none for an action step, a wait or a call). */
export function childLists(step: StepDefinition): StepDefinition[][] {
  switch (step.type) {
    case 'condition':
      return [step.then, step.else];
    case 'loop':
      return [step.steps];
    case 'parallel':
      return step.branches;
    default:
      return [];
  }
}
/** Every step of a list, blocks' nested steps included, depth first in order. */
export function allSteps(steps: StepDefinition[]): StepDefinition[] {
  const out: StepDefinition[] = [];
  const walk = (list: StepDefinition[]) => {
    for (const s of list) {
      out.push(s);
      for (const child of childLists(s)) walk(child);
    }
  };
  walk(steps);
  return out;
}
export type TriggerType = TriggerDefinition['type'];
/** A request body after validation (what the api works with). */
export type WorkflowInput = z.output<typeof workflowInputSchema>;
export type WorkflowUpdate = z.output<typeof workflowUpdateSchema>;
/** What a client may send (defaults not applied yet). */
export type TriggerDraft = z.input<typeof triggerSchema>;

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
  concurrency: z.strictObject({ max: z.number().int() }).nullable(),
  priority: z.enum(WORKFLOW_PRIORITIES),
  inputSchema: z.record(z.string(), z.unknown()).nullable(),
  environment: z.string(),
  tool: workflowToolSchema.nullable(),
  /** Test data pinned by step id (`PUT /workflows/:id/pins/:stepId`): dry runs use it instead of running those steps. */
  pinData: z.record(z.string(), z.unknown()),
  /** The workflow whose promotion created this one (its counterpart in another environment). */
  promotedFrom: idSchema.nullable(),
  version: z.number().int(),
  /** Webhook triggers: where to send requests. */
  webhookUrl: z.string().optional(),
  /** Schedule triggers: the next five run times (none while disabled). */
  nextRuns: z.array(z.string()).optional(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});

/** `PUT /workflows/:id/pins/:stepId`: the output a dry run uses for that step instead of running it. */
export const pinBodySchema = z.object({ output: z.unknown().refine((v) => v !== undefined, 'output is required (any JSON value, null included)') });
/** What the pin routes answer: the workflow's pins after the change. */
export const pinDataSchema = z.strictObject({ pinData: z.record(z.string(), z.unknown()) });

/** One saved version of a workflow (`GET /workflows/:id/versions`). */
export const workflowVersionSchema = z.strictObject({
  id: idSchema,
  workflowId: idSchema,
  version: z.number().int(),
  name: z.string(),
  description: z.string(),
  trigger: triggerSchema,
  steps: z.array(stepSchema),
  /** Why this version exists when the platform made it (`promoted from staging v3`); null for an edit. */
  note: z.string().nullable(),
  createdBy: idSchema.nullable(),
  createdAt: timestampSchema,
});

export const workflowVersionListSchema = z.strictObject({ items: z.array(workflowVersionSchema) });

export type Workflow = z.output<typeof workflowSchema>;
export type WorkflowVersion = z.output<typeof workflowVersionSchema>;
