import * as React from 'react';
import { useWatch, type Control } from 'react-hook-form';
import type { Step } from '@/lib/api/types';
import { useLastRun } from '@/lib/api/template-preview';
import { blockOf, type BuilderValues, type StepValues } from './form-model';
import { useBuilder } from './builder-context';
import {
  locateStep,
  templatePathsAtIndex,
  templatePathsFor,
  templateScopeAtIndex,
  templateScopeFor,
  withPreviewScope,
  type TemplatePathContext,
} from './template-paths';

export { templatePathsFor, templateScopeFor, type TemplatePathContext, type TemplatePreviewScope } from './template-paths';

/** What suggestions and previews read, from the builder: the sample payload, the catalogue, the workflow's last run. */
export function useTemplatePathContext(): TemplatePathContext & { environment?: string } {
  const { sampleValue, connectors, workflow } = useBuilder();
  const lastRun = useLastRun(workflow?.id).data ?? null;
  return React.useMemo(() => ({ sample: sampleValue, connectors, lastRun, environment: workflow?.environment }), [sampleValue, connectors, lastRun, workflow?.environment]);
}

/**
 * Paths a template in step `stepId` can use, anywhere in the tree `steps` (the canvas's side panel
 * edits nested steps): see `templatePathsFor`. The list carries its preview scope, so a
 * `TemplateInput` given these paths previews what it renders to.
 */
export function useTemplatePathsFor(stepId: string, steps: Step[]): string[] {
  const context = useTemplatePathContext();
  return React.useMemo(() => {
    const scope = templateScopeFor(stepId, steps, context);
    return withPreviewScope(templatePathsFor(stepId, steps, context), { ...scope, environment: context.environment });
  }, [stepId, steps, context]);
}

/** A form entry as the api's step (only what templates need: ids, connector and action, blocks whole). */
function stepOf(s: StepValues): Step {
  if (s.kind === 'action') return { id: s.id, connector: s.connector, action: s.action, input: {} };
  return blockOf(s) ?? { id: s.id, connector: '', action: '', input: {} };
}

/** Where the step a card edits sits in the whole tree, for cards whose form holds only part of it (a nested step's). */
export interface TemplateTree {
  stepId: string;
  steps: Step[];
}

const TemplateTreeContext = React.createContext<TemplateTree | null>(null);

/**
 * Around a card that edits one step of `steps` in a form of its own (the canvas's nested steps):
 * its `useTemplatePaths` then reads the whole tree (a loop's `item`, the steps before the block).
 */
export function TemplateTreeProvider({ stepId, steps, children }: TemplateTree & { children: React.ReactNode }) {
  const value = React.useMemo(() => ({ stepId, steps }), [stepId, steps]);
  return React.createElement(TemplateTreeContext.Provider, { value }, children);
}

/**
 * The form's step `index` (the old signature, used by the builder's cards): the same paths as
 * `useTemplatePathsFor`. Located, in order: by a `TemplateTreeProvider` around the card; by its id in
 * the saved workflow when it sits nested there (a card in a form of its own, before a provider is
 * added); else by position in the form's top-level list (an id may be mid-edit).
 */
export function useTemplatePaths(control: Control<BuilderValues>, index: number): string[] {
  const values = useWatch({ control, name: 'steps' });
  const tree = React.useContext(TemplateTreeContext);
  const { workflow } = useBuilder();
  // Only what templates depend on, as text, so typing into a field does not rebuild the tree.
  const shape = React.useMemo(() => JSON.stringify((values ?? []).map(stepOf)), [values]);
  const steps = React.useMemo(() => JSON.parse(shape) as Step[], [shape]);
  const context = useTemplatePathContext();
  return React.useMemo(() => {
    const id = steps[index]?.id;
    const saved = workflow?.steps ?? [];
    const where: TemplateTree | null = tree ?? (id && (locateStep(id, saved)?.length ?? 0) > 1 ? { stepId: id, steps: saved } : null);
    const scope = where ? templateScopeFor(where.stepId, where.steps, context) : templateScopeAtIndex(index, steps, context);
    const paths = where ? templatePathsFor(where.stepId, where.steps, context) : templatePathsAtIndex(index, steps, context);
    return withPreviewScope(paths, { ...scope, environment: context.environment });
  }, [index, steps, context, tree, workflow?.steps]);
}
