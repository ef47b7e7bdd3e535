/**
 * The workflow's steps as one tree (`Step[]`, blocks holding their nested lists) and the edits the
 * canvas makes to it. Every edit is immutable and keeps the untouched subtrees by reference, so the
 * builder can tell which top-level entries changed.
 */
import { stepIdFrom } from '@tributary/contracts/patterns';
import type { Step } from '@/lib/api/types';
import { allDrafts, childDrafts } from '../builder/blocks';

/** One list of steps: the workflow's own (`parent: null`), a condition's then/else, a loop's body, a parallel branch (its index). */
export interface ListRef {
  parent: string | null;
  which: 'root' | 'then' | 'else' | 'steps' | number;
}

export const ROOT: ListRef = { parent: null, which: 'root' };

export function sameList(a: ListRef, b: ListRef): boolean {
  return a.parent === b.parent && (a.parent === null || a.which === b.which);
}

/** The lists a block holds, with their refs (the same order as `childDrafts`). */
export function childLists(step: Step): { ref: ListRef; steps: Step[] }[] {
  switch (step.type) {
    case 'condition':
      return [
        { ref: { parent: step.id, which: 'then' }, steps: step.then ?? [] },
        { ref: { parent: step.id, which: 'else' }, steps: step.else ?? [] },
      ];
    case 'loop':
      return [{ ref: { parent: step.id, which: 'steps' }, steps: step.steps ?? [] }];
    case 'parallel':
      return (step.branches ?? []).map((b, i) => ({ ref: { parent: step.id, which: i }, steps: b }));
    default:
      return [];
  }
}

function withList(step: Step, which: ListRef['which'], list: Step[]): Step {
  if (step.type === 'condition' && (which === 'then' || which === 'else')) return { ...step, [which]: list };
  if (step.type === 'loop' && which === 'steps') return { ...step, steps: list };
  if (step.type === 'parallel' && typeof which === 'number') {
    const branches = [...(step.branches ?? [])];
    branches[which] = list;
    return { ...step, branches };
  }
  return step;
}

export interface Located {
  step: Step;
  ref: ListRef;
  index: number;
  /** Ids of the blocks holding it, outermost first. */
  ancestors: string[];
}

/** Where a step is (the first one with that id, depth first). */
export function locate(tree: Step[], id: string): Located | null {
  const walk = (list: Step[], ref: ListRef, ancestors: string[]): Located | null => {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.id === id) return { step: s, ref, index: i, ancestors };
      for (const c of childLists(s)) {
        const hit = walk(c.steps, c.ref, [...ancestors, s.id]);
        if (hit) return hit;
      }
    }
    return null;
  };
  return walk(tree, ROOT, []);
}

export function getList(tree: Step[], ref: ListRef): Step[] | null {
  if (ref.parent === null) return tree;
  const owner = locate(tree, ref.parent)?.step;
  if (!owner) return null;
  return childLists(owner).find((c) => sameList(c.ref, ref))?.steps ?? null;
}

/** The tree with one list replaced (the path to it copied, the rest kept by reference). */
export function setList(tree: Step[], ref: ListRef, list: Step[]): Step[] {
  if (ref.parent === null) return list;
  const parent = ref.parent;
  const rewrite = (steps: Step[]): Step[] | null => {
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s.id === parent) {
        const out = [...steps];
        out[i] = withList(s, ref.which, list);
        return out;
      }
      for (const c of childLists(s)) {
        const inner = rewrite(c.steps);
        if (inner) {
          const out = [...steps];
          out[i] = withList(s, c.ref.which, inner);
          return out;
        }
      }
    }
    return null;
  };
  return rewrite(tree) ?? tree;
}

export function insertAt(tree: Step[], ref: ListRef, index: number, step: Step): Step[] {
  const list = getList(tree, ref);
  if (!list) return tree;
  const out = [...list];
  out.splice(Math.max(0, Math.min(index, out.length)), 0, step);
  return setList(tree, ref, out);
}

export function removeStep(tree: Step[], id: string): Step[] {
  const at = locate(tree, id);
  if (!at) return tree;
  const list = getList(tree, at.ref) ?? [];
  return setList(
    tree,
    at.ref,
    list.filter((_, i) => i !== at.index),
  );
}

export function replaceStep(tree: Step[], id: string, step: Step): Step[] {
  const at = locate(tree, id);
  if (!at) return tree;
  const list = [...(getList(tree, at.ref) ?? [])];
  list[at.index] = step;
  return setList(tree, at.ref, list);
}

/** True when `ref` is inside the step `id` (or one of its blocks). */
export function isInside(tree: Step[], ref: ListRef, id: string): boolean {
  if (ref.parent === null) return false;
  if (ref.parent === id) return true;
  const owner = locate(tree, ref.parent);
  return !!owner && owner.ancestors.includes(id);
}

/** Moves a step to `index` of `ref` (the index as seen before the move); null when it cannot go there. */
export function moveStep(tree: Step[], id: string, ref: ListRef, index: number): Step[] | null {
  const at = locate(tree, id);
  if (!at || isInside(tree, ref, id)) return null;
  let target = index;
  if (sameList(at.ref, ref)) {
    if (index === at.index || index === at.index + 1) return null;
    if (index > at.index) target -= 1;
  }
  return insertAt(removeStep(tree, id), ref, target, at.step);
}

/** Moves a step up or down within its list; null at either end. */
export function shiftStep(tree: Step[], id: string, delta: -1 | 1): Step[] | null {
  const at = locate(tree, id);
  if (!at) return null;
  const list = getList(tree, at.ref) ?? [];
  const to = at.index + delta;
  if (to < 0 || to >= list.length) return null;
  const out = [...list];
  [out[at.index], out[to]] = [out[to], out[at.index]];
  return setList(tree, at.ref, out);
}

export function allIds(tree: Step[]): Set<string> {
  return new Set(allDrafts(tree).map((s) => s.id));
}

/** `base`, or `base_2`, `base_3`… whichever is free. */
export function uniqueId(base: string, taken: Set<string>): string {
  const clean = stepIdFrom(base, 'step');
  let id = clean;
  for (let n = 2; taken.has(id); n++) id = `${clean}_${n}`;
  taken.add(id);
  return id;
}

/** A copy of a step with fresh ids for it and everything nested in it. */
export function cloneWithFreshIds(step: Step, taken: Set<string>): Step {
  const copy = (s: Step): Step => {
    const base = s.id.replace(/_copy(_\d+)?$/, '');
    let next: Step = { ...s, id: uniqueId(`${base}_copy`, taken) };
    for (const c of childLists(s)) next = withList(next, c.ref.which, c.steps.map(copy));
    return next;
  };
  return copy(step);
}

export function duplicateStep(tree: Step[], id: string): { tree: Step[]; id: string } | null {
  const at = locate(tree, id);
  if (!at) return null;
  const copy = cloneWithFreshIds(at.step, allIds(tree));
  return { tree: insertAt(tree, at.ref, at.index + 1, copy), id: copy.id };
}

/** How many steps a block holds, nested ones included. */
export function nestedCount(step: Step): number {
  return allDrafts(childDrafts(step).flat()).length;
}

/**
 * The step an api error path is about, and the rest of the path under it:
 * `steps.2.then.0.input.text` → the first step of step 2's then branch, `input.text`.
 */
export function stepAtApiPath(tree: Step[], path: string): { step: Step; rest: string; topIndex: number } | null {
  const parts = path.replace(/^workflow\./, '').split('.');
  if (parts[0] !== 'steps' || !/^\d+$/.test(parts[1] ?? '')) return null;
  const topIndex = Number(parts[1]);
  let step = tree[topIndex];
  if (!step) return null;
  let i = 2;
  for (;;) {
    const key = parts[i];
    const n = parts[i + 1];
    let list: Step[] | undefined;
    let used = 2;
    if (step.type === 'condition' && (key === 'then' || key === 'else')) list = step[key];
    else if (step.type === 'loop' && key === 'steps') list = step.steps;
    else if (step.type === 'parallel' && key === 'branches' && /^\d+$/.test(n ?? '')) {
      list = step.branches?.[Number(n)];
      used = 3;
    }
    const idx = parts[i + used - 1];
    const child = list && /^\d+$/.test(idx ?? '') ? list[Number(idx)] : undefined;
    if (!child) break;
    step = child;
    i += used;
  }
  return { step, rest: parts.slice(i).join('.'), topIndex };
}

/** The steps a step can read the output of: those before it in its list and in each enclosing list. */
export function stepsBefore(tree: Step[], id: string): Step[] {
  const at = locate(tree, id);
  if (!at) return [];
  const out: Step[] = [];
  let ref: ListRef = ROOT;
  for (const anc of at.ancestors) {
    const list = getList(tree, ref) ?? [];
    const idx = list.findIndex((s) => s.id === anc);
    out.push(...list.slice(0, idx));
    const holder = list[idx];
    ref = childLists(holder).find((c) => allDrafts(c.steps).some((s) => s.id === id))?.ref ?? ROOT;
  }
  out.push(...(getList(tree, at.ref) ?? []).slice(0, at.index));
  return out;
}
