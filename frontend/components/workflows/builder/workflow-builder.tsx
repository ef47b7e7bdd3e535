'use client';
import * as React from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useFieldArray, useForm, type Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { ArrowLeft, Braces, CircleAlert, FlaskConical, GitBranch, History, ListChecks, Plus, Save } from 'lucide-react';
import { ApiError, type ErrorDetail } from '@/lib/api/client';
import { useDryRun, useSaveWorkflow } from '@/lib/api/workflows';
import type { Connector, Workflow } from '@/lib/api/types';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { Textarea } from '@/components/ui/textarea';
import { useToast } from '@/components/ui/toast';
import { EmptyState } from '@/components/common/states';
import { cn } from '@/lib/utils';
import { AgentCard } from './agent-card';
import { BlockCard } from './block-card';
import { parseStepsJson } from './blocks';
import { BuilderProvider } from './builder-context';
import { ConnectorPicker } from './connector-picker';
import { DryRunPanel } from './dry-run-panel';
import { FlowDiagram } from './flow-diagram';
import { builderSchema, emptyBuilder, formPathFor, hasBrokenJson, newAgentStep, newStep, takenIds, toBuilderValues, toStep, toStepValues, toTrigger, toWorkflowInput, type BuilderValues } from './form-model';
import { StepCard } from './step-card';
import { StepsJsonEditor } from './steps-json-editor';
import { fieldId } from './step-input-fields';
import { TriggerEditor } from './trigger-editor';
import { VersionsPanel } from './versions-panel';
import { WorkflowToolSettings } from './workflow-tool-settings';
import { WorkflowEnvironment } from '@/components/variables/workflow-environment';

function describePath(path: string, values: BuilderValues): string {
  const m = /^(?:workflow\.)?steps\.(\d+)\.?(.*)$/.exec(path);
  if (m) {
    const step = values.steps[Number(m[1])];
    return `Step ${Number(m[1]) + 1}${step ? ` (${step.id})` : ''}${m[2] ? ` · ${m[2]}` : ''}`;
  }
  return path || 'Workflow';
}

function BuilderForm({ workflow, connectors }: { workflow?: Workflow; connectors: Connector[] }) {
  const router = useRouter();
  const toast = useToast();
  const save = useSaveWorkflow(workflow?.id);
  const dryRun = useDryRun();
  const [pickerOpen, setPickerOpen] = React.useState(false);
  const [serverErrors, setServerErrors] = React.useState<ErrorDetail[]>([]);
  const [tab, setTab] = React.useState('flow');

  const form = useForm<BuilderValues>({
    defaultValues: workflow ? toBuilderValues(workflow, connectors) : emptyBuilder,
    resolver: zodResolver(builderSchema) as unknown as Resolver<BuilderValues>,
    mode: 'onSubmit',
  });
  const { control, register, setValue, formState } = form;
  const steps = useFieldArray({ control, name: 'steps', keyName: 'key' });

  // The steps' JSON view (action steps and blocks): its text, the text last in sync with the form, and why it does not apply.
  const [stepsView, setStepsView] = React.useState<'form' | 'json'>('form');
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

  function switchStepsView(next: 'form' | 'json') {
    if (next === stepsView) return;
    if (next === 'json') void openJson();
    else if (applyJson()) setStepsView('form');
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

  // Leaving with unsaved edits asks first.
  React.useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  function applyServerErrors(err: unknown) {
    if (!(err instanceof ApiError) || err.details.length === 0) {
      setServerErrors([]);
      return;
    }
    const values = form.getValues();
    for (const d of err.details) {
      if (d.path) form.setError(formPathFor(d.path, values, connectors) as never, { type: 'server', message: d.message });
    }
    setServerErrors(err.details);
  }

  const submitSave = form.handleSubmit((values) => {
    setServerErrors([]);
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
  });
  // In the JSON view its text is applied first; text that does not apply is not saved.
  const onSave = (e: React.FormEvent<HTMLFormElement>) => {
    if (!applyJson()) {
      e.preventDefault();
      return;
    }
    return submitSave(e);
  };

  const onDryRun = (payload: unknown) => {
    if (!applyJson()) return;
    void form.handleSubmit((values) => {
      setServerErrors([]);
      const req =
        workflow && !dirty
          ? { id: workflow.id, payload }
          : { draft: { trigger: toTrigger(values.trigger), steps: values.steps.map((s) => toStep(s, connectors)), ...(workflow ? { environment: workflow.environment } : {}) }, payload };
      dryRun.mutate(req, { onError: applyServerErrors });
    })();
  };

  const stepStatus = React.useMemo(() => (dryRun.data ? Object.fromEntries(dryRun.data.steps.map((s) => [s.id, s.status])) : undefined), [dryRun.data]);
  const nameError = formState.errors.name?.message;
  const clientErrorCount = Object.keys(formState.errors).length;

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
                      onClick={() => document.getElementById(fieldId(formPathFor(d.path, form.getValues(), connectors)))?.focus()}
                    >
                      <span className="font-medium">{describePath(d.path, form.getValues())}</span>: {d.message}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)]">
        <div className="flex min-w-0 flex-col gap-6">
          <Card>
            <CardContent className="grid gap-4 pt-5">
              <Field id={fieldId('name')} label="Name" required error={nameError}>
                {(aria) => <Input {...aria} placeholder="Order paid → Slack" data-testid="workflow-name" {...register('name')} />}
              </Field>
              <Field id={fieldId('description')} label="Description" error={formState.errors.description?.message}>
                {(aria) => <Textarea {...aria} rows={2} placeholder="What it does and for whom" {...register('description')} />}
              </Field>
            </CardContent>
          </Card>

          {workflow && <WorkflowEnvironment workflow={workflow} />}

          <TriggerEditor control={control} register={register} setValue={setValue} dirty={dirty} />

          <WorkflowToolSettings control={control} register={register} setValue={setValue} getValues={form.getValues} />

          <section aria-labelledby="steps-heading" className="flex flex-col gap-3">
            <div className="flex items-center justify-between">
              <h2 id="steps-heading" className="text-base font-semibold">
                Steps
              </h2>
              <div className="flex items-center gap-2">
                <div role="group" aria-label="Edit the steps as" className="inline-flex h-8 items-center rounded-lg bg-muted p-0.5 text-muted-foreground">
                  {(
                    [
                      ['form', 'Form', ListChecks],
                      ['json', 'JSON', Braces],
                    ] as const
                  ).map(([view, label, Icon]) => (
                    <button
                      key={view}
                      type="button"
                      aria-pressed={stepsView === view}
                      onClick={() => switchStepsView(view)}
                      className={cn(
                        'inline-flex h-full cursor-pointer items-center gap-1.5 rounded-md px-2.5 text-xs font-medium outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50 [&_svg]:size-3.5',
                        stepsView === view && 'bg-card text-foreground shadow-sm',
                      )}
                      data-testid={`steps-view-${view}`}
                    >
                      <Icon aria-hidden /> {label}
                    </button>
                  ))}
                </div>
                {stepsView === 'form' && (
                  <Button variant="outline" size="sm" onClick={() => setPickerOpen(true)} data-testid="add-step">
                    <Plus /> Add step
                  </Button>
                )}
              </div>
            </div>
            {stepsView === 'json' ? (
              <StepsJsonEditor value={jsonText} onChange={setJsonText} errors={jsonErrors} />
            ) : steps.fields.length === 0 ? (
              <EmptyState
                icon={GitBranch}
                title="No steps yet"
                description="Add a step from the connector catalogue: send a Slack message, call an API, transform data, ask an AI agent…"
                action={
                  <Button onClick={() => setPickerOpen(true)}>
                    <Plus /> Add the first step
                  </Button>
                }
              />
            ) : (
              <ol className="flex flex-col gap-4">
                {steps.fields.map((f, i) => (
                  <li key={f.key}>
                    {f.kind === 'agent' ? (
                      <AgentCard
                        index={i}
                        count={steps.fields.length}
                        control={control}
                        register={register}
                        setValue={setValue}
                        onMove={(from, to) => steps.move(from, to)}
                        onRemove={(idx) => steps.remove(idx)}
                      />
                    ) : f.kind !== 'action' ? (
                      <BlockCard
                        index={i}
                        count={steps.fields.length}
                        control={control}
                        onMove={(from, to) => steps.move(from, to)}
                        onRemove={(idx) => steps.remove(idx)}
                        onEditJson={() => void openJson(f.id)}
                      />
                    ) : (
                      <StepCard
                        index={i}
                        count={steps.fields.length}
                        control={control}
                        register={register}
                        setValue={setValue}
                        onMove={(from, to) => steps.move(from, to)}
                        onRemove={(idx) => steps.remove(idx)}
                      />
                    )}
                  </li>
                ))}
              </ol>
            )}
            {stepsView === 'form' && steps.fields.length > 0 && (
              <Button variant="outline" className="border-dashed" onClick={() => setPickerOpen(true)}>
                <Plus /> Add step
              </Button>
            )}
          </section>
        </div>

        <aside className="min-w-0 lg:sticky lg:top-4 lg:self-start">
          <Tabs value={tab} onValueChange={setTab}>
            <TabsList className="w-full">
              <TabsTrigger value="flow" data-testid="tab-flow">
                <GitBranch /> Flow
              </TabsTrigger>
              <TabsTrigger value="dry-run" data-testid="tab-dry-run">
                <FlaskConical /> Dry run
              </TabsTrigger>
              <TabsTrigger value="versions" data-testid="tab-versions">
                <History /> Versions
              </TabsTrigger>
            </TabsList>
            <TabsContent value="flow" forceMount className="data-[state=inactive]:hidden">
              <FlowDiagram control={control} stepStatus={stepStatus} />
            </TabsContent>
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
        open={pickerOpen}
        onOpenChange={setPickerOpen}
        onPick={(connector, actionKey) => {
          steps.append(newStep(connector, actionKey, takenIds(form.getValues('steps'))));
        }}
        onPickBlock={(type) => {
          if (type === 'agent') steps.append(newAgentStep(takenIds(form.getValues('steps'))));
        }}
      />
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
