'use client';
import * as React from 'react';
import { useForm } from 'react-hook-form';
import { Lock } from 'lucide-react';
import { useCreateCredential } from '@/lib/api/credentials';
import { ApiError } from '@/lib/api/client';
import type { Connector, Credential } from '@/lib/api/types';
import { isSecretField, schemaFields, type SchemaField } from '@/lib/json-schema';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { Textarea } from '@/components/ui/textarea';
import { InlineError } from '@/components/common/states';
import { SecretInput } from '@/components/common/secret-input';

interface Values {
  connector: string;
  name: string;
  data: Record<string, string | boolean>;
  raw: string;
}

export function CredentialDialog({
  connectors,
  connector: fixedConnector,
  open,
  onOpenChange,
  onCreated,
}: {
  connectors: Connector[];
  /** Pin the connector (adding from a workflow step). */
  connector?: string;
  open: boolean;
  onOpenChange(open: boolean): void;
  onCreated?(credential: Credential): void;
}) {
  const withCredentials = connectors.filter((c) => c.credentials);
  const create = useCreateCredential();
  const form = useForm<Values>({ defaultValues: { connector: fixedConnector ?? withCredentials[0]?.key ?? '', name: '', data: {}, raw: '{}' } });
  const connectorKey = form.watch('connector');
  const connector = withCredentials.find((c) => c.key === connectorKey);
  const fields = schemaFields(connector?.credentials);
  const opaque = !!connector && fields.length === 0;
  const { errors } = form.formState;

  React.useEffect(() => {
    if (open) {
      form.reset({ connector: fixedConnector ?? withCredentials[0]?.key ?? '', name: '', data: {}, raw: '{}' });
      create.reset();
    }
    // Reset only when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  function onSubmit(v: Values) {
    let data: Record<string, unknown>;
    if (opaque) {
      try {
        data = JSON.parse(v.raw) as Record<string, unknown>;
      } catch {
        form.setError('raw', { message: 'Not valid JSON' });
        return;
      }
    } else {
      data = {};
      for (const f of fields) {
        const val = v.data[f.name];
        if (f.kind === 'boolean') data[f.name] = val === true;
        else if (typeof val === 'string' && val !== '') data[f.name] = f.kind === 'number' && Number.isFinite(Number(val)) ? Number(val) : val;
        else if (f.required) {
          form.setError(`data.${f.name}`, { message: `${f.label} is required` });
          return;
        }
      }
    }
    create.mutate(
      { connector: v.connector, name: v.name.trim() || connector?.name || v.connector, data },
      {
        onSuccess: (cred) => {
          onCreated?.(cred);
          onOpenChange(false);
        },
        onError: (err) => {
          if (!(err instanceof ApiError)) return;
          for (const d of err.details) {
            if (d.path === 'name') form.setError('name', { message: d.message });
            else if (d.path.startsWith('data.') && !opaque) form.setError(`data.${d.path.slice(5)}`, { message: d.message });
          }
        },
      },
    );
  }

  function renderField(f: SchemaField) {
    const err = errors.data?.[f.name]?.message;
    const id = `credential-field-${f.name}`;
    return (
      <Field key={f.name} id={id} label={f.label} description={f.description} required={f.required} error={err}>
        {(aria) =>
          f.kind === 'boolean' ? (
            <input type="checkbox" className="size-4 accent-primary" data-testid={id} {...aria} {...form.register(`data.${f.name}`)} />
          ) : f.kind === 'enum' ? (
            <NativeSelect data-testid={id} {...aria} {...form.register(`data.${f.name}`)}>
              {f.options?.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </NativeSelect>
          ) : isSecretField(f) ? (
            <SecretInput data-testid={id} {...aria} {...form.register(`data.${f.name}`)} />
          ) : (
            <Input data-testid={id} type={f.kind === 'number' ? 'number' : f.format === 'uri' ? 'url' : 'text'} autoComplete="off" {...aria} {...form.register(`data.${f.name}`)} />
          )
        }
      </Field>
    );
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="credential-dialog">
        <DialogHeader>
          <DialogTitle>New connection</DialogTitle>
          <DialogDescription>
            Secrets are encrypted by the api and never shown again; only a masked hint is kept for you to recognise them.
          </DialogDescription>
        </DialogHeader>
        {withCredentials.length === 0 ? (
          <p className="text-sm text-muted-foreground">No connector needs credentials.</p>
        ) : (
          <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit(onSubmit)}>
            <Field id="credential-connector" label="Service" required>
              {(aria) => (
                <NativeSelect data-testid="credential-connector" disabled={!!fixedConnector} {...aria} {...form.register('connector', { onChange: () => form.setValue('data', {}) })}>
                  {withCredentials.map((c) => (
                    <option key={c.key} value={c.key}>
                      {c.name}
                    </option>
                  ))}
                </NativeSelect>
              )}
            </Field>
            <Field id="credential-name" label="Name" description="How this connection is shown in pickers, e.g. “Team Slack”." error={errors.name?.message}>
              {(aria) => <Input data-testid="credential-name" placeholder={connector?.name} autoComplete="off" {...aria} {...form.register('name')} />}
            </Field>
            <fieldset className="flex flex-col gap-4 rounded-lg border bg-muted/30 p-4">
              <legend className="flex items-center gap-1.5 px-1 text-xs font-medium text-muted-foreground">
                <Lock className="size-3" aria-hidden /> Write-only fields
              </legend>
              {opaque ? (
                <Field id="credential-raw" label="Credential JSON" error={errors.raw?.message}>
                  {(aria) => <Textarea rows={5} className="font-mono text-xs" data-testid="credential-raw" {...aria} {...form.register('raw')} />}
                </Field>
              ) : (
                fields.map(renderField)
              )}
            </fieldset>
            <InlineError error={create.error} />
            <DialogFooter>
              <Button variant="outline" onClick={() => onOpenChange(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={create.isPending} data-testid="credential-save">
                {create.isPending ? 'Saving…' : 'Save connection'}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
