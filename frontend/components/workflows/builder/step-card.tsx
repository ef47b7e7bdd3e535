'use client';
import * as React from 'react';
import Link from 'next/link';
import { Controller, useWatch, type Control, type FieldPathByValue, type UseFormRegister, type UseFormSetValue } from 'react-hook-form';
import { ArrowDown, ArrowUp, Plus, Trash2, TriangleAlert } from 'lucide-react';
import { useCredentialStatusEvents, useCredentials } from '@/lib/api/credentials';
import { formValues, schemaFields } from '@/lib/json-schema';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { ConnectorIcon } from '@/components/common/connector-icon';
import { CredentialDialog } from '@/components/connections/credential-dialog';
import { credentialProblem } from '@/components/connections/credential-status';
import { useBuilder } from './builder-context';
import type { BuilderValues } from './form-model';
import { isMcpCallTool, McpCallToolFields } from './mcp-call-tool-fields';
import { fieldId, StepInputFields, useFieldError } from './step-input-fields';
import { TemplateInput } from './template-input';
import { useTemplatePaths } from './use-template-paths';

/**
 * A connection of one connector for a step (or an agent's model or tool): a select of the
 * workspace's connections of that connector, "New" to add one in place, and what is wrong with the
 * chosen one, live. `testId` prefixes the test ids (`<testId>-credential`, `<testId>-add-credential`).
 */
export function CredentialPicker({
  name,
  connectorKey,
  control,
  setValue,
  testId,
  label = 'Connection',
  hint,
}: {
  name: FieldPathByValue<BuilderValues, string>;
  connectorKey: string;
  control: Control<BuilderValues>;
  setValue: UseFormSetValue<BuilderValues>;
  testId: string;
  label?: string;
  /** Shown under the select when nothing is wrong. */
  hint?: React.ReactNode;
}) {
  const { connectors } = useBuilder();
  const credentials = useCredentials(connectorKey);
  const [open, setOpen] = React.useState(false);
  const error = useFieldError(control, name);
  const items = credentials.data?.pages.flatMap((p) => p.items) ?? [];
  // A broken connection (needs reconnecting, not connected, failed its last call) is said next to the picker, live.
  useCredentialStatusEvents();
  const selectedId = useWatch({ control, name }) as string | undefined;
  const selected = items.find((c) => c.id === selectedId);
  const problem = selected ? credentialProblem(selected) : null;
  // A native select shows a value only once it has its option: show the saved connection when the list arrives.
  const listed = !!selected;
  React.useEffect(() => {
    if (listed && selectedId) setValue(name, selectedId as never);
  }, [listed, selectedId, name, setValue]);
  const connectorName = connectors.find((c) => c.key === connectorKey)?.name ?? connectorKey;
  return (
    <Field
      id={fieldId(name)}
      label={label}
      required
      error={error ?? (credentials.error ? `Could not load connections: ${credentials.error.message}` : undefined)}
      description={
        selected && problem ? (
          <span className="flex items-start gap-1.5 text-foreground" data-testid={`${testId}-credential-warning`} data-status={selected.status}>
            <TriangleAlert className="mt-px size-3.5 shrink-0 text-destructive" aria-hidden />
            <span>
              <span className="font-medium">{problem}</span>
              {selected.status === 'error' && selected.lastError ? `: ${selected.lastError} ` : '. Runs of this step fail until it is fixed. '}
              <Link href="/connections" className="font-medium text-primary underline underline-offset-2">
                Fix it on the Connections page
              </Link>
            </span>
          </span>
        ) : !credentials.isLoading && items.length === 0 ? (
          `No ${connectorName} connection yet: add one.`
        ) : (
          hint
        )
      }
    >
      {(aria) => (
        <div className="flex gap-2">
          <NativeSelect className="flex-1" {...aria} data-testid={`${testId}-credential`} {...control.register(name)}>
            <option value="">{credentials.isLoading ? 'Loading…' : 'Choose a connection'}</option>
            {items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </NativeSelect>
          <Button variant="outline" onClick={() => setOpen(true)} data-testid={`${testId}-add-credential`}>
            <Plus /> New
          </Button>
          <CredentialDialog
            connectors={connectors}
            connector={connectorKey}
            open={open}
            onOpenChange={setOpen}
            onCreated={(c) => {
              // The list refetches; select the new one once it is there.
              void credentials.refetch().then(() => setValue(name, c.id as never, { shouldDirty: true }));
            }}
          />
        </div>
      )}
    </Field>
  );
}

/** What the builder gives each step's card (an action step's, an agent's). */
export interface StepCardProps {
  index: number;
  count: number;
  /** The number on the card (its place in its own list) when it is not index + 1: a step nested in a block. */
  position?: number;
  control: Control<BuilderValues>;
  register: UseFormRegister<BuilderValues>;
  setValue: UseFormSetValue<BuilderValues>;
  onMove(from: number, to: number): void;
  onRemove(index: number): void;
}

export function StepCard({ index, count, position, control, register, setValue, onMove, onRemove }: StepCardProps) {
  const { connectors } = useBuilder();
  const step = useWatch({ control, name: `steps.${index}` });
  const paths = useTemplatePaths(control, index);
  const connector = connectors.find((c) => c.key === step?.connector);
  const action = connector?.actions.find((a) => a.key === step?.action);
  const fields = React.useMemo(() => schemaFields(action?.input), [action]);
  const idError = useFieldError(control, `steps.${index}.id`);
  const jsonError = useFieldError(control, `steps.${index}.inputJson`);
  const stepError = useFieldError(control, `steps.${index}`);
  if (!step) return null;

  return (
    <Card className="relative overflow-visible" data-testid="step-card" data-step-id={step.id} data-step-index={index}>
      <div className="flex items-center gap-3 border-b px-4 py-3">
        <span className="grid size-6 shrink-0 place-items-center rounded-full bg-primary text-xs font-semibold text-primary-foreground" data-testid="step-position">{position ?? index + 1}</span>
        <ConnectorIcon icon={connector?.icon} name={connector?.name ?? step.connector} />
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-semibold">{step.name || action?.name || step.action}</p>
          <p className="truncate text-xs text-muted-foreground">
            {connector?.name ?? step.connector} · <span className="font-mono">steps.{step.id}</span>
          </p>
        </div>
        <StepCardButtons index={index} count={count} position={position} onMove={onMove} onRemove={onRemove} />
      </div>
      <div className="flex flex-col gap-4 p-4">
        {stepError && <p role="alert" className="text-sm text-destructive">{stepError}</p>}
        {!connector || !action ? (
          <p className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 p-3 text-sm">
            <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden /> The connector “{step.connector}” or its action “{step.action}” is not in the catalogue. Its input is kept as it is.
          </p>
        ) : null}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id={fieldId(`steps.${index}.id`)} label="Step id" required error={idError} description={<>Later steps read its output as <code className="font-mono">{`{{steps.${step.id || 'id'}…}}`}</code></>}>
            {(aria) => <Input {...aria} className="font-mono" data-testid={`step-${index}-id`} {...register(`steps.${index}.id`)} />}
          </Field>
          {connector && connector.actions.length > 1 ? (
            <Field id={fieldId(`steps.${index}.action`)} label="Action">
              {(aria) => (
                <NativeSelect
                  {...aria}
                  {...register(`steps.${index}.action`, {
                    onChange: (e: React.ChangeEvent<HTMLSelectElement>) => {
                      const a = connector.actions.find((x) => x.key === e.target.value);
                      const f = schemaFields(a?.input);
                      setValue(`steps.${index}.input`, formValues(f, undefined));
                      setValue(`steps.${index}.inputJson`, f.length ? '' : '{}');
                    },
                  })}
                >
                  {connector.actions.map((a) => (
                    <option key={a.key} value={a.key}>
                      {a.name}
                    </option>
                  ))}
                </NativeSelect>
              )}
            </Field>
          ) : (
            <Field id={fieldId(`steps.${index}.name`)} label="Label" description="Optional, shown in the diagram and logs">
              {(aria) => <Input {...aria} placeholder={action?.name} {...register(`steps.${index}.name`)} />}
            </Field>
          )}
        </div>
        {action?.description && <p className="-mt-2 text-xs text-muted-foreground">{action.description}</p>}
        {connector?.credentials && <CredentialPicker name={`steps.${index}.credentialId`} connectorKey={connector.key} control={control} setValue={setValue} testId={`step-${index}`} />}
        {isMcpCallTool(connector?.key, action?.key, fields) ? (
          <McpCallToolFields index={index} control={control} setValue={setValue} paths={paths} />
        ) : fields.length > 0 ? (
          <StepInputFields fields={fields} prefix={`steps.${index}.input`} control={control} register={register} paths={paths} />
        ) : (
          <Field id={fieldId(`steps.${index}.inputJson`)} label="Input (JSON)" description="Strings may use templates" error={jsonError}>
            {(aria) => (
              <Controller
                control={control}
                name={`steps.${index}.inputJson`}
                render={({ field }) => <TemplateInput {...aria} multiline mono value={field.value} onChange={field.onChange} onBlur={field.onBlur} paths={paths} data-testid={`field-steps.${index}.inputJson`} />}
              />
            )}
          </Field>
        )}
        <WhenField index={index} control={control} paths={paths} />
        <details className="group rounded-md border px-3 py-2 text-sm">
          <summary className="cursor-pointer font-medium text-muted-foreground outline-none select-none focus-visible:ring-2 focus-visible:ring-ring">Retries, timeout and errors</summary>
          <div className="mt-3 grid gap-3 pb-1 sm:grid-cols-3">
            <NumberField control={control} register={register} name={`steps.${index}.retry.attempts`} label="Attempts" placeholder="1" />
            <NumberField control={control} register={register} name={`steps.${index}.retry.backoffMs`} label="Backoff (ms)" placeholder="1000" />
            <NumberField control={control} register={register} name={`steps.${index}.timeoutMs`} label="Timeout (ms)" placeholder="30000" />
          </div>
          <Field id={fieldId(`steps.${index}.onError`)} label="When it fails" description="Continue records the error as the step's output ({{steps.<id>.error}}) and runs the next steps.">
            {(aria) => (
              <NativeSelect {...aria} data-testid={`step-${index}-on-error`} {...register(`steps.${index}.onError`)}>
                <option value="fail">Stop the run</option>
                <option value="continue">Continue with the next step</option>
              </NativeSelect>
            )}
          </Field>
        </details>
      </div>
    </Card>
  );
}

/** The step's (or block's) `when`: a condition template; empty or false skips it. */
export function WhenField({ index, control, paths }: { index: number; control: Control<BuilderValues>; paths: string[] }) {
  const name = `steps.${index}.when` as const;
  const error = useFieldError(control, name);
  return (
    <Field id={fieldId(name)} label="Run only when" description="Optional condition; the step is skipped when it renders empty or false." error={error}>
      {(aria) => (
        <Controller
          control={control}
          name={name}
          render={({ field }) => (
            <TemplateInput {...aria} value={field.value} onChange={field.onChange} onBlur={field.onBlur} paths={paths} placeholder='{{eq order.status "paid"}}' data-testid={`field-${name}`} />
          )}
        />
      )}
    </Field>
  );
}

function NumberField({
  control,
  register,
  name,
  label,
  placeholder,
}: {
  control: Control<BuilderValues>;
  register: UseFormRegister<BuilderValues>;
  name: `steps.${number}.retry.attempts` | `steps.${number}.retry.backoffMs` | `steps.${number}.timeoutMs`;
  label: string;
  placeholder: string;
}) {
  const error = useFieldError(control, name);
  return (
    <Field id={fieldId(name)} label={label} error={error}>
      {(aria) => <Input {...aria} inputMode="numeric" placeholder={placeholder} {...register(name)} />}
    </Field>
  );
}

/** Move up, move down and remove: the buttons of every card in the builder's list of steps (action steps and blocks). */
export function StepCardButtons({
  index,
  count,
  position = index + 1,
  onMove,
  onRemove,
}: {
  index: number;
  count: number;
  /** The number the buttons' names give the step (its place in its own list). */
  position?: number;
  onMove: (from: number, to: number) => void;
  onRemove: (index: number) => void;
}) {
  return (
    <div className="flex items-center">
      <Button variant="ghost" size="icon-sm" disabled={index === 0} onClick={() => onMove(index, index - 1)} aria-label={`Move step ${position} up`}>
        <ArrowUp />
      </Button>
      <Button variant="ghost" size="icon-sm" disabled={index === count - 1} onClick={() => onMove(index, index + 1)} aria-label={`Move step ${position} down`}>
        <ArrowDown />
      </Button>
      <Button variant="ghost" size="icon-sm" onClick={() => onRemove(index)} aria-label={`Remove step ${position}`} data-testid={`step-${index}-remove`}>
        <Trash2 />
      </Button>
    </div>
  );
}
