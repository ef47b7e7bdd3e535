'use client';
import * as React from 'react';
import type { Control, UseFormRegister, UseFormSetValue } from 'react-hook-form';
import { CircleAlert, Copy, MousePointerClick, Pencil, Pin, Trash2, X } from 'lucide-react';
import type { Connector, Step, Trigger } from '@/lib/api/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { BLOCK_ICONS, BLOCK_LABELS } from '../block-meta';
import { describeTrigger, triggerMeta } from '../trigger-label';
import { AgentCard } from '../builder/agent-card';
import { isActionDraft } from '../builder/blocks';
import type { BuilderValues } from '../builder/form-model';
import { StepCard } from '../builder/step-card';
import { BlockSettings } from './block-settings';
import { describeStep } from './canvas-nodes';
import { TemplateTreeProvider } from '../builder/use-template-paths';
import { NestedStepForm } from './nested-step-form';
import { PinnedOutput } from '../pins/pinned-output';
import { allIds, locate, stepsBefore } from './step-tree';
import { TRIGGER_NODE_ID } from './workflow-graph';

export interface NodePanelProps {
  tree: Step[];
  trigger: Trigger;
  selectedId: string | null;
  connectors: Connector[];
  control: Control<BuilderValues>;
  register: UseFormRegister<BuilderValues>;
  setValue: UseFormSetValue<BuilderValues>;
  /** Errors by step id: the api's (with the path under the step) and the builder's own. */
  apiErrors: Record<string, { rest: string; message: string }[]>;
  errors: Record<string, string[]>;
  pinned: ReadonlySet<string>;
  /** The saved workflow's id (its pins can be read and removed here); absent for a new one. */
  workflowId?: string;
  onReplace(id: string, step: Step): void;
  onShift(id: string, delta: -1 | 1): void;
  onDelete(id: string): void;
  onDuplicate(id: string): void;
  onProblems(id: string, problems: string[]): void;
  onClose(): void;
  onEditTrigger(): void;
}

/** The side panel: the selected node's forms (the trigger, a step, a block), its errors, its actions. */
export function NodePanel(p: NodePanelProps) {
  const { tree, selectedId, connectors } = p;
  const at = selectedId && selectedId !== TRIGGER_NODE_ID ? locate(tree, selectedId) : null;

  if (selectedId === TRIGGER_NODE_ID) {
    const meta = triggerMeta[p.trigger.type];
    return (
      <section aria-label="Trigger" className="flex flex-col gap-3 p-4" data-testid="node-panel" data-node-id={TRIGGER_NODE_ID}>
        <PanelHeader icon={<meta.icon className="size-4" />} title={`${meta.label} trigger`} subtitle={describeTrigger(p.trigger)} onClose={p.onClose} />
        <p className="text-sm text-muted-foreground">{meta.hint}. The steps read its payload as <code className="font-mono">{'{{…}}'}</code> (e.g. <code className="font-mono">{'{{order.id}}'}</code>).</p>
        <Button variant="outline" onClick={p.onEditTrigger} data-testid="edit-trigger">
          <Pencil /> Edit the trigger
        </Button>
      </section>
    );
  }

  if (!at) {
    return (
      <div className="flex h-full flex-col items-center justify-center gap-2 p-6 text-center text-sm text-muted-foreground" data-testid="node-panel-empty">
        <MousePointerClick className="size-6" aria-hidden />
        <p className="font-medium text-foreground">Select a node to edit it</p>
        <p>Click a step, or Tab into the canvas and press Enter. Add steps with the + on any edge; press ? for the shortcuts.</p>
      </div>
    );
  }

  const step = at.step;
  const id = step.id;
  const kind = step.type ?? 'action';
  const d = describeStep(step, connectors);
  const Icon = BLOCK_ICONS[kind];
  const apiErrors = p.apiErrors[id] ?? [];
  const messages = p.errors[id] ?? [];
  const topLevel = at.ref.parent === null;
  const editsInForm = isActionDraft(step) || kind === 'agent';

  let body: React.ReactNode;
  if (topLevel && editsInForm) {
    const props = { index: at.index, count: tree.length, control: p.control, register: p.register, setValue: p.setValue, onMove: (from: number, to: number) => p.onShift(id, to < from ? -1 : 1), onRemove: () => p.onDelete(id) };
    body = kind === 'agent' ? <AgentCard {...props} /> : <StepCard {...props} />;
  } else if (editsInForm) {
    body = (
      // The card's template paths read the whole tree: a loop's item and index, the steps before the block.
      <TemplateTreeProvider stepId={id} steps={tree}>
        <NestedStepForm
          key={`${at.ref.parent}:${String(at.ref.which)}:${at.index}:${kind}`}
          step={step}
          position={at.index + 1}
          context={stepsBefore(tree, id)}
          connectors={connectors}
          apiErrors={apiErrors}
          onChange={(next) => p.onReplace(id, next)}
          onProblems={(list) => p.onProblems(id, list)}
          onShift={(delta) => p.onShift(id, delta)}
          onRemove={() => p.onDelete(id)}
        />
      </TemplateTreeProvider>
    );
  } else {
    const ids = allIds(tree);
    body = <BlockSettings step={step} onChange={(next) => p.onReplace(id, next)} idTaken={(x) => ids.has(x)} />;
  }

  return (
    <section aria-label={`Step ${id}`} className="flex flex-col gap-3 p-4" data-testid="node-panel" data-node-id={id}>
      <PanelHeader
        icon={isActionDraft(step) ? null : <Icon className="size-4 text-primary" />}
        title={d.title}
        subtitle={
          <>
            <span className="font-mono">{id}</span> · {isActionDraft(step) ? d.subtitle : BLOCK_LABELS[kind]}
            {!topLevel && <> · inside {at.ancestors.at(-1)}</>}
          </>
        }
        onClose={p.onClose}
        actions={
          <>
            <Button variant="ghost" size="icon-sm" onClick={() => p.onDuplicate(id)} aria-label={`Duplicate ${id}`} title="Duplicate (Ctrl+D)" data-testid="panel-duplicate">
              <Copy />
            </Button>
            <Button variant="ghost" size="icon-sm" onClick={() => p.onDelete(id)} aria-label={`Delete ${id}`} title="Delete (Delete)" data-testid="panel-delete">
              <Trash2 />
            </Button>
          </>
        }
      />
      {p.pinned.has(id) && (
        <Badge variant="outline" className="w-fit gap-1" data-testid="panel-pinned">
          <Pin className="size-3" aria-hidden /> Pinned data: dry runs use it instead of running this step
        </Badge>
      )}
      {p.workflowId && <PinnedOutput workflowId={p.workflowId} stepId={id} />}
      {(messages.length > 0 || apiErrors.length > 0) && (
        <div role="alert" className="rounded-lg border border-destructive/40 bg-destructive/5 p-3 text-sm" data-testid="node-errors">
          <p className="flex items-center gap-2 font-medium text-destructive">
            <CircleAlert className="size-4" aria-hidden /> {messages.length || apiErrors.length} problem{(messages.length || apiErrors.length) === 1 ? '' : 's'} with this step
          </p>
          <ul className="mt-1 list-disc pl-6">
            {(messages.length ? messages : apiErrors.map((e) => (e.rest ? `${e.rest}: ${e.message}` : e.message))).map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
        </div>
      )}
      {body}
    </section>
  );
}

function PanelHeader({ icon, title, subtitle, actions, onClose }: { icon: React.ReactNode; title: string; subtitle: React.ReactNode; actions?: React.ReactNode; onClose(): void }) {
  return (
    <div className="flex items-center gap-2">
      {icon && (
        <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-md border bg-card">
          {icon}
        </span>
      )}
      <div className="min-w-0 flex-1">
        <h3 className="truncate text-sm font-semibold">{title}</h3>
        <p className="truncate text-xs text-muted-foreground">{subtitle}</p>
      </div>
      {actions}
      <Button variant="ghost" size="icon-sm" onClick={onClose} aria-label="Close the panel" title="Close (Esc)">
        <X />
      </Button>
    </div>
  );
}
