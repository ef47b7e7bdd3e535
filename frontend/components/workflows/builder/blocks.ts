/**
 * Blocks of the workflow language v2 (condition, loop, parallel, wait, call, agent) as the builder
 * sees them: the form edits action steps and agent blocks; any other block is carried through the
 * form as its JSON, shown read-only (kind, id, a one-line summary), and sent back exactly as it
 * came. The JSON view edits them all, checked against the api's own step schema (@tributary/contracts).
 */
import { stepSchema } from '@tributary/contracts/workflow';
import type { ActionStepDraft } from '@tributary/contracts';
import { z } from 'zod';
import type { Step } from '@/lib/api/types';
import { BLOCK_LABELS, type StepKind } from '../block-meta';

export { BLOCK_LABELS, type StepKind };
export { allDrafts, childDrafts } from './step-lists';
import { allDrafts } from './step-lists';

export function isActionDraft(step: Step): step is ActionStepDraft {
  return step.type === undefined || step.type === 'action';
}

export function draftKind(step: Step): StepKind {
  return step.type ?? 'action';
}

function plural(n: number, word: string, many = `${word}s`) {
  return `${n} ${n === 1 ? word : many}`;
}

function seconds(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** One line saying what a block does (for read-only cards and the diagram). */
export function blockSummary(step: Step): string {
  switch (step.type) {
    case 'condition':
      return `if ${step.if} → then ${plural(step.then?.length ?? 0, 'step')}, else ${plural(step.else?.length ?? 0, 'step')}`;
    case 'loop':
      return `for each of ${step.items} · ${plural(step.steps?.length ?? 0, 'step')}${step.concurrency && step.concurrency > 1 ? ` · ${step.concurrency} at a time` : ''}`;
    case 'parallel':
      return `${plural(step.branches?.length ?? 0, 'branch', 'branches')} at once (${(step.branches ?? []).map((b) => b.length).join(' + ')} steps)`;
    case 'wait':
      switch (step.for) {
        case 'duration':
          return `for ${seconds(step.seconds)}`;
        case 'until':
          return `until ${step.at}`;
        case 'webhook':
          return `until its resume URL is called${step.timeoutSeconds ? ` (times out after ${seconds(step.timeoutSeconds)})` : ''}`;
        case 'approval':
          return `for an approval${step.message ? `: “${step.message}”` : ''}${step.timeoutSeconds ? ` (times out after ${seconds(step.timeoutSeconds)})` : ''}`;
        default:
          return '';
      }
    case 'call':
      return `runs workflow ${step.workflowId}${step.wait === false ? ' without waiting' : ' and waits for its output'}`;
    case 'agent': {
      const tools = step.tools?.length ?? 0;
      return `asks ${step.model ? `${step.model}` : 'the model'}${tools ? ` with ${plural(tools, 'tool')}` : ''} · at most ${plural(step.maxIterations ?? 8, 'iteration')}`;
    }
    default:
      return isActionDraft(step) ? `${step.connector}.${step.action}` : '';
  }
}

const stepsSchema = z.array(stepSchema).max(100, 'A workflow has at most 100 top-level steps');

export type ParsedSteps = { ok: true; steps: Step[] } | { ok: false; errors: string[] };

/**
 * The JSON view's text as steps: valid JSON, a list the api's step schema takes, ids unique across
 * the whole workflow. The steps are returned as written (the api fills in defaults on save).
 */
export function parseStepsJson(text: string): ParsedSteps {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() || '[]');
  } catch (err) {
    return { ok: false, errors: [`Not valid JSON: ${(err as Error).message}`] };
  }
  if (!Array.isArray(value)) return { ok: false, errors: ['The steps are a JSON array: [ { "id": …, … }, … ]'] };
  const r = stepsSchema.safeParse(value);
  if (!r.success) {
    return {
      ok: false,
      errors: r.error.issues.slice(0, 20).map((i) => {
        const [first, ...rest] = i.path;
        const where = typeof first === 'number' ? `Step ${first + 1}${rest.length ? ` · ${rest.join('.')}` : ''}` : i.path.join('.');
        return `${where || 'Steps'}: ${i.message}`;
      }),
    };
  }
  const steps = value as Step[];
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const s of allDrafts(steps)) {
    if (seen.has(s.id)) dupes.add(s.id);
    seen.add(s.id);
  }
  if (dupes.size) return { ok: false, errors: [...dupes].map((id) => `The id “${id}” is used more than once (ids are unique across the whole workflow, blocks included)`) };
  return { ok: true, steps };
}
