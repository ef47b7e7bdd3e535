/**
 * The builder's form model: what react-hook-form edits, how it is validated before it reaches the
 * api, and the conversions between it and the api's workflow. Field names mirror the api's, so an
 * error at `steps.1.input.text` lands on the form field `steps.1.input.text`.
 */
import type { ActionStepDraft } from '@tributary/contracts';
import { stepIdError, stepIdFrom } from '@tributary/contracts/patterns';
import { AGENT_MAX_ITERATIONS, TOOL_NAME_PATTERN } from '@tributary/contracts/workflow';
import { z } from 'zod';
import type { AgentBlockDraft, AgentTool, Connector, Step, Trigger, TriggerType, Workflow, WorkflowInput } from '@/lib/api/types';
import { apiValues, formValues, schemaFields, type FormValue } from '@/lib/json-schema';
import { allDrafts, childDrafts, draftKind, isActionDraft, type StepKind } from './blocks';

/** One tool of an agent block as the form edits it (both kinds' fields; `kind` says which count). */
export interface AgentToolValues {
  kind: 'workflow' | 'mcp';
  workflowId: string;
  credentialId: string;
  tool: string;
  name: string;
  description: string;
  approval: boolean;
}

/** An agent block's own fields as the form edits them (numbers and the output schema as text). */
export interface AgentValues {
  credentialId: string;
  model: string;
  system: string;
  prompt: string;
  tools: AgentToolValues[];
  maxIterations: string;
  maxTokens: string;
  temperature: string;
  /** JSON Schema of the structured answer, as JSON text; empty: a plain text answer. */
  outputSchema: string;
}

export const AGENT_DEFAULT_ITERATIONS = 8;

export const emptyAgent: AgentValues = {
  credentialId: '',
  model: '',
  system: '',
  prompt: '',
  tools: [],
  maxIterations: String(AGENT_DEFAULT_ITERATIONS),
  maxTokens: '',
  temperature: '',
  outputSchema: '',
};

export const emptyAgentTool = (kind: AgentToolValues['kind']): AgentToolValues => ({ kind, workflowId: '', credentialId: '', tool: '', name: '', description: '', approval: false });

/** A workflow name as a tool name a model accepts (letters, digits, _ and -; at most 64). */
export function toolNameFrom(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 64) || 'tool'
  );
}

/** The workflow offered to MCP clients as a tool (`tool` of the api's workflow). */
export interface WorkflowToolValues {
  enabled: boolean;
  name: string;
  description: string;
}

export interface StepValues {
  /**
   * `action`: a connector step the form edits. `agent`: an agent block the form edits (its fields
   * in `agent`; `id`, `name`, `when` and `onError` are the block's). Another block (condition,
   * loop, parallel, wait, call) is not edited by the form: it rides along as `block` (its JSON as
   * loaded or written in the JSON view) and is sent back exactly so; `id` and `name` mirror it for
   * display and checks.
   */
  kind: StepKind;
  /** Blocks other than agents: the step's JSON, kept as it is. Empty for action steps and agents. */
  block: string;
  /** Agent blocks: their fields. The empty values for every other kind. */
  agent: AgentValues;
  id: string;
  name: string;
  connector: string;
  action: string;
  credentialId: string;
  input: Record<string, FormValue>;
  /** The whole input as JSON, for actions whose input schema has no described fields. */
  inputJson: string;
  when: string;
  retry: { attempts: string; backoffMs: string };
  timeoutMs: string;
  /** What a failure of the step does: stop the run (the default) or record it and go on. */
  onError: 'fail' | 'continue';
}

export interface TriggerValues {
  type: TriggerType;
  responseMode: 'async' | 'sync';
  secret: string;
  scheduleMode: 'interval' | 'cron';
  intervalSeconds: string;
  cron: string;
  timezone: string;
  topic: string;
}

export interface BuilderValues {
  name: string;
  description: string;
  enabled: boolean;
  trigger: TriggerValues;
  steps: StepValues[];
  tool: WorkflowToolValues;
}

const TOOL_NAME_MESSAGE = 'Letters, digits, _ and - only, at most 64';

/** A whole number within [min, max] written in a text field; empty is fine (not set). */
function intProblem(text: string, label: string, min: number, max: number): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t)) return `${label} must be a whole number`;
  const n = Number(t);
  if (n < min || n > max) return `${label} is between ${min} and ${max.toLocaleString('en')}`;
  return undefined;
}

/** What is wrong with an agent block's fields, as [path under the step, message] pairs. */
export function agentProblems(a: AgentValues): [string, string][] {
  const out: [string, string][] = [];
  if (!a.credentialId) out.push(['agent.credentialId', 'Choose the LLM connection the agent talks to']);
  if (!a.prompt.trim()) out.push(['agent.prompt', 'Write the prompt: what the agent is asked to do']);
  const iterations = a.maxIterations.trim() === '' ? undefined : intProblem(a.maxIterations, 'Max iterations', 1, AGENT_MAX_ITERATIONS);
  if (iterations) out.push(['agent.maxIterations', iterations]);
  const tokens = intProblem(a.maxTokens, 'Max tokens', 1, 10_000_000);
  if (tokens) out.push(['agent.maxTokens', tokens]);
  const temp = a.temperature.trim();
  if (temp !== '' && (!/^\d*\.?\d+$/.test(temp) || Number(temp) > 2)) out.push(['agent.temperature', 'Temperature is a number from 0 to 2']);
  if (a.outputSchema.trim()) {
    try {
      const v = JSON.parse(a.outputSchema) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) out.push(['agent.outputSchema', 'The output schema is a JSON object (a JSON Schema)']);
    } catch {
      out.push(['agent.outputSchema', 'Not valid JSON']);
    }
  }
  if (a.tools.length > 20) out.push(['agent.tools', 'An agent has at most 20 tools']);
  a.tools.forEach((t, k) => {
    if (t.kind === 'workflow' && !t.workflowId) out.push([`agent.tools.${k}.workflowId`, 'Choose the workflow the agent may run']);
    if (t.kind === 'mcp') {
      if (!t.credentialId) out.push([`agent.tools.${k}.credentialId`, 'Choose the MCP connection']);
      if (!t.tool.trim()) out.push([`agent.tools.${k}.tool`, 'Choose the tool of the MCP server']);
    }
    if (t.name.trim() && !TOOL_NAME_PATTERN.test(t.name.trim())) out.push([`agent.tools.${k}.name`, TOOL_NAME_MESSAGE]);
    if (t.description.length > 2000) out.push([`agent.tools.${k}.description`, 'At most 2,000 characters']);
  });
  return out;
}

const intString = (label: string) =>
  z.string().refine((s) => s.trim() === '' || /^\d+$/.test(s.trim()), `${label} must be a whole number`);

const stepSchema = z.looseObject({
  // The api's own rule (the contracts' pattern): a `-` would be refused on save.
  id: z
    .string()
    .trim()
    .superRefine((id, ctx) => {
      const error = stepIdError(id);
      if (error) ctx.addIssue({ code: 'custom', message: error });
    }),
  inputJson: z.string(),
  retry: z.object({ attempts: intString('Attempts'), backoffMs: intString('Backoff') }),
  timeoutMs: intString('Timeout'),
  onError: z.enum(['fail', 'continue']),
});

export const builderSchema = z
  .looseObject({
    name: z.string().trim().min(1, 'Name the workflow').max(200),
    description: z.string().max(2000),
    enabled: z.boolean(),
    trigger: z.looseObject({
      type: z.enum(['webhook', 'schedule', 'event', 'manual']),
      scheduleMode: z.enum(['interval', 'cron']),
      intervalSeconds: z.string(),
      cron: z.string(),
      topic: z.string(),
    }),
    steps: z.array(stepSchema),
    tool: z.looseObject({ enabled: z.boolean(), name: z.string(), description: z.string() }),
  })
  .superRefine((v, ctx) => {
    if (v.tool.enabled) {
      if (!TOOL_NAME_PATTERN.test(v.tool.name.trim())) ctx.addIssue({ code: 'custom', path: ['tool', 'name'], message: v.tool.name.trim() ? TOOL_NAME_MESSAGE : 'Name the tool: MCP clients and models call it by this name' });
      if (!v.tool.description.trim()) ctx.addIssue({ code: 'custom', path: ['tool', 'description'], message: 'Describe what the tool does: the model reads it to decide when to call it' });
      else if (v.tool.description.trim().length > 2000) ctx.addIssue({ code: 'custom', path: ['tool', 'description'], message: 'At most 2,000 characters' });
    }
    const t = v.trigger;
    if (t.type === 'schedule') {
      if (t.scheduleMode === 'interval' && !/^\d+$/.test(t.intervalSeconds.trim()))
        ctx.addIssue({ code: 'custom', path: ['trigger', 'intervalSeconds'], message: 'Enter the interval in whole seconds' });
      if (t.scheduleMode === 'cron' && !t.cron.trim()) ctx.addIssue({ code: 'custom', path: ['trigger', 'cron'], message: 'Enter a cron expression, e.g. */5 * * * *' });
    }
    if (t.type === 'event' && !t.topic.trim()) ctx.addIssue({ code: 'custom', path: ['trigger', 'topic'], message: 'Enter the event topic' });
    // Ids are unique across the whole workflow: the steps nested in blocks count too.
    const idsOf = v.steps.map((s) => [s.id.trim(), ...nestedIds(s as unknown as StepValues)]);
    const uses = new Map<string, number>();
    for (const id of idsOf.flat()) uses.set(id, (uses.get(id) ?? 0) + 1);
    v.steps.forEach((s, i) => {
      const dupe = idsOf[i].find((id) => (uses.get(id) ?? 0) > 1);
      if (dupe !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, s.kind === 'action' || s.kind === 'agent' ? 'id' : 'block'], message: `The id “${dupe}” is used more than once (ids are unique across the whole workflow, blocks included)` });
      }
      if (s.kind === 'agent') {
        for (const [path, message] of agentProblems((s as unknown as StepValues).agent)) ctx.addIssue({ code: 'custom', path: ['steps', i, ...path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))], message });
      }
      if (s.kind === 'action' && s.inputJson.trim()) {
        try {
          JSON.parse(s.inputJson);
        } catch {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'inputJson'], message: 'Not valid JSON' });
        }
      }
    });
  });

export const emptyTrigger: TriggerValues = {
  type: 'webhook',
  responseMode: 'async',
  secret: '',
  scheduleMode: 'interval',
  intervalSeconds: '300',
  cron: '',
  timezone: '',
  topic: '',
};

export const emptyTool: WorkflowToolValues = { enabled: false, name: '', description: '' };

export const emptyBuilder: BuilderValues = { name: '', description: '', enabled: true, trigger: emptyTrigger, steps: [], tool: emptyTool };

function inputFields(connectors: Connector[], connector: string, action: string) {
  const a = connectors.find((c) => c.key === connector)?.actions.find((x) => x.key === action);
  return a ? schemaFields(a.input) : [];
}

/** The step a block entry carries (its JSON parsed, or an agent's fields as its block); null for an action step. */
export function blockOf(s: StepValues): Step | null {
  if (s.kind === 'agent') return s.agent ? toAgentBlock(s) : null;
  if (s.kind === 'action' || !s.block) return null;
  try {
    return JSON.parse(s.block) as Step;
  } catch {
    return null;
  }
}

/** Ids of the steps nested in a block entry (none for an action step). */
export function nestedIds(s: StepValues): string[] {
  const b = blockOf(s);
  return b ? allDrafts(childDrafts(b).flat()).map((x) => x.id) : [];
}

/** Every id a list of entries uses, nested ones included (new step ids avoid them). */
export function takenIds(steps: StepValues[]): string[] {
  return steps.flatMap((s) => [s.id, ...nestedIds(s)]);
}

const emptyActionFields = {
  agent: emptyAgent,
  connector: '',
  action: '',
  credentialId: '',
  input: {},
  inputJson: '',
  when: '',
  retry: { attempts: '', backoffMs: '' },
  timeoutMs: '',
  onError: 'fail' as const,
};

function numberText(n: number | undefined): string {
  return n === undefined ? '' : String(n);
}

function toAgentToolValues(t: AgentTool): AgentToolValues {
  const common = { name: t.name ?? '', description: t.description ?? '', approval: t.approval === true };
  return t.kind === 'mcp'
    ? { ...emptyAgentTool('mcp'), ...common, credentialId: t.credentialId, tool: t.tool }
    : { ...emptyAgentTool('workflow'), ...common, workflowId: t.workflowId };
}

export function toAgentValues(step: AgentBlockDraft): AgentValues {
  return {
    credentialId: step.credentialId ?? '',
    model: step.model ?? '',
    system: step.system ?? '',
    prompt: step.prompt ?? '',
    tools: (step.tools ?? []).map(toAgentToolValues),
    maxIterations: numberText(step.maxIterations ?? AGENT_DEFAULT_ITERATIONS),
    maxTokens: numberText(step.maxTokens),
    temperature: numberText(step.temperature),
    outputSchema: step.outputSchema ? JSON.stringify(step.outputSchema, null, 2) : '',
  };
}

function toAgentTool(t: AgentToolValues): AgentTool {
  const extra = { ...(t.name.trim() ? { name: t.name.trim() } : {}), ...(t.description.trim() ? { description: t.description.trim() } : {}), ...(t.approval ? { approval: true } : {}) };
  return t.kind === 'mcp' ? { kind: 'mcp', credentialId: t.credentialId, tool: t.tool.trim(), ...extra } : { kind: 'workflow', workflowId: t.workflowId, ...extra };
}

/** A number field's text as the api's number (left out when empty; the form's checks refuse what is not a number). */
function numberField(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** An agent entry of the form as the api's agent block. */
export function toAgentBlock(s: Pick<StepValues, 'id' | 'name' | 'when' | 'onError' | 'agent'>): AgentBlockDraft {
  const a = s.agent;
  const block: AgentBlockDraft = { id: s.id.trim(), type: 'agent', credentialId: a.credentialId, prompt: a.prompt, tools: a.tools.map(toAgentTool) };
  if (s.name.trim()) block.name = s.name.trim();
  if (s.when.trim()) block.when = s.when;
  if (s.onError === 'continue') block.onError = 'continue';
  if (a.model.trim()) block.model = a.model.trim();
  if (a.system.trim()) block.system = a.system;
  const iterations = numberField(a.maxIterations);
  block.maxIterations = iterations ?? AGENT_DEFAULT_ITERATIONS;
  const maxTokens = numberField(a.maxTokens);
  if (maxTokens !== undefined) block.maxTokens = maxTokens;
  const temperature = numberField(a.temperature);
  if (temperature !== undefined) block.temperature = temperature;
  if (a.outputSchema.trim()) {
    try {
      const schema = JSON.parse(a.outputSchema) as unknown;
      if (schema && typeof schema === 'object' && !Array.isArray(schema)) block.outputSchema = schema as Record<string, unknown>;
    } catch {
      /* caught by the form's checks before it is sent */
    }
  }
  return block;
}

/** A new agent block (the add-step menu's "AI agent"). */
export function newAgentStep(taken: string[]): StepValues {
  let id = 'agent';
  for (let n = 2; taken.includes(id); n++) id = `agent_${n}`;
  return { ...emptyActionFields, kind: 'agent', block: '', id, name: '', agent: { ...emptyAgent, tools: [] } };
}

/** True when a JSON text field of the entry does not parse (its content would be lost on the way to the JSON view). */
export function hasBrokenJson(s: StepValues): boolean {
  const text = s.kind === 'action' ? s.inputJson : s.kind === 'agent' ? s.agent.outputSchema : '';
  if (!text.trim()) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

export function toStepValues(step: Step, connectors: Connector[]): StepValues {
  if (step.type === 'agent') return { ...emptyActionFields, kind: 'agent', block: '', id: step.id, name: step.name ?? '', when: step.when ?? '', onError: step.onError ?? 'fail', agent: toAgentValues(step) };
  if (!isActionDraft(step)) return { ...emptyActionFields, kind: draftKind(step), block: JSON.stringify(step), id: step.id, name: step.name ?? '' };
  const fields = inputFields(connectors, step.connector, step.action);
  return {
    kind: 'action',
    block: '',
    agent: emptyAgent,
    id: step.id,
    name: step.name ?? '',
    connector: step.connector,
    action: step.action,
    credentialId: step.credentialId ?? '',
    input: fields.length ? formValues(fields, step.input) : {},
    inputJson: fields.length ? '' : JSON.stringify(step.input ?? {}, null, 2),
    when: step.when ?? '',
    retry: { attempts: step.retry ? String(step.retry.attempts) : '', backoffMs: step.retry ? String(step.retry.backoffMs) : '' },
    timeoutMs: step.timeoutMs !== undefined ? String(step.timeoutMs) : '',
    onError: step.onError ?? 'fail',
  };
}

export function toTriggerValues(t: Trigger): TriggerValues {
  switch (t.type) {
    case 'webhook':
      return { ...emptyTrigger, type: 'webhook', responseMode: t.responseMode ?? 'async', secret: t.secret ?? '' };
    case 'schedule':
      return {
        ...emptyTrigger,
        type: 'schedule',
        scheduleMode: t.cron ? 'cron' : 'interval',
        intervalSeconds: t.intervalSeconds !== undefined ? String(t.intervalSeconds) : emptyTrigger.intervalSeconds,
        cron: t.cron ?? '',
        timezone: t.timezone ?? '',
      };
    case 'event':
      return { ...emptyTrigger, type: 'event', topic: t.topic };
    default:
      return { ...emptyTrigger, type: 'manual' };
  }
}

export function toBuilderValues(wf: Workflow, connectors: Connector[]): BuilderValues {
  return {
    name: wf.name,
    description: wf.description ?? '',
    enabled: wf.enabled,
    trigger: toTriggerValues(wf.trigger),
    steps: wf.steps.map((s) => toStepValues(s, connectors)),
    tool: wf.tool ? { enabled: wf.tool.enabled, name: wf.tool.name, description: wf.tool.description } : emptyTool,
  };
}

/**
 * The tool setting as the api's `tool`: null when it is off and not filled in (an off tool that is
 * fully described is kept, disabled, so switching it back on finds its name and description).
 */
export function toWorkflowTool(t: WorkflowToolValues): WorkflowInput['tool'] {
  const name = t.name.trim();
  const description = t.description.trim();
  if (t.enabled) return { enabled: true, name, description };
  return TOOL_NAME_PATTERN.test(name) && description && description.length <= 2000 ? { enabled: false, name, description } : null;
}

export function toTrigger(t: TriggerValues): Trigger {
  switch (t.type) {
    case 'webhook':
      return { type: 'webhook', responseMode: t.responseMode, ...(t.secret ? { secret: t.secret } : {}) };
    case 'schedule':
      return t.scheduleMode === 'cron'
        ? { type: 'schedule', cron: t.cron.trim(), ...(t.timezone.trim() ? { timezone: t.timezone.trim() } : {}) }
        : { type: 'schedule', intervalSeconds: Number(t.intervalSeconds), ...(t.timezone.trim() ? { timezone: t.timezone.trim() } : {}) };
    case 'event':
      return { type: 'event', topic: t.topic.trim() };
    default:
      return { type: 'manual' };
  }
}

export function toStep(s: StepValues, connectors: Connector[]): Step {
  // A block goes back exactly as it came (the form does not edit it).
  const block = blockOf(s);
  if (block) return block;
  const fields = inputFields(connectors, s.connector, s.action);
  let input: Record<string, unknown>;
  if (fields.length) input = apiValues(fields, s.input);
  else {
    try {
      input = s.inputJson.trim() ? (JSON.parse(s.inputJson) as Record<string, unknown>) : {};
    } catch {
      input = {};
    }
  }
  const step: ActionStepDraft = { id: s.id.trim(), connector: s.connector, action: s.action, input };
  if (s.name.trim()) step.name = s.name.trim();
  if (s.credentialId) step.credentialId = s.credentialId;
  if (s.when.trim()) step.when = s.when;
  if (s.retry.attempts.trim()) step.retry = { attempts: Number(s.retry.attempts), backoffMs: Number(s.retry.backoffMs || 1000) };
  if (s.timeoutMs.trim()) step.timeoutMs = Number(s.timeoutMs);
  if (s.onError === 'continue') step.onError = 'continue';
  return step;
}

export function toWorkflowInput(v: BuilderValues, connectors: Connector[]): WorkflowInput {
  return {
    name: v.name.trim(),
    description: v.description.trim() || undefined,
    enabled: v.enabled,
    trigger: toTrigger(v.trigger),
    steps: v.steps.map((s) => toStep(s, connectors)),
    tool: toWorkflowTool(v.tool),
  };
}

export function newStep(connector: Connector, actionKey: string, taken: string[]): StepValues {
  const action = connector.actions.find((a) => a.key === actionKey);
  const base = stepIdFrom(actionKey, stepIdFrom(connector.key));
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}_${n}`;
  const fields = action ? schemaFields(action.input) : [];
  return {
    kind: 'action',
    block: '',
    agent: emptyAgent,
    id,
    name: '',
    connector: connector.key,
    action: actionKey,
    credentialId: '',
    input: formValues(fields, undefined),
    inputJson: fields.length ? '' : '{}',
    when: '',
    retry: { attempts: '', backoffMs: '' },
    timeoutMs: '',
    onError: 'fail',
  };
}

/**
 * Where an api error path belongs in the form. The draft dry-run answers under `workflow.`; an
 * opaque input is edited as one JSON field.
 */
export function formPathFor(apiPath: string, values: BuilderValues, connectors: Connector[]): string {
  const path = apiPath.replace(/^workflow\./, '');
  // An agent block's fields are the form's `agent.*`; what the form has no field for lands on its card.
  const a = /^steps\.(\d+)(?:\.(.*))?$/.exec(path);
  if (a && values.steps[Number(a[1])]?.kind === 'agent') {
    const rest = a[2] ?? '';
    if (/^(id|name|when|onError)$/.test(rest)) return path;
    const field = /^(credentialId|model|system|prompt|maxIterations|maxTokens|temperature|outputSchema)(?:\.|$)/.exec(rest);
    if (field) return `steps.${a[1]}.agent.${field[1]}`;
    const tool = /^tools\.(\d+)\.(workflowId|credentialId|tool|name|description|approval)(?:\.|$)/.exec(rest);
    if (tool) return `steps.${a[1]}.agent.tools.${tool[1]}.${tool[2]}`;
    return `steps.${a[1]}.block`;
  }
  // Anything about a block (or a step nested in one) belongs to its read-only card.
  const b = /^steps\.(\d+)(?:\.|$)/.exec(path);
  if (b && values.steps[Number(b[1])] && values.steps[Number(b[1])].kind !== 'action') return `steps.${b[1]}.block`;
  const m = /^steps\.(\d+)\.input(\..*)?$/.exec(path);
  if (m) {
    const s = values.steps[Number(m[1])];
    if (s && inputFields(connectors, s.connector, s.action).length === 0) return `steps.${m[1]}.inputJson`;
  }
  if (/^trigger\.(intervalSeconds|cron|timezone|topic|secret|responseMode)$/.test(path)) return path;
  return path;
}
