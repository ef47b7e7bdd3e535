'use client';
import dynamic from 'next/dynamic';
import { Controller, useFormState, type Control, type UseFormRegister } from 'react-hook-form';
import type { SchemaField } from '@/lib/json-schema';
import { cn, getPath } from '@/lib/utils';
import { Field } from '@/components/ui/field';
import { inputClass } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/native-select';
import type { CodeEditorProps } from './code-editor';
import type { BuilderValues } from './form-model';
import { TemplateInput } from './template-input';

/**
 * CodeMirror is loaded only when a step has a code field (a chunk of its own, client side only).
 * Should the chunk fail to load, a plain monospace textarea edits the same value.
 */
const CodeEditor = dynamic(
  () =>
    import('./code-editor').then(
      (m) => m.CodeEditor,
      () => PlainCodeEditor,
    ),
  {
    ssr: false,
    loading: () => (
      <div aria-busy="true" className="grid min-h-41 place-items-center rounded-md border border-input bg-muted/40 text-xs text-muted-foreground" data-code-editor="loading">
        Loading the code editor…
      </div>
    ),
  },
);

function PlainCodeEditor({ id, value, onChange, onBlur, labelledBy, describedBy, invalid, required, placeholder, ...rest }: CodeEditorProps) {
  return (
    <textarea
      id={id}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      aria-invalid={invalid}
      aria-required={required}
      rows={8}
      spellCheck={false}
      autoCapitalize="off"
      autoCorrect="off"
      placeholder={placeholder}
      className={cn(inputClass, 'h-auto min-h-41 py-2 font-mono text-xs')}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      onBlur={onBlur}
      data-testid={rest['data-testid']}
      data-code-editor="plain"
    />
  );
}

const LONG_TEXT = /(text|body|message|content|query|html|xml|template|description|script|envelope|soql)/i;

export function fieldId(name: string) {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

export function useFieldError(control: Control<BuilderValues>, name: string): string | undefined {
  const { errors } = useFormState({ control, name: name as never });
  const e = getPath(errors, name) as { message?: unknown } | undefined;
  return typeof e?.message === 'string' ? e.message : undefined;
}

function SchemaInput({ field, name, control, register, paths }: { field: SchemaField; name: string; control: Control<BuilderValues>; register: UseFormRegister<BuilderValues>; paths: string[] }) {
  const error = useFieldError(control, name);
  const id = fieldId(name);
  const description = field.kind === 'json' ? `${field.description ? `${field.description} · ` : ''}JSON; strings inside may use templates` : field.description;

  if (field.kind === 'object') {
    return (
      <fieldset className="flex flex-col gap-3 rounded-lg border p-3">
        <legend className="px-1 text-sm font-medium">{field.label}</legend>
        {field.description && <p className="-mt-1 text-xs text-muted-foreground">{field.description}</p>}
        {(field.children ?? []).map((c) => (
          <SchemaInput key={c.name} field={c} name={`${name}.${c.name}`} control={control} register={register} paths={paths} />
        ))}
        {error && <p className="text-xs font-medium text-destructive" role="alert">{error}</p>}
      </fieldset>
    );
  }

  if (field.kind === 'code') {
    // A contenteditable is not labelable (no <label for>): the label is tied with aria-labelledby and focuses the editor on click.
    const labelId = `${id}-label`;
    const descId = field.description ? `${id}-desc` : undefined;
    const keysId = `${id}-keys`;
    const errId = error ? `${id}-error` : undefined;
    return (
      <div className="flex flex-col gap-1.5">
        <Label id={labelId} onClick={() => document.getElementById(id)?.focus()}>
          {field.label}
          {field.required && (
            <span aria-hidden className="text-destructive">
              *
            </span>
          )}
        </Label>
        <Controller
          control={control}
          name={name as never}
          render={({ field: f }) => (
            <CodeEditor
              id={id}
              labelledBy={labelId}
              describedBy={[descId, keysId, errId].filter(Boolean).join(' ')}
              invalid={!!error}
              required={field.required}
              value={typeof f.value === 'string' ? f.value : ''}
              onChange={f.onChange}
              onBlur={f.onBlur}
              placeholder="return input;"
              data-testid={`field-${name}`}
            />
          )}
        />
        {field.description && (
          <p id={descId} className="text-xs text-muted-foreground">
            {field.description}
          </p>
        )}
        <p id={keysId} className="text-xs text-muted-foreground" data-testid={`code-keys-${name}`}>
          <kbd className="font-mono">Tab</kbd> indents. To leave the editor with the keyboard, press <kbd className="font-mono">Esc</kbd> then <kbd className="font-mono">Tab</kbd>.
        </p>
        {error && (
          <p id={errId} role="alert" className="text-xs font-medium text-destructive" data-testid={`error-${id}`}>
            {error}
          </p>
        )}
      </div>
    );
  }

  if (field.kind === 'boolean') {
    return (
      <div className="flex flex-col gap-1">
        <label className="flex items-center gap-2 text-sm font-medium" htmlFor={id}>
          <input id={id} type="checkbox" className="size-4 accent-primary" data-testid={`field-${name}`} {...register(name as never)} />
          {field.label}
        </label>
        {description && <p className="text-xs text-muted-foreground">{description}</p>}
        {error && <p className="text-xs font-medium text-destructive" role="alert" data-testid={`error-${name}`}>{error}</p>}
      </div>
    );
  }

  return (
    <Field id={id} label={field.label} description={description} required={field.required} error={error}>
      {(aria) =>
        field.kind === 'enum' ? (
          <NativeSelect {...aria} data-testid={`field-${name}`} {...register(name as never)}>
            {!field.required && <option value="">—</option>}
            {field.options?.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </NativeSelect>
        ) : (
          <Controller
            control={control}
            name={name as never}
            render={({ field: f }) => (
              <TemplateInput
                {...aria}
                name={f.name}
                value={typeof f.value === 'string' ? f.value : ''}
                onChange={f.onChange}
                onBlur={f.onBlur}
                paths={paths}
                multiline={field.kind === 'json' || LONG_TEXT.test(field.name)}
                mono={field.kind === 'json'}
                inputMode={field.kind === 'number' ? 'decimal' : undefined}
                placeholder={field.kind === 'number' ? 'A number or a template' : field.defaultValue !== undefined ? `Default: ${String(field.defaultValue)}` : undefined}
                data-testid={`field-${name}`}
              />
            )}
          />
        )
      }
    </Field>
  );
}

export function StepInputFields({
  fields,
  prefix,
  control,
  register,
  paths,
}: {
  fields: SchemaField[];
  prefix: string;
  control: Control<BuilderValues>;
  register: UseFormRegister<BuilderValues>;
  paths: string[];
}) {
  return (
    <div className="flex flex-col gap-4">
      {fields.map((f) => (
        <SchemaInput key={f.name} field={f} name={`${prefix}.${f.name}`} control={control} register={register} paths={paths} />
      ))}
    </div>
  );
}
