/**
 * The builder's form model: what react-hook-form edits, how it is validated before it reaches the
 * api, and the conversions between it and the api's workflow. Field names mirror the api's, so an
 * error at `steps.1.input.text` lands on the form field `steps.1.input.text`.
 */
import type { ActionStepDraft } from '@tributary/contracts';
import { stepIdError, stepIdFrom } from '@tributary/contracts/patterns';
import { z } from 'zod';
import type { Connector, Step, Trigger, TriggerType, Workflow, WorkflowInput } from '@/lib/api/types';
import { apiValues, formValues, schemaFields, type FormValue } from '@/lib/json-schema';
import { allDrafts, childDrafts, draftKind, isActionDraft, type StepKind } from './blocks';

export interface StepValues {
  /**
   * `action`: a connector step the form edits. A block (condition, loop, parallel, wait, call) is
   * not edited by the form: it rides along as `block` (its JSON as loaded or written in the JSON
   * view) and is sent back exactly so; `id` and `name` mirror it for display and checks.
   */
  kind: StepKind;
  /** Blocks: the step's JSON, kept as it is. Empty for action steps. */
  block: string;
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
  })
  .superRefine((v, ctx) => {
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
        ctx.addIssue({ code: 'custom', path: ['steps', i, s.kind === 'action' ? 'id' : 'block'], message: `The id “${dupe}” is used more than once (ids are unique across the whole workflow, blocks included)` });
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

export const emptyBuilder: BuilderValues = { name: '', description: '', enabled: true, trigger: emptyTrigger, steps: [] };

function inputFields(connectors: Connector[], connector: string, action: string) {
  const a = connectors.find((c) => c.key === connector)?.actions.find((x) => x.key === action);
  return a ? schemaFields(a.input) : [];
}

/** The step a block entry carries (its JSON parsed); null for an action step. */
export function blockOf(s: Pick<StepValues, 'kind' | 'block'>): Step | null {
  if (s.kind === 'action' || !s.block) return null;
  try {
    return JSON.parse(s.block) as Step;
  } catch {
    return null;
  }
}

/** Ids of the steps nested in a block entry (none for an action step). */
export function nestedIds(s: Pick<StepValues, 'kind' | 'block'>): string[] {
  const b = blockOf(s);
  return b ? allDrafts(childDrafts(b).flat()).map((x) => x.id) : [];
}

/** Every id a list of entries uses, nested ones included (new step ids avoid them). */
export function takenIds(steps: StepValues[]): string[] {
  return steps.flatMap((s) => [s.id, ...nestedIds(s)]);
}

const emptyActionFields = {
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

export function toStepValues(step: Step, connectors: Connector[]): StepValues {
  if (!isActionDraft(step)) return { ...emptyActionFields, kind: draftKind(step), block: JSON.stringify(step), id: step.id, name: step.name ?? '' };
  const fields = inputFields(connectors, step.connector, step.action);
  return {
    kind: 'action',
    block: '',
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
  };
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
