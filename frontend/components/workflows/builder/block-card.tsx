'use client';
import * as React from 'react';
import Link from 'next/link';
import { useWatch, type Control } from 'react-hook-form';
import { Braces, Filter, Lock } from 'lucide-react';
import { useWorkflowOptions } from '@/lib/api/workflows';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { BLOCK_ICONS } from '../block-meta';
import { BLOCK_LABELS, blockSummary, childDrafts, draftKind, isActionDraft } from './blocks';
import { StepCardButtons } from './step-card';
import { blockOf, type BuilderValues } from './form-model';
import { fieldId, useFieldError } from './step-input-fields';
import type { Step } from '@/lib/api/types';

/** The steps nested in a block, as a compact outline (ids and what they are). */
function NestedOutline({ step }: { step: Step }) {
  const lists = childDrafts(step);
  if (!lists.length) return null;
  const names = step.type === 'condition' ? ['then', 'else'] : step.type === 'loop' ? ['each item'] : lists.map((_, i) => `branch ${i + 1}`);
  return (
    <div className="grid gap-2 sm:grid-cols-2">
      {lists.map((list, i) => (
        <div key={i} className="min-w-0 rounded-md border bg-muted/30 px-3 py-2">
          <p className="text-xs font-medium text-muted-foreground">{names[i]}</p>
          {list.length === 0 ? (
            <p className="text-xs text-muted-foreground">no steps</p>
          ) : (
            <ul className="mt-1 flex flex-col gap-0.5">
              {list.map((s) => (
                <li key={s.id} className="truncate text-xs" title={blockSummary(s)}>
                  <span className="font-mono">{s.id}</span>
                  <span className="text-muted-foreground"> · {isActionDraft(s) ? `${s.connector}.${s.action}` : BLOCK_LABELS[draftKind(s)].toLowerCase()}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </div>
  );
}

/** A call block's target, by name when it is a workflow of this workspace. */
function CalledWorkflow({ workflowId }: { workflowId: string }) {
  const workflows = useWorkflowOptions();
  const called = workflows.data?.find((w) => w.id === workflowId);
  if (!called) return null;
  return (
    <p className="text-xs text-muted-foreground">
      Calls{' '}
      <Link href={`/workflows/${called.id}`} className="font-medium text-foreground underline-offset-2 hover:underline">
        {called.name}
      </Link>
    </p>
  );
}

/**
 * A block the form does not edit (condition, loop, parallel, wait, call): what it is, its id and a
 * summary, read-only. It can be moved or removed; its content is sent back exactly as it came, and
 * the JSON view edits it.
 */
export function BlockCard({
  index,
  count,
  control,
  onMove,
  onRemove,
  onEditJson,
}: {
  index: number;
  count: number;
  control: Control<BuilderValues>;
  onMove(from: number, to: number): void;
  onRemove(index: number): void;
  onEditJson(): void;
}) {
  const entry = useWatch({ control, name: `steps.${index}` });
  const error = useFieldError(control, `steps.${index}.block`);
  const step = React.useMemo(() => (entry ? blockOf(entry) : null), [entry]);
  if (!entry || !step) return null;
  const kind = draftKind(step);
  const Icon = BLOCK_ICONS[kind];
  const label = BLOCK_LABELS[kind];

  return (
    <Card className="relative overflow-visible border-dashed" data-testid="block-card" data-step-id={step.id} data-block-type={kind} data-step-index={index}>
      <div className="flex items-center gap-3 border-b px-4 py-3">
        <span className="grid size-6 shrink-0 place-items-center rounded-full bg-primary text-xs font-semibold text-primary-foreground">{index + 1}</span>
        <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-md border bg-card">
          <Icon className="size-4 text-primary" />
        </span>
        <div className="min-w-0 flex-1">
          <p className="flex items-center gap-2 truncate text-sm font-semibold">
            {step.name || `${label} block`}
            <Badge variant="outline">{label}</Badge>
          </p>
          <p className="truncate text-xs text-muted-foreground">
            {step.type === 'wait' ? `wait · ${step.for}` : `${label.toLowerCase()} block`} · <span className="font-mono">steps.{step.id}</span>
          </p>
        </div>
        <StepCardButtons index={index} count={count} onMove={onMove} onRemove={onRemove} />
      </div>
      <div className="flex flex-col gap-3 p-4 text-sm">
        {error && (
          <p id={fieldId(`steps.${index}.block`)} tabIndex={-1} role="alert" className="text-sm text-destructive" data-testid={`error-steps-${index}-block`}>
            {error}
          </p>
        )}
        <p className="font-mono text-xs break-words" data-testid="block-summary">
          {blockSummary(step)}
        </p>
        {step.type === 'call' && <CalledWorkflow workflowId={step.workflowId} />}
        {step.when && (
          <p className="flex items-center gap-1.5 truncate rounded bg-muted px-2 py-1 font-mono text-xs text-muted-foreground" title={step.when}>
            <Filter className="size-3 shrink-0" aria-hidden /> only when {step.when}
          </p>
        )}
        {step.onError === 'continue' && <p className="text-xs text-muted-foreground">A failure is recorded and the run goes on.</p>}
        <NestedOutline step={step} />
        <div className="flex flex-wrap items-center justify-between gap-2 border-t pt-3">
          <p className="flex items-center gap-1.5 text-xs text-muted-foreground">
            <Lock className="size-3.5 shrink-0" aria-hidden /> The form does not edit blocks; it keeps this one exactly as it is when you save.
          </p>
          <Button variant="outline" size="sm" onClick={onEditJson} data-testid={`step-${index}-edit-json`} aria-label={`Edit as JSON: step ${index + 1} (${step.id})`}>
            <Braces /> Edit as JSON
          </Button>
        </div>
      </div>
    </Card>
  );
}
