'use client';
import * as React from 'react';
import Link from 'next/link';
import { useWatch, type Control, type UseFormGetValues, type UseFormRegister, type UseFormSetValue } from 'react-hook-form';
import { Plug } from 'lucide-react';
import { env } from '@/lib/env';
import { schemaFields } from '@/lib/json-schema';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { Textarea } from '@/components/ui/textarea';
import { CopyButton } from '@/components/common/copy-button';
import { useBuilder } from './builder-context';
import { toolNameFrom, type BuilderValues } from './form-model';
import { fieldId, useFieldError } from './step-input-fields';

/** Where MCP clients connect (the api's MCP server, Streamable HTTP). */
export const MCP_URL = `${env.apiUrl}/mcp`;

/**
 * "Available as a tool": the workflow offered to MCP clients (`/mcp`) and to agent steps, under a
 * name and a description the model reads; its input schema is the tool's input schema.
 */
export function WorkflowToolSettings({
  control,
  register,
  setValue,
  getValues,
}: {
  control: Control<BuilderValues>;
  register: UseFormRegister<BuilderValues>;
  setValue: UseFormSetValue<BuilderValues>;
  getValues: UseFormGetValues<BuilderValues>;
}) {
  const { workflow } = useBuilder();
  const enabled = useWatch({ control, name: 'tool.enabled' });
  const toolName = useWatch({ control, name: 'tool.name' });
  const workflowEnabled = useWatch({ control, name: 'enabled' });
  const nameError = useFieldError(control, 'tool.name');
  const descriptionError = useFieldError(control, 'tool.description');
  const inputs = workflow?.inputSchema ? schemaFields(workflow.inputSchema) : [];
  // Tool arguments are a JSON object: an input schema of another type keeps the workflow off the tool list.
  const schemaType = workflow?.inputSchema?.type;
  const notObject = schemaType !== undefined && schemaType !== 'object';
  const headingId = React.useId();

  function toggle(on: boolean) {
    setValue('tool.enabled', on, { shouldDirty: true });
    // A first switch-on names the tool after the workflow.
    if (on && !getValues('tool.name').trim()) {
      const workflowName = getValues('name');
      if (workflowName.trim()) setValue('tool.name', toolNameFrom(workflowName), { shouldDirty: true });
    }
  }

  return (
    <Card data-testid="workflow-tool-settings" data-enabled={enabled ? 'true' : 'false'}>
      <CardHeader className="flex flex-row items-start justify-between gap-4">
        <div className="min-w-0">
          <CardTitle id={headingId} className="flex items-center gap-2">
            <Plug className="size-4 text-primary" aria-hidden /> Available as a tool
          </CardTitle>
          <CardDescription>MCP clients (an AI assistant, an IDE, another agent) and agent steps can call this workflow as a tool.</CardDescription>
        </div>
        <Switch checked={!!enabled} onCheckedChange={toggle} aria-labelledby={headingId} data-testid="workflow-tool-enabled" />
      </CardHeader>
      {enabled && (
        <CardContent className="flex flex-col gap-4">
          <Field id={fieldId('tool.name')} label="Tool name" required error={nameError} description="What the model calls it: letters, digits, _ and -, at most 64.">
            {(aria) => <Input {...aria} className="font-mono" placeholder="lookup_order" autoComplete="off" data-testid="workflow-tool-name" {...register('tool.name')} />}
          </Field>
          <Field id={fieldId('tool.description')} label="Description" required error={descriptionError} description="The model reads it to decide when to call the tool: say what it does and what it answers.">
            {(aria) => <Textarea {...aria} rows={2} placeholder="Looks an order up by its id and answers its shipping status." data-testid="workflow-tool-description" {...register('tool.description')} />}
          </Field>
          {!workflowEnabled && (
            <p className="rounded-md border border-warning/40 bg-warning/10 p-3 text-xs" data-testid="workflow-tool-disabled">
              The workflow is disabled: MCP clients do not see its tool until it is enabled.
            </p>
          )}
          {notObject && (
            <p role="alert" className="rounded-md border border-warning/40 bg-warning/10 p-3 text-xs" data-testid="workflow-tool-schema-warning">
              This workflow&apos;s input schema is not an object schema (type <code className="font-mono">{String(schemaType)}</code>): tool arguments are a JSON object, so MCP clients will not list it.
            </p>
          )}
          <div className="flex flex-col gap-2 rounded-md border bg-muted/30 p-3 text-xs text-muted-foreground" data-testid="workflow-tool-hint">
            <p>
              <span className="font-medium text-foreground">Input:</span> the workflow&apos;s input schema is the tool&apos;s input schema
              {inputs.length ? (
                <>
                  {' '}
                  (<span className="font-mono">{inputs.map((f) => f.name).join(', ')}</span>); the arguments are the run&apos;s payload.
                </>
              ) : (
                <>: this workflow has none, so the tool takes any object as the run&apos;s payload. Set one through the api (<code className="font-mono">inputSchema</code>) to tell the model what to send.</>
              )}
            </p>
            <p>
              <span className="font-medium text-foreground">Output:</span> the run&apos;s output is the tool&apos;s result; runs started this way show the trigger <span className="font-mono">mcp</span> in the logs.
            </p>
            <div className="flex flex-col gap-1.5">
              <p>
                <span className="font-medium text-foreground">Connect:</span> MCP clients connect to this URL with an{' '}
                <Link href="/api-keys" className="font-medium text-primary underline-offset-2 hover:underline">
                  API key
                </Link>{' '}
                (sent as <code className="font-mono">Authorization: Bearer …</code>) and list the workflow as the tool{' '}
                <code className="font-mono text-foreground">{toolName?.trim() || 'named above'}</code>.
              </p>
              <div className="flex flex-wrap items-center gap-2">
                <code className="rounded border bg-card px-2 py-1 font-mono text-foreground" data-testid="mcp-url">
                  {MCP_URL}
                </code>
                <CopyButton value={MCP_URL} label="Copy URL" testId="copy-mcp-url" />
              </div>
            </div>
          </div>
        </CardContent>
      )}
    </Card>
  );
}
