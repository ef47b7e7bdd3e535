'use client';
import * as React from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useFieldArray, useForm, type Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { ArrowLeft, CircleAlert, FlaskConical, GitBranch, History, Plus, Save } from 'lucide-react';
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
import { BuilderProvider } from './builder-context';
import { ConnectorPicker } from './connector-picker';
import { DryRunPanel } from './dry-run-panel';
import { FlowDiagram } from './flow-diagram';
import { builderSchema, emptyBuilder, formPathFor, newStep, toBuilderValues, toStep, toTrigger, toWorkflowInput, type BuilderValues } from './form-model';
import { StepCard } from './step-card';
import { fieldId } from './step-input-fields';
import { TriggerEditor } from './trigger-editor';
import { VersionsPanel } from './versions-panel';

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
  const dirty = formState.isDirty;

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

  const onSave = form.handleSubmit((values) => {
    setServerErrors([]);
    save.mutate(toWorkflowInput(values, connectors), {
      onSuccess: (wf) => {
        form.reset(toBuilderValues(wf, connectors));
        toast({ title: workflow ? `Saved as v${wf.version}` : 'Workflow created', description: wf.name, variant: 'success' });
        if (!workflow) router.replace(`/workflows/${wf.id}`);
      },
      onError: applyServerErrors,
    });
  });

  const onDryRun = (payload: unknown) =>
    void form.handleSubmit((values) => {
      setServerErrors([]);
      const req =
        workflow && !dirty
          ? { id: workflow.id, payload }
          : { draft: { trigger: toTrigger(values.trigger), steps: values.steps.map((s) => toStep(s, connectors)) }, payload };
      dryRun.mutate(req, { onError: applyServerErrors });
    })();

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

          <TriggerEditor control={control} register={register} setValue={setValue} dirty={dirty} />

          <section aria-labelledby="steps-heading" className="flex flex-col gap-3">
            <div className="flex items-center justify-between">
              <h2 id="steps-heading" className="text-base font-semibold">
                Steps
              </h2>
              <Button variant="outline" size="sm" onClick={() => setPickerOpen(true)} data-testid="add-step">
                <Plus /> Add step
              </Button>
            </div>
            {steps.fields.length === 0 ? (
              <EmptyState
                icon={GitBranch}
                title="No steps yet"
                description="Add a step from the connector catalogue: send a Slack message, call an API, transform data…"
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
                    <StepCard
                      index={i}
                      count={steps.fields.length}
                      control={control}
                      register={register}
                      setValue={setValue}
                      onMove={(from, to) => steps.move(from, to)}
                      onRemove={(idx) => steps.remove(idx)}
                    />
                  </li>
                ))}
              </ol>
            )}
            {steps.fields.length > 0 && (
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
              <VersionsPanel workflow={workflow} onRolledBack={(wf) => form.reset(toBuilderValues(wf, connectors))} />
            </TabsContent>
          </Tabs>
        </aside>
      </div>

      <ConnectorPicker
        connectors={connectors}
        open={pickerOpen}
        onOpenChange={setPickerOpen}
        onPick={(connector, actionKey) => {
          steps.append(newStep(connector, actionKey, form.getValues('steps').map((s) => s.id)));
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
