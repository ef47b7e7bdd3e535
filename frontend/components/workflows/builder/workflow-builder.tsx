'use client';
import * as React from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useFieldArray, useForm, useWatch, type Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { ArrowLeft, Braces, CircleAlert, FlaskConical, GitBranch, History, Keyboard, ListChecks, Plus, Redo2, Save, Undo2, Workflow as WorkflowIcon } from 'lucide-react';
import { ApiError, type ErrorDetail } from '@/lib/api/client';
import { useDryRun, useSaveWorkflow } from '@/lib/api/workflows';
import { pinnedSteps } from '@/lib/api/pins';
import type { Connector, Workflow } from '@/lib/api/types';
import { AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter, AlertDialogHeader, AlertDialogTitle } from '@/components/ui/alert-dialog';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { Textarea } from '@/components/ui/textarea';
import { useToast } from '@/components/ui/toast';
import { ViewToggle } from '@/components/ui/view-toggle';
import { EmptyState } from '@/components/common/states';
import { AgentCard } from './agent-card';
import { BlockCard } from './block-card';
import { parseStepsJson } from './blocks';
import { BuilderProvider } from './builder-context';
import { ConnectorPicker } from './connector-picker';
import { DryRunPanel } from './dry-run-panel';
import { builderSchema, emptyBuilder, formPathFor, hasBrokenJson, newAgentStep, newStep, takenIds, toBuilderValues, toStep, toStepValues, toTrigger, toWorkflowInput, type BuilderValues } from './form-model';
import { StepCard } from './step-card';
import { StepsJsonEditor } from './steps-json-editor';
import { fieldId } from './step-input-fields';
import { TriggerEditor } from './trigger-editor';
import { VersionsPanel } from './versions-panel';
import { WorkflowToolSettings } from './workflow-tool-settings';
import { WorkflowEnvironment } from '@/components/variables/workflow-environment';
import { NodePanel } from '../canvas/node-panel';
import { ShortcutsDialog } from '../canvas/shortcuts-dialog';
import { ROOT, stepAtApiPath } from '../canvas/step-tree';
import { useConnectionProblems } from '../canvas/use-connection-problems';
import { useStepsTree, type Slot } from '../canvas/use-steps-tree';
import { WorkflowCanvas, type StepDecoration } from '../canvas/workflow-canvas';
import type { Step } from '@/lib/api/types';

function describePath(path: string, tree: Step[]): string {
  const at = stepAtApiPath(tree, path);
  if (at) return `Step ${at.step.id}${at.rest ? ` · ${at.rest}` : ''}`;
  return path || 'Workflow';
}

/** Every message in a react-hook-form error object (a step's fields, nested). */
function errorMessages(e: unknown, out: string[] = []): string[] {
  if (!e || typeof e !== 'object') return out;
  const { message: m, type } = e as { message?: unknown; type?: unknown };
  // The api's errors are placed by their own path (on the nested step, not on the block holding it).
  if (type === 'server') return out;
  if (typeof m === 'string' && m) out.push(m);
  for (const [k, v] of Object.entries(e)) if (k !== 'ref' && k !== 'message' && k !== 'type') errorMessages(v, out);
  return out;
}

function isEditable(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

type StepsView = 'canvas' | 'form' | 'json';

function BuilderForm({ workflow, connectors }: { workflow?: Workflow; connectors: Connector[] }) {
  const router = useRouter();
  const toast = useToast();
  const save = useSaveWorkflow(workflow?.id);
  const dryRun = useDryRun();
  /** Where the step picker adds: a place in a list of the tree. */
  const [pickerSlot, setPickerSlot] = React.useState<Slot | null>(null);
  const [serverErrors, setServerErrors] = React.useState<ErrorDetail[]>([]);
  /** The api's errors by the step they are about (resolved when they arrive: the tree may change after). */
  const [apiErrors, setApiErrors] = React.useState<Record<string, { rest: string; message: string }[]>>({});
  /** Nested steps whose form holds what cannot be written back yet (JSON that does not parse). */
  const [problems, setProblems] = React.useState<Record<string, string[]>>({});
  const [tab, setTab] = React.useState('dry-run');
  const [shortcutsOpen, setShortcutsOpen] = React.useState(false);
  const [collapsed, setCollapsed] = React.useState<ReadonlySet<string>>(new Set());

  const form = useForm<BuilderValues>({
    defaultValues: workflow ? toBuilderValues(workflow, connectors) : emptyBuilder,
    resolver: zodResolver(builderSchema) as unknown as Resolver<BuilderValues>,
    mode: 'onSubmit',
  });
  const { control, register, setValue, formState } = form;
  const steps = useFieldArray({ control, name: 'steps', keyName: 'key' });
  const { tree, selectedId, setSelectedId, clipboard, ops, history } = useStepsTree(form, steps, connectors);
  const triggerValues = useWatch({ control, name: 'trigger' });
  const trigger = React.useMemo(() => toTrigger(triggerValues), [triggerValues]);

  // The steps' JSON view (action steps and blocks): its text, the text last in sync with the form, and why it does not apply.
  const [stepsView, setStepsView] = React.useState<StepsView>('canvas');
  const [jsonText, setJsonText] = React.useState('');
  const [jsonBase, setJsonBase] = React.useState('');
  const [jsonErrors, setJsonErrors] = React.useState<string[]>([]);
  const [jsonFocus, setJsonFocus] = React.useState<string | null>(null);
  const jsonDirty = stepsView === 'json' && jsonText !== jsonBase;
  const dirty = formState.isDirty || jsonDirty;

  const stepsJson = React.useCallback((values: BuilderValues['steps']) => JSON.stringify(values.map((s) => toStep(s, connectors)), null, 2), [connectors]);
  const syncJson = (values: BuilderValues['steps']) => {
    const text = stepsJson(values);
    setJsonText(text);
    setJsonBase(text);
    setJsonErrors([]);
  };

  /** Form → JSON. JSON text of the form that does not parse (an action's input, an agent's output schema) would be lost on the way: it is fixed first. */
  async function openJson(focusStepId?: string) {
    const values = form.getValues('steps');
    const broken = values.find(hasBrokenJson);
    if (broken) {
      await form.trigger('steps');
      toast({ title: 'Fix the highlighted fields first', description: broken.kind === 'agent' ? "An agent's output schema is not valid JSON." : "A step's input is not valid JSON.", variant: 'error' });
      return;
    }
    if (Object.values(problems).some((l) => l.length)) {
      toast({ title: 'Fix the highlighted step first', description: 'A nested step holds JSON that does not parse.', variant: 'error' });
      return;
    }
    syncJson(values);
    setStepsView('json');
    setJsonFocus(focusStepId ?? '');
  }

  /** JSON → form: checked against the api's step schema; false (and the reasons shown) when it does not apply. */
  function applyJson(): boolean {
    if (stepsView !== 'json' || jsonText === jsonBase) return true;
    const r = parseStepsJson(jsonText);
    if (!r.ok) {
      setJsonErrors(r.errors);
      document.getElementById('steps-json')?.focus();
      return false;
    }
    steps.replace(r.steps.map((s) => toStepValues(s, connectors)));
    setJsonBase(jsonText);
    setJsonErrors([]);
    return true;
  }

  function switchStepsView(next: StepsView) {
    if (next === stepsView) return;
    if (next === 'json') void openJson();
    else if (applyJson()) setStepsView(next);
  }

  // Opening the JSON view from a block's card puts the cursor on that block.
  React.useEffect(() => {
    if (jsonFocus === null || stepsView !== 'json') return;
    const ta = document.getElementById('steps-json') as HTMLTextAreaElement | null;
    if (ta) {
      ta.focus();
      const at = jsonFocus ? ta.value.indexOf(`"id": ${JSON.stringify(jsonFocus)}`) : -1;
      if (at >= 0) {
        ta.setSelectionRange(at, at);
        const line = ta.value.slice(0, at).split('\n').length;
        ta.scrollTop = Math.max(0, (line - 3) * (ta.scrollHeight / Math.max(1, ta.value.split('\n').length)));
      }
    }
    setJsonFocus(null);
  }, [jsonFocus, stepsView]);

  // Leaving with unsaved edits asks first: closing the tab (the browser's own prompt), and links
  // inside the dashboard (our dialog; the link's target waits in `leaveTo`).
  const [leaveTo, setLeaveTo] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as HTMLElement | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!a || a.target === '_blank' || a.hasAttribute('download')) return;
      const url = new URL(a.href, window.location.href);
      if (url.origin !== window.location.origin || url.pathname === window.location.pathname) return;
      e.preventDefault();
      e.stopPropagation();
      setLeaveTo(url.pathname + url.search + url.hash);
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [dirty]);

  // Undo, redo and the shortcuts sheet, wherever the focus is but in a field (fields keep their own undo).
  const keys = React.useRef({ undo: history.undo, redo: history.redo, view: stepsView });
  React.useEffect(() => {
    keys.current = { undo: history.undo, redo: history.redo, view: stepsView };
  });
  React.useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isEditable(e.target) || document.querySelector('[role="dialog"],[role="alertdialog"]')) return;
      if (keys.current.view === 'json') return;
      const mod = e.metaKey || e.ctrlKey;
      const k = e.key.toLowerCase();
      if (mod && k === 'z' && !e.shiftKey) {
        e.preventDefault();
        if (!keys.current.undo()) toast({ title: 'Nothing to undo' });
      } else if (mod && ((k === 'z' && e.shiftKey) || k === 'y')) {
        e.preventDefault();
        if (!keys.current.redo()) toast({ title: 'Nothing to redo' });
      } else if (e.key === '?' && !mod) {
        e.preventDefault();
        setShortcutsOpen(true);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [toast]);

  function applyServerErrors(err: unknown) {
    if (!(err instanceof ApiError) || err.details.length === 0) {
      setServerErrors([]);
      setApiErrors({});
      return;
    }
    const values = form.getValues();
    const byStep: Record<string, { rest: string; message: string }[]> = {};
    for (const d of err.details) {
      if (d.path) form.setError(formPathFor(d.path, values, connectors) as never, { type: 'server', message: d.message });
      const at = d.path ? stepAtApiPath(tree, d.path) : null;
      if (at) (byStep[at.step.id] ??= []).push({ rest: at.rest, message: d.message });
    }
    setServerErrors(err.details);
    setApiErrors(byStep);
    const first = Object.keys(byStep)[0];
    if (first) setSelectedId(first);
  }

  const submitSave = form.handleSubmit(
    (values) => {
      setServerErrors([]);
      setApiErrors({});
      save.mutate(toWorkflowInput(values, connectors), {
        onSuccess: (wf) => {
          const fresh = toBuilderValues(wf, connectors);
          form.reset(fresh);
          if (stepsView === 'json') syncJson(fresh.steps);
          toast({ title: workflow ? `Saved as v${wf.version}` : 'Workflow created', description: wf.name, variant: 'success' });
          if (!workflow) router.replace(`/workflows/${wf.id}`);
        },
        onError: applyServerErrors,
      });
    },
    (errors) => {
      // The first step with a problem opens in the side panel, its fields marked.
      const i = Array.isArray(errors.steps) ? errors.steps.findIndex(Boolean) : -1;
      if (i >= 0 && tree[i]) setSelectedId(tree[i].id);
    },
  );
  // In the JSON view its text is applied first; text that does not apply is not saved.
  const onSave = (e: React.FormEvent<HTMLFormElement>) => {
    if (!applyJson()) {
      e.preventDefault();
      return;
    }
    const broken = Object.entries(problems).find(([, l]) => l.length);
    if (broken) {
      e.preventDefault();
      setSelectedId(broken[0]);
      toast({ title: `Fix step ${broken[0]} first`, description: broken[1].join(' · '), variant: 'error' });
      return;
    }
    return submitSave(e);
  };

  const onDryRun = (payload: unknown) => {
    if (!applyJson()) return;
    void form.handleSubmit((values) => {
      setServerErrors([]);
      setApiErrors({});
      const req =
        workflow && !dirty
          ? { id: workflow.id, payload }
          : {
              draft: { trigger: toTrigger(values.trigger), steps: values.steps.map((s) => toStep(s, connectors)), ...(workflow ? { environment: workflow.environment, pinData: workflow.pinData } : {}) },
              payload,
            };
      dryRun.mutate(req, { onError: applyServerErrors });
    })();
  };

  // What the canvas marks: the dry run's result per step, errors per step, pinned data.
  const decorations = React.useMemo<Record<string, StepDecoration>>(
    () => (dryRun.data ? Object.fromEntries(dryRun.data.steps.map((s) => [s.id, { status: s.status as StepDecoration['status'], attempts: s.attempts, durationMs: s.durationMs }])) : {}),
    [dryRun.data],
  );
  const stepErrors = formState.errors.steps;
  const connectionProblems = useConnectionProblems(tree);
  const errorsById = React.useMemo(() => {
    const out: Record<string, string[]> = {};
    const add = (id: string, m: string) => {
      const list = (out[id] ??= []);
      if (!list.includes(m)) list.push(m);
    };
    for (const [id, list] of Object.entries(apiErrors)) for (const e of list) add(id, e.rest ? `${e.rest}: ${e.message}` : e.message);
    if (Array.isArray(stepErrors)) stepErrors.forEach((e, i) => tree[i] && errorMessages(e).forEach((m) => add(tree[i].id, m)));
    for (const [id, list] of Object.entries(problems)) list.forEach((m) => add(id, m));
    for (const [id, m] of Object.entries(connectionProblems)) add(id, m);
    return out;
  }, [apiErrors, stepErrors, problems, tree, connectionProblems]);
  const pinned = React.useMemo(() => pinnedSteps(workflow), [workflow]);

  const setStepProblems = React.useCallback((id: string, list: string[]) => {
    setProblems((prev) => {
      if ((prev[id] ?? []).join('\n') === list.join('\n')) return prev;
      const next = { ...prev };
      if (list.length) next[id] = list;
      else delete next[id];
      return next;
    });
  }, []);

  const nameError = formState.errors.name?.message;
  const clientErrorCount = Object.keys(formState.errors).length;
  const rootEnd: Slot = { ref: ROOT, index: tree.length };

  return (
    <form onSubmit={onSave} noValidate data-testid="workflow-builder">
      <div className="mb-6 flex flex-col gap-4">
        <Button variant="ghost" size="sm" asChild className="-ml-2 w-fit">
          <Link href="/workflows">
            <ArrowLeft /> Workflows
          </Link>
        </Button>
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
          <div className="min-w-0">
            <h1 className="text-2xl font-semibold tracking-tight">{workflow ? workflow.name : 'New workflow'}</h1>
            <p className="mt-1 text-sm text-muted-foreground">
              {workflow ? `Version ${workflow.version}${dirty ? ' · unsaved changes' : ''}` : 'A trigger, then steps. Dry-run it before you save.'}
            </p>
          </div>
          <div className="flex items-center gap-3">
            <label className="flex items-center gap-2 text-sm">
              <Switch checked={form.watch('enabled')} onCheckedChange={(v) => setValue('enabled', v, { shouldDirty: true })} data-testid="workflow-enabled" />
              Enabled
            </label>
            <Button type="submit" disabled={save.isPending} data-testid="save-workflow">
              <Save /> {save.isPending ? 'Saving…' : workflow ? 'Save' : 'Create workflow'}
            </Button>
          </div>
        </div>
        {(serverErrors.length > 0 || (save.error && !(save.error instanceof ApiError && save.error.details.length)) || (formState.isSubmitted && clientErrorCount > 0 && !formState.isSubmitSuccessful)) && (
          <div role="alert" className="rounded-lg border border-destructive/40 bg-destructive/5 p-3 text-sm" data-testid="save-errors">
            <p className="flex items-center gap-2 font-medium text-destructive">
              <CircleAlert className="size-4" aria-hidden />
              {serverErrors.length > 0 || save.error ? (save.error?.message ?? dryRun.error?.message ?? 'The api refused the workflow') : 'Fix the highlighted fields'}
            </p>
            {serverErrors.length > 0 && (
              <ul className="mt-2 flex flex-col gap-1 pl-6">
                {serverErrors.map((d, i) => (
                  <li key={i}>
                    <button
                      type="button"
                      className="text-left underline-offset-2 hover:underline"
                      onClick={() => {
                        const at = stepAtApiPath(tree, d.path);
                        if (at && stepsView === 'canvas') setSelectedId(at.step.id);
                        window.setTimeout(() => document.getElementById(fieldId(formPathFor(d.path, form.getValues(), connectors)))?.focus(), 50);
                      }}
                    >
                      <span className="font-medium">{describePath(d.path, tree)}</span>: {d.message}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>

      <Card className="mb-6">
        <CardContent className="grid gap-4 pt-5 sm:grid-cols-2">
          <Field id={fieldId('name')} label="Name" required error={nameError}>
            {(aria) => <Input {...aria} placeholder="Order paid → Slack" data-testid="workflow-name" {...register('name')} />}
          </Field>
          <Field id={fieldId('description')} label="Description" error={formState.errors.description?.message}>
            {(aria) => <Textarea {...aria} rows={1} placeholder="What it does and for whom" className="min-h-9" {...register('description')} />}
          </Field>
        </CardContent>
      </Card>

      <section aria-labelledby="steps-heading" className="mb-6 flex flex-col gap-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="steps-heading" className="text-base font-semibold">
            Steps
          </h2>
          <div className="flex flex-wrap items-center gap-2">
            {stepsView !== 'json' && (
              <>
                <Button variant="ghost" size="icon-sm" onClick={() => history.undo()} disabled={!history.canUndo} aria-label="Undo (Ctrl+Z)" title="Undo (Ctrl+Z)" data-testid="undo">
                  <Undo2 />
                </Button>
                <Button variant="ghost" size="icon-sm" onClick={() => history.redo()} disabled={!history.canRedo} aria-label="Redo (Ctrl+Shift+Z)" title="Redo (Ctrl+Shift+Z)" data-testid="redo">
                  <Redo2 />
                </Button>
                <Button variant="ghost" size="icon-sm" onClick={() => setShortcutsOpen(true)} aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" data-testid="shortcuts-button">
                  <Keyboard />
                </Button>
              </>
            )}
            <ViewToggle
              label="Edit the steps as"
              value={stepsView}
              onChange={switchStepsView}
              options={[
                ['canvas', 'Canvas', WorkflowIcon],
                ['form', 'List', ListChecks],
                ['json', 'JSON', Braces],
              ]}
              testIdPrefix="steps-view-"
            />
            {stepsView !== 'json' && (
              <Button variant="outline" size="sm" onClick={() => setPickerSlot(rootEnd)} data-testid="add-step">
                <Plus /> Add step
              </Button>
            )}
          </div>
        </div>
        {stepsView === 'json' ? (
          <StepsJsonEditor value={jsonText} onChange={setJsonText} errors={jsonErrors} />
        ) : stepsView === 'canvas' ? (
          <div className="grid overflow-hidden rounded-xl border bg-card lg:h-[640px] lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)]">
            <div className="h-[520px] min-w-0 bg-muted/20 lg:h-full">
              <WorkflowCanvas
                trigger={trigger}
                steps={tree}
                mode="edit"
                selectedId={selectedId}
                onSelect={setSelectedId}
                decorations={decorations}
                errors={errorsById}
                pinned={pinned}
                collapsed={collapsed}
                onToggleCollapse={(id) =>
                  setCollapsed((prev) => {
                    const next = new Set(prev);
                    if (!next.delete(id)) next.add(id);
                    return next;
                  })
                }
                onAdd={setPickerSlot}
                onDelete={ops.remove}
                onDuplicate={ops.duplicate}
                onShift={ops.shift}
                onMove={ops.move}
                onCut={(id) => {
                  ops.cut(id);
                  toast({ title: `Cut ${id}`, description: 'Focus a node or an empty branch and press Ctrl+V to move it there.' });
                }}
                onPaste={(slot) => {
                  if (!clipboard) toast({ title: 'Nothing to paste', description: 'Cut a step first (Ctrl+X).' });
                  else if (!ops.paste(slot)) toast({ title: 'It cannot go there', description: 'A block cannot be moved into itself.', variant: 'error' });
                }}
              />
            </div>
            <aside aria-label="Selected node" className="min-w-0 overflow-y-auto border-t lg:border-t-0 lg:border-l" data-testid="side-panel">
              <NodePanel
                tree={tree}
                trigger={trigger}
                selectedId={selectedId}
                connectors={connectors}
                control={control}
                register={register}
                setValue={setValue}
                apiErrors={apiErrors}
                errors={errorsById}
                pinned={pinned}
                workflowId={workflow?.id}
                onReplace={ops.replace}
                onShift={ops.shift}
                onDelete={ops.remove}
                onDuplicate={ops.duplicate}
                onProblems={setStepProblems}
                onClose={() => setSelectedId(null)}
                onEditTrigger={() => {
                  const el = document.getElementById('trigger-editor');
                  el?.scrollIntoView({ behavior: 'smooth', block: 'start' });
                  el?.querySelector<HTMLElement>('button,input,select')?.focus({ preventScroll: true });
                }}
              />
            </aside>
          </div>
        ) : steps.fields.length === 0 ? (
          <EmptyState
            icon={GitBranch}
            title="No steps yet"
            description="Add a step from the connector catalogue: send a Slack message, call an API, transform data, ask an AI agent…"
            action={
              <Button onClick={() => setPickerSlot(rootEnd)}>
                <Plus /> Add the first step
              </Button>
            }
          />
        ) : (
          <ol className="flex flex-col gap-4">
            {steps.fields.map((f, i) => (
              <li key={f.key}>
                {f.kind === 'agent' ? (
                  <AgentCard index={i} count={steps.fields.length} control={control} register={register} setValue={setValue} onMove={(from, to) => steps.move(from, to)} onRemove={(idx) => steps.remove(idx)} />
                ) : f.kind !== 'action' ? (
                  <BlockCard index={i} count={steps.fields.length} control={control} onMove={(from, to) => steps.move(from, to)} onRemove={(idx) => steps.remove(idx)} onEditJson={() => void openJson(f.id)} />
                ) : (
                  <StepCard index={i} count={steps.fields.length} control={control} register={register} setValue={setValue} onMove={(from, to) => steps.move(from, to)} onRemove={(idx) => steps.remove(idx)} />
                )}
              </li>
            ))}
          </ol>
        )}
        {stepsView === 'form' && steps.fields.length > 0 && (
          <Button variant="outline" className="border-dashed" onClick={() => setPickerSlot(rootEnd)}>
            <Plus /> Add step
          </Button>
        )}
      </section>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)]">
        <div className="flex min-w-0 flex-col gap-6">
          <div id="trigger-editor" className="scroll-mt-4">
            <TriggerEditor control={control} register={register} setValue={setValue} dirty={dirty} />
          </div>
          {workflow && <WorkflowEnvironment workflow={workflow} />}
          <WorkflowToolSettings control={control} register={register} setValue={setValue} getValues={form.getValues} />
        </div>

        <aside className="min-w-0 lg:sticky lg:top-4 lg:self-start">
          <Tabs value={tab} onValueChange={setTab}>
            <TabsList className="w-full">
              <TabsTrigger value="dry-run" data-testid="tab-dry-run">
                <FlaskConical /> Dry run
              </TabsTrigger>
              <TabsTrigger value="versions" data-testid="tab-versions">
                <History /> Versions
              </TabsTrigger>
            </TabsList>
            <TabsContent value="dry-run" forceMount className="data-[state=inactive]:hidden">
              <DryRunPanel onRun={onDryRun} pending={dryRun.isPending} result={dryRun.data} error={dryRun.error && !(dryRun.error instanceof ApiError && dryRun.error.details.length) ? dryRun.error : null} />
            </TabsContent>
            <TabsContent value="versions">
              <VersionsPanel
                workflow={workflow}
                onRolledBack={(wf) => {
                  const fresh = toBuilderValues(wf, connectors);
                  form.reset(fresh);
                  if (stepsView === 'json') syncJson(fresh.steps);
                }}
              />
            </TabsContent>
          </Tabs>
        </aside>
      </div>

      <ConnectorPicker
        connectors={connectors}
        open={pickerSlot !== null}
        onOpenChange={(o) => !o && setPickerSlot(null)}
        onPick={(connector, actionKey) => {
          if (stepsView === 'form') steps.append(newStep(connector, actionKey, takenIds(form.getValues('steps'))));
          else if (pickerSlot) ops.addAction(pickerSlot, connector, actionKey);
        }}
        onPickBlock={(type) => {
          if (stepsView === 'form' && type === 'agent') steps.append(newAgentStep(takenIds(form.getValues('steps'))));
          else if (pickerSlot) ops.addBlock(pickerSlot, type);
        }}
      />
      <ShortcutsDialog open={shortcutsOpen} onOpenChange={setShortcutsOpen} />
      <AlertDialog open={leaveTo !== null} onOpenChange={(open) => !open && setLeaveTo(null)}>
        <AlertDialogContent data-testid="leave-dialog">
          <AlertDialogHeader>
            <AlertDialogTitle>Leave this workflow?</AlertDialogTitle>
            <AlertDialogDescription>Your unsaved changes will be lost.</AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel data-testid="leave-stay">Stay</AlertDialogCancel>
            <AlertDialogAction
              data-testid="leave-confirm"
              onClick={() => {
                if (leaveTo) router.push(leaveTo);
                setLeaveTo(null);
              }}
            >
              Leave
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </form>
  );
}

export function WorkflowBuilder({ workflow, connectors }: { workflow?: Workflow; connectors: Connector[] }) {
  return (
    <BuilderProvider connectors={connectors} workflow={workflow}>
      <BuilderForm workflow={workflow} connectors={connectors} />
    </BuilderProvider>
  );
}
