'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useAcceptInvitation } from '@/lib/api/auth';
import { ApiError } from '@/lib/api/client';
import { useAuth } from '@/lib/auth/auth-provider';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { InlineError } from '@/components/common/states';

const schema = z
  .object({
    name: z.string().trim().max(200),
    password: z.string().min(8, 'Use at least 8 characters'),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The passwords do not match' });
type Values = z.infer<typeof schema>;

/** Joins a workspace from an invitation link: choose a password, then the session starts like after registering. */
export function AcceptInvitationForm() {
  const token = useSearchParams().get('token') ?? '';
  const { state, signIn, signOut } = useAuth();
  const router = useRouter();
  const accept = useAcceptInvitation();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { name: '', password: '', confirm: '' } });
  const { errors } = form.formState;

  function onSubmit(v: Values) {
    accept.mutate(
      { token, password: v.password, name: v.name || undefined },
      {
        onSuccess: (session) => {
          signIn(session);
          router.replace('/');
        },
        onError: (err) => {
          if (!(err instanceof ApiError)) return;
          for (const d of err.details) if (d.path === 'password' || d.path === 'name') form.setError(d.path, { message: d.message });
        },
      },
    );
  }

  if (!token) {
    return (
      <Card>
        <CardHeader>
          <CardTitle>This invitation link is incomplete</CardTitle>
          <CardDescription>It has no token. Open the whole link you were sent, or ask your admin for a new one.</CardDescription>
        </CardHeader>
        <CardContent>
          <Button variant="outline" asChild className="w-full">
            <Link href="/login">Go to sign in</Link>
          </Button>
        </CardContent>
      </Card>
    );
  }

  // Someone else's session in this browser would be replaced: say so rather than silently switching.
  if (state.status === 'authenticated' && !accept.isSuccess) {
    return (
      <Card data-testid="accept-signed-in">
        <CardHeader>
          <CardTitle>You are signed in</CardTitle>
          <CardDescription>
            This browser is signed in as {state.session.user.email}. Sign out to accept the invitation as a new member, or go back to the dashboard.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-2">
          <Button onClick={() => signOut()} data-testid="accept-sign-out">
            Sign out and continue
          </Button>
          <Button variant="outline" asChild>
            <Link href="/">Back to the dashboard</Link>
          </Button>
        </CardContent>
      </Card>
    );
  }

  // 404: no such invitation; 409: expired, revoked or already used.
  const unusable = accept.error instanceof ApiError && (accept.error.status === 404 || accept.error.status === 409);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Join your team</CardTitle>
        <CardDescription>You were invited to a Tributary workspace. Choose a password to finish; you sign in with it and your email from now on.</CardDescription>
      </CardHeader>
      <CardContent>
        <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit(onSubmit)} data-testid="accept-invitation-form">
          <Field id="name" label="Your name" error={errors.name?.message}>
            {(aria) => <Input autoComplete="name" data-testid="accept-name" {...aria} {...form.register('name')} />}
          </Field>
          <Field id="password" label="Password" required description="At least 8 characters." error={errors.password?.message}>
            {(aria) => <Input type="password" autoComplete="new-password" data-testid="accept-password" {...aria} {...form.register('password')} />}
          </Field>
          <Field id="confirm" label="Repeat the password" required error={errors.confirm?.message}>
            {(aria) => <Input type="password" autoComplete="new-password" data-testid="accept-confirm" {...aria} {...form.register('confirm')} />}
          </Field>
          <InlineError error={accept.error && !(accept.error instanceof ApiError && accept.error.details.some((d) => d.path === 'password' || d.path === 'name')) ? accept.error : null} />
          {unusable && <p className="text-sm text-muted-foreground">A link works once, for 7 days. If you already joined, sign in; otherwise ask your admin for a new link.</p>}
          <Button type="submit" disabled={accept.isPending || accept.isSuccess} data-testid="accept-submit">
            {accept.isPending || accept.isSuccess ? 'Joining…' : 'Join and sign in'}
          </Button>
          <p className="text-center text-sm text-muted-foreground">
            Already a member?{' '}
            <Link href="/login" className="font-medium text-primary underline-offset-4 hover:underline">
              Sign in
            </Link>
          </p>
        </form>
      </CardContent>
    </Card>
  );
}
