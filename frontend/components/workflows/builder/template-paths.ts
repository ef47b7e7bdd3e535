/**
 * What a template in one step can read, worked out from the whole tree of steps (top-level list,
 * blocks and the steps nested in them): the paths to suggest while typing, and the values to render
 * a preview with. Pure (no React, no fetching), so the form, the canvas's side panel and tests call
 * the same code: `templatePathsFor(stepId, steps, context)` and `templateScopeFor(…)`.
 *
 * What a step sees mirrors the engine (backend/src/engine/runner.ts): the trigger payload at the
 * root, `steps.<id>` of every step finished before it (earlier siblings and everything nested in
 * them, earlier siblings of each enclosing block; not the other branches of a parallel block, which
 * run at the same time), `item` and `$index` inside a loop, `$resumeUrl` before a webhook wait.
 */
import type { Connector, JsonSchema, Step } from '@/lib/api/types';
import { schemaPaths, valuePaths } from '@/lib/json-schema';
import { childDrafts } from './step-lists';

const BUILT_INS = ['$execution.id', '$now', '$step.id', '$step.idempotencyKey'];
/** What an agent block answers (`{ answer, json?, iterations, usage, conversation }`). */
const AGENT_OUTPUT = ['answer', 'json', 'iterations', 'usage.totalTokens', 'usage.promptTokens', 'usage.completionTokens', 'conversation'];

/** The outputs of the workflow's last run, by step id, and the payload it ran with. */
export interface LastRun {
  executionId: string;
  payload: unknown;
  outputs: Record<string, unknown>;
}

export interface TemplatePathContext {
  /** The trigger's sample payload (parsed), or undefined while it is not valid JSON. */
  sample?: unknown;
  /** The connector catalogue: action steps' output schemas. */
  connectors: readonly Connector[];
  /** The workflow's last run, when it has one. */
  lastRun?: LastRun | null;
}

/** The values a template in a step renders with in a preview (the body of `POST /workflows/template-preview`, less the template). */
export interface TemplatePreviewScope {
  payload?: unknown;
  steps?: Record<string, unknown>;
  item?: unknown;
  index?: number;
  environment?: string;
}

/** Where a step sits: the index in each list from the top-level list down. */
type Location = { list: Step[]; index: number; block?: Step; lane?: number }[];

function walk(steps: readonly Step[], visit: (s: Step) => void) {
  for (const s of steps) {
    visit(s);
    for (const lane of childDrafts(s)) walk(lane, visit);
  }
}

/** The chain of lists leading to step `stepId`, outermost first; null when no step has that id. */
export function locateStep(stepId: string, steps: Step[]): Location | null {
  const search = (list: Step[], block?: Step, lane?: number): Location | null => {
    for (let i = 0; i < list.length; i++) {
      const here = { list, index: i, block, lane };
      if (list[i].id === stepId) return [here];
      const ls = childDrafts(list[i]);
      for (let l = 0; l < ls.length; l++) {
        const inner = search(ls[l], list[i], l);
        if (inner) return [here, ...inner];
      }
    }
    return null;
  };
  return search(steps);
}

/** The steps finished before the step at `loc` (in the order they run), blocks with their nested steps. */
function earlierSteps(loc: Location): Step[] {
  const out: Step[] = [];
  for (const { list, index } of loc) walk(list.slice(0, index), (s) => out.push(s));
  return out;
}

/** The loops around the step at `loc`, innermost last. */
function enclosingLoops(loc: Location): Step[] {
  return loc.slice(1).flatMap((l) => (l.block?.type === 'loop' ? [l.block] : []));
}

/** True when a webhook wait runs after the step at `loc` (its `{{$resumeUrl}}` is known before it). */
function resumableAfter(loc: Location): boolean {
  let found = false;
  for (const { list, index } of loc) walk(list.slice(index + 1), (s) => (found ||= s.type === 'wait' && s.for === 'webhook'));
  return found;
}

/** Reads `a.b.[0].c` (Handlebars path segments) from a value. */
function readPath(value: unknown, path: string): unknown {
  let v = value;
  for (const raw of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    const key = raw.replace(/^\[(\d+)\]$/, '$1');
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * A loop's items when they can be known without running it: its `items` template is one path
 * (`{{order.lines}}`, `{{json steps.fetch.results}}`) found in the sample payload or the last run,
 * or a JSON array written out.
 */
export function sampleItems(items: string, ctx: Record<string, unknown>): unknown[] | undefined {
  const text = items.trim();
  const m = /^\{\{\s*(?:json\s+)?([\w$.[\]-]+)\s*\}\}$/.exec(text);
  let v: unknown = m ? readPath(ctx, m[1]) : text.startsWith('[') ? text : undefined;
  if (typeof v === 'string' && v.trim().startsWith('[')) {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  }
  return Array.isArray(v) ? v : undefined;
}

/** The root a template renders against: the payload's fields, `steps`, `$payload`. */
function rootOf(payload: unknown, outputs: Record<string, unknown>): Record<string, unknown> {
  const base = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  return { ...base, steps: outputs, $payload: payload };
}

/** The payload a preview uses: the sample when it is valid JSON, else the last run's. */
function payloadOf(context: TemplatePathContext): unknown {
  return context.sample !== undefined ? context.sample : context.lastRun?.payload;
}

/** A sample item of the innermost loop around the step (the first of its items), when it can be known. */
function loopItem(loc: Location, steps: Record<string, unknown>, context: TemplatePathContext): { inLoop: boolean; item?: unknown } {
  const loops = enclosingLoops(loc);
  if (!loops.length) return { inLoop: false };
  let item: unknown;
  // Outer loops first: an inner loop's items may be a path in the outer loop's item.
  for (const loop of loops) {
    if (loop.type !== 'loop') continue;
    const root = rootOf(payloadOf(context), steps);
    if (item !== undefined) root.item = item;
    const list = sampleItems(loop.items, root) ?? (context.lastRun ? sampleItems(loop.items, rootOf(context.lastRun.payload, steps)) : undefined);
    item = list?.[0];
  }
  return { inLoop: true, item };
}

/** The last run's outputs of the steps finished before the step at `loc`. */
function visibleOutputs(loc: Location, context: TemplatePathContext): Record<string, unknown> {
  const outputs = context.lastRun?.outputs ?? {};
  const out: Record<string, unknown> = {};
  for (const s of earlierSteps(loc)) if (s.id in outputs) out[s.id] = outputs[s.id];
  return out;
}

/** The paths a step's output offers: its schema (actions, agents) and what it gave in the last run. */
function outputPaths(step: Step, context: TemplatePathContext, out: string[]) {
  const base = `steps.${step.id}`;
  out.push(base);
  if (step.type === 'agent') {
    out.push(...AGENT_OUTPUT.map((p) => `${base}.${p}`));
    if (step.outputSchema) schemaPaths(step.outputSchema as JsonSchema, `${base}.json`, 0, out);
  } else if (step.type === undefined || step.type === 'action') {
    const action = context.connectors.find((c) => c.key === step.connector)?.actions.find((a) => a.key === step.action);
    schemaPaths(action?.output, base, 0, out);
  }
  const last = context.lastRun?.outputs;
  if (last && step.id in last) valuePaths(last[step.id], base, 0, out);
}

function pathsAt(loc: Location, context: TemplatePathContext): string[] {
  const out: string[] = valuePaths(payloadOf(context));
  const { inLoop, item } = loopItem(loc, visibleOutputs(loc, context), context);
  if (inLoop) {
    out.push('item', '$index');
    valuePaths(item, 'item', 0, out);
  }
  for (const s of earlierSteps(loc)) outputPaths(s, context, out);
  out.push(...BUILT_INS);
  if (resumableAfter(loc)) out.push('$resumeUrl');
  return Array.from(new Set(out));
}

function scopeAt(loc: Location, context: TemplatePathContext): TemplatePreviewScope {
  const steps = visibleOutputs(loc, context);
  const { inLoop, item } = loopItem(loc, steps, context);
  const payload = payloadOf(context);
  return { ...(payload !== undefined ? { payload } : {}), steps, ...(inLoop ? { item: item ?? null, index: 0 } : {}) };
}

/** A step not in the tree yet (being added) is placed at the end of the top-level list. */
function locationOf(stepId: string, steps: Step[]): Location {
  return locateStep(stepId, steps) ?? [{ list: steps, index: steps.length }];
}

/**
 * The paths a template in step `stepId` can use, most useful first: the sample payload's fields,
 * `item`/`$index`/`item.<field>` inside a loop, `steps.<id>…` of every step finished before it
 * (from output schemas and from the last run's outputs), built-ins.
 */
export function templatePathsFor(stepId: string, steps: Step[], context: TemplatePathContext): string[] {
  return pathsAt(locationOf(stepId, steps), context);
}

/** What a template in step `stepId` renders with in a preview: the sample payload, earlier steps' last-run outputs, a sample item in loops. */
export function templateScopeFor(stepId: string, steps: Step[], context: TemplatePathContext): TemplatePreviewScope {
  return scopeAt(locationOf(stepId, steps), context);
}

/** The same for a top-level step by its position (the form's cards, whose ids may be mid-edit). */
export function templatePathsAtIndex(index: number, steps: Step[], context: TemplatePathContext): string[] {
  return pathsAt([{ list: steps, index }], context);
}

export function templateScopeAtIndex(index: number, steps: Step[], context: TemplatePathContext): TemplatePreviewScope {
  return scopeAt([{ list: steps, index }], context);
}

/**
 * The preview scope that goes with a list of paths from the hooks, so a template field given only
 * `paths` (the form's cards pass nothing else) can still preview. Weak: a list no one holds is gone.
 */
const scopes = new WeakMap<readonly string[], TemplatePreviewScope>();

export function withPreviewScope<T extends readonly string[]>(paths: T, scope: TemplatePreviewScope): T {
  scopes.set(paths, scope);
  return paths;
}

export function previewScopeOf(paths: readonly string[]): TemplatePreviewScope | undefined {
  return scopes.get(paths);
}
