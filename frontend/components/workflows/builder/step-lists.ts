/**
 * The nested step lists of drafted blocks, on their own (types only, no schema or icons): the
 * template paths' pure module and its browser check load it without the rest of the builder.
 */
import type { Step } from '@/lib/api/types';

/** The nested step lists of a block as drafted (absent lists are empty). */
export function childDrafts(step: Step): Step[][] {
  switch (step.type) {
    case 'condition':
      return [step.then ?? [], step.else ?? []];
    case 'loop':
      return [step.steps ?? []];
    case 'parallel':
      return step.branches ?? [];
    default:
      return [];
  }
}

/** Every step of a list, blocks' nested steps included, depth first. */
export function allDrafts(steps: Step[]): Step[] {
  const out: Step[] = [];
  const walk = (list: Step[]) => {
    for (const s of list) {
      out.push(s);
      for (const child of childDrafts(s)) walk(child);
    }
  };
  walk(steps);
  return out;
}
