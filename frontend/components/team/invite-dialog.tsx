'use client';
import * as React from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useInvite } from '@/lib/api/team';
import { ApiError } from '@/lib/api/client';
import type { CreatedInvitation } from '@/lib/api/types';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { InlineError } from '@/components/common/states';
import { ROLES, roleSummary } from './roles';

const schema = z.object({
  email: z.email('Enter a valid email address'),
  role: z.enum(['admin', 'editor', 'viewer']),
});
type Values = z.infer<typeof schema>;

export function InviteDialog({ open, onOpenChange, onInvited }: { open: boolean; onOpenChange(open: boolean): void; onInvited(invitation: CreatedInvitation): void }) {
  const invite = useInvite();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { email: '', role: 'editor' } });
  const { errors } = form.formState;
  const role = form.watch('role');

  React.useEffect(() => {
    if (open) {
      form.reset({ email: '', role: 'editor' });
      invite.reset();
    }
    // Reset only when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  function onSubmit(v: Values) {
    invite.mutate(v, {
      onSuccess: (invitation) => {
        onOpenChange(false);
        onInvited(invitation);
      },
      onError: (err) => {
        if (!(err instanceof ApiError)) return;
        for (const d of err.details) if (d.path === 'email' || d.path === 'role') form.setError(d.path, { message: d.message });
      },
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="invite-dialog">
        <DialogHeader>
          <DialogTitle>Invite a teammate</DialogTitle>
          <DialogDescription>You get a link to send them; they choose a password and join this workspace with the role you pick.</DialogDescription>
        </DialogHeader>
        <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit(onSubmit)}>
          <Field id="invite-email" label="Email" required error={errors.email?.message}>
            {(aria) => <Input type="email" autoComplete="off" data-testid="invite-email" {...aria} {...form.register('email')} />}
          </Field>
          <Field id="invite-role" label="Role" required description={roleSummary[role]} error={errors.role?.message}>
            {(aria) => (
              <NativeSelect data-testid="invite-role" {...aria} {...form.register('role')}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          <InlineError error={invite.error} />
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={invite.isPending} data-testid="invite-save">
              {invite.isPending ? 'Inviting…' : 'Create invitation'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
