'use client';
import * as React from 'react';
import { Lock, Plus, Trash2 } from 'lucide-react';
import { DEFAULT_ENVIRONMENT, environmentError, variableNameError } from '@tributary/contracts/variables';
import { ApiError } from '@/lib/api/client';
import { useCreateVariable, useUpdateVariable, type Variable } from '@/lib/api/variables';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { InlineError } from '@/components/common/states';

/** One environment's value as edited: a stored secret is never shown, only that it is set (type to replace it). */
interface Row {
  key: number;
  environment: string;
  value: string;
  /** Stored before the dialog opened (its environment is fixed then). */
  stored: boolean;
  /** A stored secret's hint (`••••abcd`). */
  hint: string | null;
  removed: boolean;
}

let nextKey = 0;
const rowsOf = (v: Variable | undefined, environments: string[]): Row[] => {
  if (!v) return (environments.length ? environments : [DEFAULT_ENVIRONMENT]).map((environment) => ({ key: nextKey++, environment, value: '', stored: false, hint: null, removed: false }));
  return Object.entries(v.values).map(([environment, x]) => ({ key: nextKey++, environment, value: x.value ?? '', stored: true, hint: x.hint, removed: false }));
};

export function VariableDialog({
  open,
  onOpenChange,
  variable,
  environments,
  onSaved,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  /** Absent: a new variable. */
  variable?: Variable;
  environments: string[];
  onSaved(v: Variable): void;
}) {
  const create = useCreateVariable();
  const update = useUpdateVariable();
  const mutation = variable ? update : create;
  const [name, setName] = React.useState('');
  const [description, setDescription] = React.useState('');
  const [secret, setSecret] = React.useState(false);
  const [rows, setRows] = React.useState<Row[]>([]);
  const [defaultValue, setDefaultValue] = React.useState('');
  const [defaultRemoved, setDefaultRemoved] = React.useState(false);
  const [errors, setErrors] = React.useState<Record<string, string>>({});

  React.useEffect(() => {
    if (!open) return;
    setName(variable?.name ?? '');
    setDescription(variable?.description ?? '');
    setSecret(variable?.secret ?? false);
    setRows(rowsOf(variable, environments.filter((e) => e === 'staging' || e === DEFAULT_ENVIRONMENT)));
    setDefaultValue(variable?.defaultValue?.value ?? '');
    setDefaultRemoved(false);
    setErrors({});
    create.reset();
    update.reset();
    // Reset only when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, variable?.id]);

  const storedSecret = !!variable?.secret;
  const setRow = (key: number, patch: Partial<Row>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  function validate(): boolean {
    const next: Record<string, string> = {};
    if (!variable) {
      const e = variableNameError(name.trim());
      if (e) next.name = e;
    }
    const seen = new Set<string>();
    for (const r of rows) {
      if (r.removed) continue;
      const e = environmentError(r.environment.trim()) ?? (seen.has(r.environment.trim()) ? 'This environment is listed twice' : null);
      if (e) next[`env-${r.key}`] = e;
      seen.add(r.environment.trim());
    }
    setErrors(next);
    return Object.keys(next).length === 0;
  }

  function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    if (!validate()) return;
    const values: Record<string, string | null> = {};
    for (const r of rows) {
      const env = r.environment.trim();
      if (r.removed) {
        if (r.stored) values[env] = null;
        continue;
      }
      // A stored secret left empty stays as it is; a plain value is sent when it changed (or is new).
      if (r.stored && storedSecret && !r.value) continue;
      if (r.stored && !storedSecret && r.value === (variable?.values[env]?.value ?? '')) continue;
      if (!r.stored && !r.value) continue;
      values[env] = r.value;
    }
    let def: string | null | undefined;
    if (defaultRemoved) def = null;
    else if (storedSecret) def = defaultValue ? defaultValue : undefined;
    else if (defaultValue !== (variable?.defaultValue?.value ?? '')) def = defaultValue === '' ? (variable?.defaultValue ? null : undefined) : defaultValue;
    const onError = (err: Error) => {
      if (!(err instanceof ApiError)) return;
      const next: Record<string, string> = {};
      for (const d of err.details) if (d.path === 'name') next.name = d.message;
      setErrors(next);
    };
    if (variable) {
      update.mutate(
        { id: variable.id, body: { description, ...(secret && !storedSecret ? { secret: true } : {}), values, ...(def !== undefined ? { defaultValue: def } : {}) } },
        { onSuccess: (v) => (onOpenChange(false), onSaved(v)), onError },
      );
    } else {
      create.mutate(
        { name: name.trim(), description, secret, values: values as Record<string, string>, ...(def ? { defaultValue: def } : {}) },
        { onSuccess: (v) => (onOpenChange(false), onSaved(v)), onError },
      );
    }
  }

  const secretPlaceholder = (hint: string | null) => `Set (${hint ?? '••••'}): type to replace`;

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="variable-dialog" className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>{variable ? `Edit ${variable.name}` : 'New variable'}</DialogTitle>
          <DialogDescription>
            Read in templates as <code className="font-mono">{`{{vars.${name.trim() || 'NAME'}}}`}</code>, with the value of the environment the workflow runs in.
          </DialogDescription>
        </DialogHeader>
        <form noValidate className="flex flex-col gap-4" onSubmit={onSubmit}>
          <Field id="variable-name" label="Name" required error={errors.name} description={variable ? 'Workflows read it by name: it cannot change.' : 'Letters, digits and _, e.g. API_BASE.'}>
            {(aria) => <Input {...aria} value={name} disabled={!!variable} autoComplete="off" className="font-mono" data-testid="variable-name" onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field id="variable-description" label="Description">
            {(aria) => <Input {...aria} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What it is for" />}
          </Field>
          <label className="flex items-start gap-3 text-sm">
            <Switch checked={secret} disabled={storedSecret} onCheckedChange={setSecret} data-testid="variable-secret" aria-describedby="variable-secret-desc" />
            <span>
              <span className="flex items-center gap-1.5 font-medium">
                <Lock className="size-3.5" aria-hidden /> Secret
              </span>
              <span id="variable-secret-desc" className="text-xs text-muted-foreground">
                Encrypted at rest, never shown again, and masked (***) in recorded step inputs and outputs.{storedSecret ? ' A secret stays secret.' : ''}
              </span>
            </span>
          </label>

          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium">Values per environment</legend>
            {rows.map((r) => (
              <div key={r.key} className="flex items-start gap-2" data-testid="variable-value-row" data-environment={r.environment}>
                <div className="w-36 shrink-0">
                  <Input
                    aria-label="Environment"
                    aria-invalid={!!errors[`env-${r.key}`]}
                    value={r.environment}
                    disabled={r.stored || r.removed}
                    list="known-environments"
                    placeholder="staging"
                    className="font-mono"
                    data-testid="variable-env"
                    onChange={(e) => setRow(r.key, { environment: e.target.value })}
                  />
                  {errors[`env-${r.key}`] && <p className="mt-1 text-xs text-destructive">{errors[`env-${r.key}`]}</p>}
                </div>
                <Input
                  aria-label={`Value in ${r.environment || 'this environment'}`}
                  value={r.value}
                  disabled={r.removed}
                  type={secret ? 'password' : 'text'}
                  autoComplete="off"
                  placeholder={r.removed ? 'Removed on save' : r.stored && storedSecret ? secretPlaceholder(r.hint) : 'Value'}
                  className="flex-1"
                  data-testid="variable-value"
                  onChange={(e) => setRow(r.key, { value: e.target.value })}
                />
                <Button
                  variant="ghost"
                  size="icon-sm"
                  aria-label={r.removed ? `Keep the value in ${r.environment}` : `Remove the value in ${r.environment || 'this environment'}`}
                  aria-pressed={r.removed}
                  onClick={() => (r.stored ? setRow(r.key, { removed: !r.removed }) : setRows((rs) => rs.filter((x) => x.key !== r.key)))}
                >
                  <Trash2 />
                </Button>
              </div>
            ))}
            <datalist id="known-environments">
              {environments.map((e) => (
                <option key={e} value={e} />
              ))}
            </datalist>
            <Button variant="outline" size="sm" className="w-fit" data-testid="variable-add-env" onClick={() => setRows((rs) => [...rs, { key: nextKey++, environment: '', value: '', stored: false, hint: null, removed: false }])}>
              <Plus /> Add environment
            </Button>
          </fieldset>

          <Field id="variable-default" label="Default value" description="Used in an environment without its own value.">
            {(aria) => (
              <div className="flex items-center gap-2">
                <Input
                  {...aria}
                  value={defaultValue}
                  disabled={defaultRemoved}
                  type={secret ? 'password' : 'text'}
                  autoComplete="off"
                  className="flex-1"
                  placeholder={defaultRemoved ? 'Removed on save' : storedSecret && variable?.defaultValue ? secretPlaceholder(variable.defaultValue.hint) : 'None'}
                  onChange={(e) => setDefaultValue(e.target.value)}
                />
                {variable?.defaultValue && (
                  <Button variant="ghost" size="icon-sm" aria-label={defaultRemoved ? 'Keep the default value' : 'Remove the default value'} aria-pressed={defaultRemoved} onClick={() => setDefaultRemoved((x) => !x)}>
                    <Trash2 />
                  </Button>
                )}
              </div>
            )}
          </Field>

          <InlineError error={mutation.error} />
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={mutation.isPending} data-testid="variable-save">
              {mutation.isPending ? 'Saving…' : variable ? 'Save' : 'Create variable'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
