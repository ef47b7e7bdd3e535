'use client';
import * as React from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useCreateConsumer } from '@/lib/api/consumers';
import { ApiError } from '@/lib/api/client';
import type { ApiConsumerWithKey } from '@/lib/api/types';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { InlineError } from '@/components/common/states';
import { KONG_NAME_PATTERN } from '@tributary/contracts/patterns';

// The api's rules (Kong names, from the contracts), checked here first for a quicker answer.
const kongName = KONG_NAME_PATTERN;
const schema = z.object({
  username: z.string().trim().regex(kongName, 'Letters, digits and . _ ~ - only (at most 64)'),
  plan: z.string().trim().regex(/^[A-Za-z0-9_-]{0,32}$/, 'Letters, digits, _ and - only (at most 32)'),
  groups: z
    .string()
    .refine((s) => s.split(/[\s,]+/).filter(Boolean).every((g) => kongName.test(g)), 'Group names: letters, digits and . _ ~ - only')
    .refine((s) => s.split(/[\s,]+/).filter(Boolean).length <= 20, 'At most 20 groups'),
});
type Values = z.infer<typeof schema>;
const PLANS = ['free', 'pro', 'enterprise'];

export function ConsumerDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange(open: boolean): void; onCreated(result: ApiConsumerWithKey): void }) {
  const create = useCreateConsumer();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { username: '', plan: 'free', groups: '' } });
  const { errors } = form.formState;

  React.useEffect(() => {
    if (open) {
      form.reset({ username: '', plan: 'free', groups: '' });
      create.reset();
    }
    // Reset only when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  function onSubmit(v: Values) {
    const groups = v.groups.split(/[\s,]+/).filter(Boolean);
    create.mutate(
      { username: v.username, plan: v.plan || undefined, groups },
      {
        onSuccess: (result) => {
          onOpenChange(false);
          onCreated(result);
        },
        onError: (err) => {
          if (!(err instanceof ApiError)) return;
          for (const d of err.details) {
            const f = (['username', 'plan', 'groups'] as const).find((x) => d.path === x || d.path.startsWith(`${x}.`));
            if (f) form.setError(f, { message: d.message });
          }
        },
      },
    );
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="consumer-dialog">
        <DialogHeader>
          <DialogTitle>New API consumer</DialogTitle>
          <DialogDescription>A client of your Kong routes. It gets an API key, shown once when you create it.</DialogDescription>
        </DialogHeader>
        <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit(onSubmit)}>
          <Field id="consumer-username" label="Name" required description="Letters, digits and . _ ~ -, e.g. acme-orders." error={errors.username?.message}>
            {(aria) => <Input autoComplete="off" data-testid="consumer-username" {...aria} {...form.register('username')} />}
          </Field>
          <Field id="consumer-plan" label="Plan" description="A label for your own metering and Kong tags (free, pro, …)." error={errors.plan?.message}>
            {(aria) => (
              <>
                <Input list="consumer-plans" autoComplete="off" data-testid="consumer-plan" {...aria} {...form.register('plan')} />
                <datalist id="consumer-plans">
                  {PLANS.map((p) => (
                    <option key={p} value={p} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field
            id="consumer-groups"
            label="ACL groups"
            description="Separated by commas. Federated security routes admit consumers of their allowed groups (wf-<workflow id> by default)."
            error={errors.groups?.message}
          >
            {(aria) => <Input autoComplete="off" placeholder="partners, wf-…" data-testid="consumer-groups" {...aria} {...form.register('groups')} />}
          </Field>
          <InlineError error={create.error} />
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending} data-testid="consumer-save">
              {create.isPending ? 'Creating…' : 'Create consumer'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
