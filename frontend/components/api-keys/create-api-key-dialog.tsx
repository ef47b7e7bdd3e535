'use client';
import * as React from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { expiryFrom, useCreateApiKey, type CreatedApiKey } from '@/lib/api/api-keys';
import { ApiError } from '@/lib/api/client';
import type { Role } from '@/lib/api/types';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { InlineError } from '@/components/common/states';
import { scopeSummary, scopesFor } from './scopes';

const EXPIRIES = [
  { value: 'never', label: 'Never' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: 'date', label: 'On a date…' },
] as const;

/** Tomorrow as YYYY-MM-DD (local): the earliest date an expiry may be picked for. */
function tomorrow(): string {
  const d = new Date(Date.now() + 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const schema = z
  .object({
    name: z.string().trim().min(1, 'Give the key a name').max(100, 'At most 100 characters'),
    kind: z.enum(['personal', 'service']),
    scope: z.enum(['read', 'write', 'admin']),
    expiry: z.enum(['never', '30', '90', 'date']),
    date: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.expiry !== 'date') return;
    if (!v.date) ctx.addIssue({ code: 'custom', path: ['date'], message: 'Pick the day the key stops working' });
    else if (v.date < tomorrow()) ctx.addIssue({ code: 'custom', path: ['date'], message: 'Pick a day after today' });
  });
type Values = z.infer<typeof schema>;

const DEFAULTS: Values = { name: '', kind: 'personal', scope: 'read', expiry: '90', date: '' };

export function CreateApiKeyDialog({ open, onOpenChange, role, onCreated }: { open: boolean; onOpenChange(open: boolean): void; role: Role | undefined; onCreated(key: CreatedApiKey): void }) {
  const create = useCreateApiKey();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: DEFAULTS });
  const { errors } = form.formState;
  const [kind, scope, expiry] = form.watch(['kind', 'scope', 'expiry']);
  const isAdmin = role === 'admin';
  // A service key is the workspace's, so it may have any scope; a personal one up to the member's role.
  const scopes = kind === 'service' ? scopesFor('admin') : scopesFor(role);

  React.useEffect(() => {
    if (open) {
      form.reset(DEFAULTS);
      create.reset();
    }
    // Reset only when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  function onSubmit(v: Values) {
    create.mutate(
      { name: v.name, kind: v.kind, scope: v.scope, expiresAt: expiryFrom(v.expiry, v.date) },
      {
        onSuccess: (key) => {
          onOpenChange(false);
          onCreated(key);
        },
        onError: (err) => {
          if (!(err instanceof ApiError)) return;
          for (const d of err.details) {
            if (d.path === 'name' || d.path === 'scope' || d.path === 'kind') form.setError(d.path, { message: d.message });
            if (d.path === 'expiresAt') form.setError(expiry === 'date' ? 'date' : 'expiry', { message: `Expiry ${d.message}` });
          }
        },
      },
    );
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="api-key-create-dialog">
        <DialogHeader>
          <DialogTitle>Create an API key</DialogTitle>
          <DialogDescription>
            For scripts, CI and the CLI: send it as <code className="font-mono text-xs">Authorization: Bearer trb_…</code>. You see the key once, right after creating it.
          </DialogDescription>
        </DialogHeader>
        <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit(onSubmit)}>
          <Field id="api-key-name" label="Name" required description="What uses it, e.g. “GitHub Actions deploys”." error={errors.name?.message}>
            {(aria) => <Input autoComplete="off" maxLength={100} data-testid="api-key-name" {...aria} {...form.register('name')} />}
          </Field>
          {isAdmin && (
            <fieldset className="flex flex-col gap-1.5">
              <legend className="mb-1.5 text-sm font-medium">Kind</legend>
              <div className="grid gap-2 sm:grid-cols-2">
                {(['personal', 'service'] as const).map((k) => (
                  <label
                    key={k}
                    className="flex cursor-pointer items-start gap-2 rounded-lg border p-3 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/5 has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/50"
                  >
                    <input type="radio" value={k} className="mt-0.5 accent-primary" data-testid={`api-key-kind-${k}`} {...form.register('kind')} />
                    <span className="min-w-0">
                      <span className="block font-medium">{k === 'personal' ? 'Personal' : 'Service'}</span>
                      <span className="block text-xs text-muted-foreground">
                        {k === 'personal' ? 'Acts as you, never beyond your role; stops working if you leave.' : 'Belongs to the workspace, not to a person: for shared automation.'}
                      </span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          <Field id="api-key-scope" label="Scope" required description={scopeSummary[scope]} error={errors.scope?.message}>
            {(aria) => (
              <NativeSelect data-testid="api-key-scope" {...aria} {...form.register('scope')}>
                {scopes.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="api-key-expiry" label="Expires" error={errors.expiry?.message}>
              {(aria) => (
                <NativeSelect data-testid="api-key-expiry" {...aria} {...form.register('expiry')}>
                  {EXPIRIES.map((e) => (
                    <option key={e.value} value={e.value}>
                      {e.label}
                    </option>
                  ))}
                </NativeSelect>
              )}
            </Field>
            {expiry === 'date' && (
              <Field id="api-key-date" label="Expiry date" required description="The key stops working at the end of that day." error={errors.date?.message}>
                {(aria) => <Input type="date" min={tomorrow()} data-testid="api-key-date" {...aria} {...form.register('date')} />}
              </Field>
            )}
          </div>
          <InlineError error={create.error} />
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending} data-testid="api-key-save">
              {create.isPending ? 'Creating…' : 'Create key'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
