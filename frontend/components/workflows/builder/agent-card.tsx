'use client';
import * as React from 'react';
import Link from 'next/link';
import { Controller, useFieldArray, useWatch, type Control, type UseFormRegister, type UseFormSetValue } from 'react-hook-form';
import { Plus, ShieldCheck, Trash2, Workflow as WorkflowIcon, Wrench } from 'lucide-react';
import { AGENT_MAX_ITERATIONS } from '@tributary/contracts/workflow';
import { useWorkflowOptions } from '@/lib/api/workflows';
import { schemaFields } from '@/lib/json-schema';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { Textarea } from '@/components/ui/textarea';
import { BLOCK_ICONS, BLOCK_LABELS } from '../block-meta';
import { useBuilder } from './builder-context';
import { AGENT_DEFAULT_ITERATIONS, emptyAgentTool, type BuilderValues } from './form-model';
import { McpToolSelect, McpToolsError, useStepMcpTools } from './mcp-call-tool-fields';
import { CredentialPicker, StepCardButtons, WhenField, type StepCardProps } from './step-card';
import { fieldId, useFieldError } from './step-input-fields';
import { TemplateInput } from './template-input';
import { useTemplatePaths } from './use-template-paths';

type ToolPath = `steps.${number}.agent.tools.${number}`;

function WorkflowToolFields({ base, testId, control }: { base: ToolPath; testId: string; control: Control<BuilderValues> }) {
  const { workflow } = useBuilder();
  const workflows = useWorkflowOptions();
  const name = `${base}.workflowId` as const;
  const error = useFieldError(control, name);
  const workflowId = useWatch({ control, name });
  // The workflow being edited is not offered: an agent calling its own workflow would run itself again.
  const options = (workflows.data ?? []).filter((w) => w.id !== workflow?.id);
  const chosen = options.find((w) => w.id === workflowId);
  const inputs = chosen?.inputSchema ? schemaFields(chosen.inputSchema).map((f) => f.name) : [];
  return (
    <Field
      id={fieldId(name)}
      label="Workflow"
      required
      error={error ?? (workflows.error ? `Could not load the workflows: ${workflows.error.message}` : undefined)}
      description={
        chosen ? (
          <span data-testid={`${testId}-workflow-hint`}>
            {chosen.tool?.enabled ? (
              <>
                Offered as <code className="font-mono">{chosen.tool.name}</code> unless named below.{' '}
              </>
            ) : null}
            {inputs.length ? (
              <>
                The model sends its input: <span className="font-mono">{inputs.join(', ')}</span>.{' '}
              </>
            ) : (
              'It has no input schema: the model may send any object. '
            )}
            <Link href={`/workflows/${chosen.id}`} className="font-medium text-primary underline-offset-2 hover:underline">
              Open it
            </Link>
          </span>
        ) : (
          'Runs as a sub-workflow; its output is what the model gets back.'
        )
      }
    >
      {(aria) => (
        <Controller
          control={control}
          name={name}
          render={({ field }) => (
            <NativeSelect {...aria} value={field.value} onChange={field.onChange} onBlur={field.onBlur} data-testid={`${testId}-workflow`}>
              <option value="">{workflows.isLoading ? 'Loading…' : 'Choose a workflow'}</option>
              {field.value && !chosen && !workflows.isLoading && <option value={field.value}>{field.value} (not found)</option>}
              {options.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                  {w.tool?.enabled ? ` (tool ${w.tool.name})` : ''}
                </option>
              ))}
            </NativeSelect>
          )}
        />
      )}
    </Field>
  );
}

function McpToolFields({ base, testId, control, setValue }: { base: ToolPath; testId: string; control: Control<BuilderValues>; setValue: UseFormSetValue<BuilderValues> }) {
  const credentialId = useWatch({ control, name: `${base}.credentialId` });
  const tools = useStepMcpTools(credentialId);
  const toolName = `${base}.tool` as const;
  const toolError = useFieldError(control, toolName);
  const chosenName = useWatch({ control, name: toolName });
  const chosen = tools.items.find((t) => t.name === chosenName);
  return (
    <>
      <CredentialPicker name={`${base}.credentialId`} connectorKey="mcp" control={control} setValue={setValue} testId={testId} label="MCP connection" />
      {credentialId && tools.error && <McpToolsError error={tools.error} onRetry={() => void tools.refetch()} testId={`${testId}-mcp-tools-error`} />}
      <Field
        id={fieldId(toolName)}
        label="Tool"
        required
        error={toolError}
        description={
          !credentialId ? 'Choose the connection first: its server lists the tools.' : chosen?.description ? <span data-testid={`${testId}-mcp-tool-description`}>{chosen.description}</span> : undefined
        }
      >
        {(aria) => (
          <Controller
            control={control}
            name={toolName}
            render={({ field }) => (
              <McpToolSelect
                id={fieldId(toolName)}
                aria={aria}
                value={field.value}
                onChange={field.onChange}
                tools={tools.items}
                loading={!!credentialId && tools.isLoading}
                failed={!credentialId || !!tools.error}
                testId={`${testId}-mcp-tool`}
              />
            )}
          />
        )}
      </Field>
    </>
  );
}

function AgentToolRow({
  index,
  k,
  control,
  register,
  setValue,
  onRemove,
}: {
  index: number;
  k: number;
  control: Control<BuilderValues>;
  register: UseFormRegister<BuilderValues>;
  setValue: UseFormSetValue<BuilderValues>;
  onRemove(): void;
}) {
  const base = `steps.${index}.agent.tools.${k}` as const;
  const testId = `step-${index}-tool-${k}`;
  const kind = useWatch({ control, name: `${base}.kind` });
  const nameError = useFieldError(control, `${base}.name`);
  const descriptionError = useFieldError(control, `${base}.description`);
  const Icon = kind === 'mcp' ? Wrench : WorkflowIcon;
  return (
    <li className="flex flex-col gap-3 rounded-md border bg-muted/20 p-3" data-testid="agent-tool" data-kind={kind} data-index={k}>
      <div className="flex items-center gap-2">
        <Icon className="size-4 shrink-0 text-primary" aria-hidden />
        <p className="flex-1 text-sm font-medium">
          Tool {k + 1} · {kind === 'mcp' ? 'a tool of an MCP server' : 'a workflow'}
        </p>
        <Button variant="ghost" size="icon-sm" onClick={onRemove} aria-label={`Remove tool ${k + 1}`} data-testid={`${testId}-remove`}>
          <Trash2 />
        </Button>
      </div>
      {kind === 'mcp' ? <McpToolFields base={base} testId={testId} control={control} setValue={setValue} /> : <WorkflowToolFields base={base} testId={testId} control={control} />}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={fieldId(`${base}.name`)} label="Name for the model" error={nameError} description="Optional. Letters, digits, _ and -.">
          {(aria) => <Input {...aria} className="font-mono" placeholder={kind === 'mcp' ? 'the tool’s own name' : 'the workflow’s tool name'} data-testid={`${testId}-name`} {...register(`${base}.name`)} />}
        </Field>
        <Field id={fieldId(`${base}.description`)} label="Description for the model" error={descriptionError} description="Optional: overrides the tool’s own.">
          {(aria) => <Textarea {...aria} rows={1} placeholder="When to use it" data-testid={`${testId}-description`} {...register(`${base}.description`)} />}
        </Field>
      </div>
      <div className="flex flex-col gap-0.5">
        <label className="flex items-center gap-2 text-sm font-medium" htmlFor={fieldId(`${base}.approval`)}>
          <input id={fieldId(`${base}.approval`)} type="checkbox" className="size-4 accent-primary" aria-describedby={`${fieldId(`${base}.approval`)}-desc`} data-testid={`${testId}-approval`} {...register(`${base}.approval`)} />
          <ShieldCheck className="size-4 text-muted-foreground" aria-hidden />
          Ask for approval before each call
        </label>
        <p id={`${fieldId(`${base}.approval`)}-desc`} className="pl-6 text-xs text-muted-foreground">
          The run waits until an editor approves the call on its execution page; a rejected call is not made and the model is told so.
        </p>
      </div>
    </li>
  );
}

function NumberInput({ control, register, name, label, placeholder, description, testId }: { control: Control<BuilderValues>; register: UseFormRegister<BuilderValues>; name: `steps.${number}.agent.${'maxIterations' | 'maxTokens' | 'temperature'}`; label: string; placeholder: string; description: string; testId: string }) {
  const error = useFieldError(control, name);
  return (
    <Field id={fieldId(name)} label={label} error={error} description={description}>
      {(aria) => <Input {...aria} inputMode="decimal" placeholder={placeholder} data-testid={testId} {...register(name)} />}
    </Field>
  );
}

/**
 * An agent block (an LLM loop with tools) in the form: its connection and model, the prompts, the
 * tools it may call (workflows of the workspace, tools of MCP servers), limits and the shape of
 * its answer. Sent as the api's agent block (`type: agent`).
 */
export function AgentCard({ index, count, position, control, register, setValue, onMove, onRemove }: StepCardProps) {
  const step = useWatch({ control, name: `steps.${index}` });
  const paths = useTemplatePaths(control, index);
  const tools = useFieldArray({ control, name: `steps.${index}.agent.tools`, keyName: 'key' });
  const idError = useFieldError(control, `steps.${index}.id`);
  const blockError = useFieldError(control, `steps.${index}.block`);
  const toolsError = useFieldError(control, `steps.${index}.agent.tools`);
  const promptError = useFieldError(control, `steps.${index}.agent.prompt`);
  const systemError = useFieldError(control, `steps.${index}.agent.system`);
  const modelError = useFieldError(control, `steps.${index}.agent.model`);
  const schemaError = useFieldError(control, `steps.${index}.agent.outputSchema`);
  const iterationsError = useFieldError(control, `steps.${index}.agent.maxIterations`);
  const maxTokensError = useFieldError(control, `steps.${index}.agent.maxTokens`);
  const temperatureError = useFieldError(control, `steps.${index}.agent.temperature`);
  const limitsError = iterationsError ?? maxTokensError ?? temperatureError ?? schemaError;
  const Icon = BLOCK_ICONS.agent;
  if (!step) return null;
  const a = step.agent;
  const limitsSet = !!(a.maxTokens || a.temperature || a.outputSchema || (a.maxIterations && a.maxIterations !== String(AGENT_DEFAULT_ITERATIONS)));

  return (
    <Card className="relative overflow-visible" data-testid="agent-card" data-step-id={step.id} data-step-index={index}>
      <div className="flex items-center gap-3 border-b px-4 py-3">
        <span className="grid size-6 shrink-0 place-items-center rounded-full bg-primary text-xs font-semibold text-primary-foreground" data-testid="step-position">{position ?? index + 1}</span>
        <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-md border bg-primary/5">
          <Icon className="size-4 text-primary" />
        </span>
        <div className="min-w-0 flex-1">
          <p className="flex items-center gap-2 truncate text-sm font-semibold">
            {step.name || BLOCK_LABELS.agent}
            <Badge variant="outline">{BLOCK_LABELS.agent}</Badge>
          </p>
          <p className="truncate text-xs text-muted-foreground">
            LLM loop with tools · <span className="font-mono">steps.{step.id}</span>
          </p>
        </div>
        <StepCardButtons index={index} count={count} position={position} onMove={onMove} onRemove={onRemove} />
      </div>
      <div className="flex flex-col gap-4 p-4">
        {blockError && (
          <p id={fieldId(`steps.${index}.block`)} tabIndex={-1} role="alert" className="text-sm text-destructive" data-testid={`error-steps-${index}-block`}>
            {blockError}
          </p>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            id={fieldId(`steps.${index}.id`)}
            label="Step id"
            required
            error={idError}
            description={
              <>
                Later steps read the answer as <code className="font-mono">{`{{steps.${step.id || 'id'}.answer}}`}</code>
              </>
            }
          >
            {(aria) => <Input {...aria} className="font-mono" data-testid={`step-${index}-id`} {...register(`steps.${index}.id`)} />}
          </Field>
          <Field id={fieldId(`steps.${index}.name`)} label="Label" description="Optional, shown in the diagram and logs">
            {(aria) => <Input {...aria} placeholder={BLOCK_LABELS.agent} data-testid={`step-${index}-name`} {...register(`steps.${index}.name`)} />}
          </Field>
        </div>
        <div className="grid gap-4 sm:grid-cols-[3fr_2fr]">
          <CredentialPicker name={`steps.${index}.agent.credentialId`} connectorKey="llm" control={control} setValue={setValue} testId={`step-${index}`} label="LLM connection" hint="An OpenAI-compatible API: its URL, key and default model." />
          <Field id={fieldId(`steps.${index}.agent.model`)} label="Model" error={modelError} description="Optional: overrides the connection's model.">
            {(aria) => <Input {...aria} className="font-mono" placeholder="the connection's model" data-testid={`step-${index}-agent-model`} {...register(`steps.${index}.agent.model`)} />}
          </Field>
        </div>
        <Field id={fieldId(`steps.${index}.agent.system`)} label="System prompt" error={systemError} description="Optional: who the agent is and how it works. Templates allowed.">
          {(aria) => (
            <Controller
              control={control}
              name={`steps.${index}.agent.system`}
              render={({ field }) => <TemplateInput {...aria} multiline value={field.value} onChange={field.onChange} onBlur={field.onBlur} paths={paths} placeholder="You are a support agent for ACME…" data-testid={`field-steps.${index}.agent.system`} />}
            />
          )}
        </Field>
        <Field id={fieldId(`steps.${index}.agent.prompt`)} label="Prompt" required error={promptError} description="What the agent is asked, with values from the trigger and earlier steps.">
          {(aria) => (
            <Controller
              control={control}
              name={`steps.${index}.agent.prompt`}
              render={({ field }) => <TemplateInput {...aria} multiline rows={4} value={field.value} onChange={field.onChange} onBlur={field.onBlur} paths={paths} placeholder="Where is order {{order.id}}?" data-testid={`field-steps.${index}.agent.prompt`} />}
            />
          )}
        </Field>

        <section aria-labelledby={`agent-${index}-tools`} className="flex flex-col gap-2" data-testid={`step-${index}-agent-tools`}>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h3 id={`agent-${index}-tools`} className="text-sm font-medium">
              Tools <span className="font-normal text-muted-foreground">({tools.fields.length})</span>
            </h3>
            <div className="flex gap-2">
              <Button variant="outline" size="sm" onClick={() => tools.append(emptyAgentTool('workflow'))} disabled={tools.fields.length >= 20} data-testid={`step-${index}-add-workflow-tool`}>
                <Plus /> Workflow
              </Button>
              <Button variant="outline" size="sm" onClick={() => tools.append(emptyAgentTool('mcp'))} disabled={tools.fields.length >= 20} data-testid={`step-${index}-add-mcp-tool`}>
                <Plus /> MCP tool
              </Button>
            </div>
          </div>
          {toolsError && (
            <p role="alert" className="text-xs font-medium text-destructive">
              {toolsError}
            </p>
          )}
          {tools.fields.length === 0 ? (
            <p className="rounded-md border border-dashed px-3 py-2 text-xs text-muted-foreground">No tools: the model answers from the prompt alone. Add a workflow of this workspace or a tool of an MCP server for it to call.</p>
          ) : (
            <ol className="flex flex-col gap-2">
              {tools.fields.map((f, k) => (
                <AgentToolRow key={f.key} index={index} k={k} control={control} register={register} setValue={setValue} onRemove={() => tools.remove(k)} />
              ))}
            </ol>
          )}
        </section>

        <details className="group rounded-md border px-3 py-2 text-sm" open={limitsSet || !!limitsError || undefined}>
          <summary className="cursor-pointer font-medium text-muted-foreground outline-none select-none focus-visible:ring-2 focus-visible:ring-ring" data-testid={`step-${index}-agent-limits`}>
            Limits and structured answer
          </summary>
          <div className="mt-3 flex flex-col gap-3 pb-1">
            <div className="grid gap-3 sm:grid-cols-3">
              <NumberInput
                control={control}
                register={register}
                name={`steps.${index}.agent.maxIterations`}
                label="Max iterations"
                placeholder={String(AGENT_DEFAULT_ITERATIONS)}
                description={`Model calls at most (1–${AGENT_MAX_ITERATIONS}).`}
                testId={`step-${index}-agent-max-iterations`}
              />
              <NumberInput control={control} register={register} name={`steps.${index}.agent.maxTokens`} label="Max tokens" placeholder="no limit" description="All calls together; the step fails past it." testId={`step-${index}-agent-max-tokens`} />
              <NumberInput control={control} register={register} name={`steps.${index}.agent.temperature`} label="Temperature" placeholder="the model's default" description="0 to 2." testId={`step-${index}-agent-temperature`} />
            </div>
            <Field
              id={fieldId(`steps.${index}.agent.outputSchema`)}
              label="Output JSON Schema"
              error={schemaError}
              description={
                <>
                  Optional: the final answer must be JSON matching it, read as <code className="font-mono">{`{{steps.${step.id || 'id'}.json}}`}</code>.
                </>
              }
            >
              {(aria) => (
                <Textarea
                  {...aria}
                  rows={5}
                  className="font-mono text-xs"
                  spellCheck={false}
                  autoCapitalize="off"
                  autoCorrect="off"
                  placeholder={'{ "type": "object", "properties": { "status": { "type": "string" } }, "required": ["status"] }'}
                  data-testid={`field-steps.${index}.agent.outputSchema`}
                  {...register(`steps.${index}.agent.outputSchema`)}
                />
              )}
            </Field>
          </div>
        </details>

        <WhenField index={index} control={control} paths={paths} />
        <Field id={fieldId(`steps.${index}.onError`)} label="When it fails" description="Continue records the error as the step's output ({{steps.<id>.error}}) and runs the next steps.">
          {(aria) => (
            <NativeSelect {...aria} data-testid={`step-${index}-on-error`} {...register(`steps.${index}.onError`)}>
              <option value="fail">Stop the run</option>
              <option value="continue">Continue with the next step</option>
            </NativeSelect>
          )}
        </Field>
      </div>
    </Card>
  );
}
