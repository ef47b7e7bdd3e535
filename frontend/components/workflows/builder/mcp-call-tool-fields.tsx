'use client';
import * as React from 'react';
import { Controller, useForm, useWatch, type Control, type UseFormRegister, type UseFormSetValue } from 'react-hook-form';
import { Braces, ListChecks, RefreshCw, TriangleAlert } from 'lucide-react';
import { ApiError } from '@/lib/api/client';
import { useMcpTools, type McpTool } from '@/lib/api/credentials';
import type { JsonSchema } from '@/lib/api/types';
import { apiValues, formValues, schemaFields, type FormValue, type SchemaField } from '@/lib/json-schema';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { ViewToggle } from '@/components/ui/view-toggle';
import type { BuilderValues } from './form-model';
import { fieldId, StepInputFields, useFieldError } from './step-input-fields';
import { TemplateInput } from './template-input';

/** The MCP client step: connector `mcp`, action `callTool`, input `{ tool, arguments }` (arguments edited as one JSON value). */
export function isMcpCallTool(connector: string | undefined, action: string | undefined, fields: SchemaField[]): boolean {
  return connector === 'mcp' && action === 'callTool' && fields.some((f) => f.name === 'tool') && fields.some((f) => f.name === 'arguments' && f.kind === 'json');
}

/** The tools of the step's MCP server, by the connection chosen; what to say while there are none. */
export function useStepMcpTools(credentialId: string | undefined) {
  const tools = useMcpTools(credentialId || undefined);
  return { ...tools, items: tools.data ?? [] };
}

/** "Could not list the tools…": the server's or the connection's failure, with a retry. */
export function McpToolsError({ error, onRetry, testId }: { error: Error; onRetry(): void; testId: string }) {
  // The api says what the server answered in the details (a refused token, an unreachable URL…).
  const reason = error instanceof ApiError && error.details.length ? error.details.map((d) => d.message).join(' · ') : error.message;
  return (
    <div role="alert" className="flex items-start gap-2 rounded-md border border-destructive/40 bg-destructive/5 p-3 text-sm" data-testid={testId}>
      <TriangleAlert className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <div className="min-w-0 flex-1">
        <p className="font-medium text-destructive">Could not list the tools of this MCP server</p>
        <p className="text-xs break-words" data-testid={`${testId}-reason`}>
          {reason}
        </p>
        <p className="text-xs text-muted-foreground">Check the connection (its URL and token) on the Connections page; meanwhile the tool can be typed by name.</p>
      </div>
      <Button variant="outline" size="sm" onClick={onRetry}>
        <RefreshCw /> Retry
      </Button>
    </div>
  );
}

/**
 * A select of the server's tools (a text field while they are not known: no connection yet, the
 * list failed, or the saved tool is not offered any more). `value` is the tool's name.
 */
export function McpToolSelect({
  id,
  aria,
  value,
  onChange,
  tools,
  loading,
  failed,
  testId,
}: {
  id: string;
  aria: { 'aria-invalid': boolean; 'aria-describedby'?: string };
  value: string;
  onChange(value: string): void;
  tools: McpTool[];
  loading: boolean;
  failed: boolean;
  testId: string;
}) {
  if (failed || (!loading && tools.length === 0)) {
    return <Input id={id} {...aria} className="font-mono" value={value} onChange={(e) => onChange(e.target.value)} placeholder="tool_name" autoComplete="off" data-testid={testId} />;
  }
  const listed = tools.some((t) => t.name === value);
  return (
    <NativeSelect id={id} {...aria} value={value} onChange={(e) => onChange(e.target.value)} disabled={loading} data-testid={testId}>
      <option value="">{loading ? 'Loading the tools…' : 'Choose a tool'}</option>
      {value && !listed && !loading && <option value={value}>{value} (not offered by the server now)</option>}
      {tools.map((t) => (
        <option key={t.name} value={t.name}>
          {t.name}
        </option>
      ))}
    </NativeSelect>
  );
}

function parseObject(text: string): Record<string, unknown> | null {
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The arguments as a form of the tool's input schema, with the builder's own schema fields: a form
 * of its own (its values are the step's `input.arguments` JSON, written back on every change, with
 * the keys the schema does not describe kept as they were).
 */
function ArgumentsForm({ index, schema, fields, text, setValue, paths }: { index: number; schema: JsonSchema; fields: SchemaField[]; text: string; setValue: UseFormSetValue<BuilderValues>; paths: string[] }) {
  const key = `mcpArgs${index}`;
  // Read once: afterwards this form is the source and the JSON follows it.
  const [initial] = React.useState(() => parseObject(text) ?? {});
  const form = useForm<Record<string, Record<string, FormValue>>>({ defaultValues: { [key]: formValues(fields, initial) } });
  React.useEffect(() => {
    const described = new Set(fields.map((f) => f.name));
    const extra = Object.fromEntries(Object.entries(initial).filter(([k]) => !described.has(k)));
    const sub = form.watch((values, { name }) => {
      if (!name) return;
      const args = { ...extra, ...apiValues(fields, values[key] as Record<string, FormValue> | undefined) };
      setValue(`steps.${index}.input.arguments`, JSON.stringify(args, null, 2), { shouldDirty: true });
    });
    return () => sub.unsubscribe();
  }, [form, fields, initial, key, index, setValue]);
  return (
    <fieldset className="flex flex-col gap-3 rounded-lg border p-3" data-testid={`step-${index}-mcp-arguments-form`} data-schema-fields={fields.length}>
      <legend className="px-1 text-sm font-medium">Arguments</legend>
      {typeof schema.description === 'string' && <p className="-mt-1 text-xs text-muted-foreground">{schema.description}</p>}
      {/* The schema fields are typed for the builder's form; this one has the same shape of values under its own root. */}
      <StepInputFields fields={fields} prefix={key} control={form.control as unknown as Control<BuilderValues>} register={form.register as unknown as UseFormRegister<BuilderValues>} paths={paths} />
    </fieldset>
  );
}

/**
 * The input of an MCP client step (`mcp` → `callTool`): once a connection is chosen, its server's
 * tools as a select with the chosen tool's description, and the arguments as a form of the tool's
 * input schema (the JSON editor when the schema describes no fields, or by choice).
 */
export function McpCallToolFields({
  index,
  control,
  setValue,
  paths,
}: {
  index: number;
  control: Control<BuilderValues>;
  setValue: UseFormSetValue<BuilderValues>;
  paths: string[];
}) {
  const credentialId = useWatch({ control, name: `steps.${index}.credentialId` });
  const toolName = useWatch({ control, name: `steps.${index}.input.tool` });
  const argsText = useWatch({ control, name: `steps.${index}.input.arguments` });
  const tools = useStepMcpTools(credentialId);
  const toolError = useFieldError(control, `steps.${index}.input.tool`);
  const argsError = useFieldError(control, `steps.${index}.input.arguments`);
  const tool = tools.items.find((t) => t.name === toolName);
  const schema = tool?.inputSchema as JsonSchema | undefined;
  const fields = React.useMemo(() => schemaFields(schema), [schema]);
  const [view, setView] = React.useState<'form' | 'json'>('form');
  const text = typeof argsText === 'string' ? argsText : '';
  // The form takes the JSON only when it is an object (a template string or broken JSON stays in the JSON editor).
  const formable = fields.length > 0 && parseObject(text) !== null;
  const showForm = formable && view === 'form';
  const toolId = fieldId(`steps.${index}.input.tool`);

  return (
    <div className="flex flex-col gap-4" data-testid={`step-${index}-mcp`}>
      {credentialId && tools.error && <McpToolsError error={tools.error} onRetry={() => void tools.refetch()} testId={`step-${index}-mcp-tools-error`} />}
      <Field
        id={toolId}
        label="Tool"
        required
        error={toolError}
        description={
          !credentialId ? (
            'Choose the connection first: its server lists the tools.'
          ) : tool?.description ? (
            <span className="text-foreground/80" data-testid={`step-${index}-mcp-tool-description`}>
              {tool.description}
            </span>
          ) : tools.isSuccess && tools.items.length === 0 ? (
            'The server offers no tools.'
          ) : undefined
        }
      >
        {(aria) => (
          <Controller
            control={control}
            name={`steps.${index}.input.tool`}
            render={({ field }) => (
              <McpToolSelect
                id={toolId}
                aria={aria}
                value={typeof field.value === 'string' ? field.value : ''}
                onChange={field.onChange}
                tools={tools.items}
                loading={!!credentialId && tools.isLoading}
                failed={!credentialId || !!tools.error}
                testId={`step-${index}-mcp-tool`}
              />
            )}
          />
        )}
      </Field>
      <div className="flex flex-col gap-2">
        {formable && (
          <ViewToggle
            label="Edit the arguments as"
            value={view}
            onChange={setView}
            options={[
              ['form', 'Form', ListChecks],
              ['json', 'JSON', Braces],
            ]}
            testIdPrefix={`step-${index}-mcp-arguments-view-`}
            size="sm"
          />
        )}
        {showForm && schema ? (
          <ArgumentsForm key={`${toolName}`} index={index} schema={schema} fields={fields} text={text} setValue={setValue} paths={paths} />
        ) : (
          <Field
            id={fieldId(`steps.${index}.input.arguments`)}
            label="Arguments (JSON)"
            error={argsError}
            description={tool && fields.length === 0 ? 'The tool describes no arguments: a JSON object; strings inside may use templates.' : 'A JSON object; strings inside may use templates.'}
          >
            {(aria) => (
              <Controller
                control={control}
                name={`steps.${index}.input.arguments`}
                render={({ field }) => (
                  <TemplateInput {...aria} multiline mono value={typeof field.value === 'string' ? field.value : ''} onChange={field.onChange} onBlur={field.onBlur} paths={paths} placeholder="{}" data-testid={`field-steps.${index}.input.arguments`} />
                )}
              />
            )}
          </Field>
        )}
      </div>
    </div>
  );
}
