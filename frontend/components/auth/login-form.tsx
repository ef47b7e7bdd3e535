'use client';
import * as React from 'react';
import Link from 'next/link';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { Info, KeyRound } from 'lucide-react';
import { useLogin } from '@/lib/api/auth';
import { ssoModeOf, ssoStartUrl } from '@/lib/api/sso';
import { useAuth } from '@/lib/auth/auth-provider';
import { takeNotice } from '@/lib/auth/session-store';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { InlineError } from '@/components/common/states';
import { DevLoginButton } from './dev-login-button';

const schema = z.object({
  email: z.email('Enter a valid email address'),
  password: z.string().min(1, 'Enter your password'),
});
type Values = z.infer<typeof schema>;

export function LoginForm() {
  const { signIn } = useAuth();
  const login = useLogin();
  const [notice, setNotice] = React.useState<string | null>(null);
  React.useEffect(() => setNotice(takeNotice()), []);
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { email: '', password: '' } });
  const { errors } = form.formState;
  const sso = useSsoSignIn(form);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Sign in</CardTitle>
        <CardDescription>Welcome back. Sign in to build and watch your workflows.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {notice && (
          <p role="status" className="flex items-start gap-2 rounded-md border bg-accent px-3 py-2 text-sm text-accent-foreground">
            <Info className="mt-0.5 size-4 shrink-0" aria-hidden /> {notice}
          </p>
        )}
        {sso.error && (
          <p role="alert" className="rounded-md border border-destructive/30 bg-destructive/5 px-3 py-2 text-sm text-destructive" data-testid="sso-error">
            {sso.error}
          </p>
        )}
        <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit((v) => login.mutate(v, { onSuccess: signIn }))}>
          <Field id="email" label="Email" error={errors.email?.message}>
            {(aria) => <Input type="email" autoComplete="email" data-testid="login-email" {...aria} {...form.register('email', { onBlur: sso.onEmailBlur })} />}
          </Field>
          {sso.mode === 'required' ? (
            <p className="text-sm text-muted-foreground" data-testid="sso-required">
              Your workspace signs in with single sign-on.
            </p>
          ) : (
            <>
              <Field id="password" label="Password" error={errors.password?.message}>
                {(aria) => <Input type="password" autoComplete="current-password" data-testid="login-password" {...aria} {...form.register('password')} />}
              </Field>
              <InlineError error={login.error} />
              <Button type="submit" disabled={login.isPending} data-testid="login-submit">
                {login.isPending ? 'Signing in…' : 'Sign in'}
              </Button>
            </>
          )}
        </form>
        <Button variant={sso.mode === 'required' ? 'default' : 'outline'} onClick={sso.start} disabled={sso.starting} data-testid="sso-login">
          <KeyRound /> {sso.starting ? 'Opening your identity provider…' : 'Sign in with SSO'}
        </Button>
        <DevLoginButton />
        <p className="text-center text-sm text-muted-foreground">
          No account yet?{' '}
          <Link href="/register" className="font-medium text-primary underline-offset-4 hover:underline">
            Create one
          </Link>
        </p>
      </CardContent>
    </Card>
  );
}

/**
 * The SSO path of the login page: the email typed above decides the workspace's identity provider
 * (`GET /auth/options?email=`); "Sign in with SSO" sends the browser to the api's start, which sends
 * it to the provider and, once signed in, to /login/sso. An SSO error comes back as `?sso_error=`.
 */
function useSsoSignIn(form: ReturnType<typeof useForm<Values>>) {
  const [mode, setMode] = React.useState<'none' | 'available' | 'required' | undefined>();
  const [error, setError] = React.useState<string | null>(null);
  const [starting, setStarting] = React.useState(false);

  React.useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    const message = params.get('sso_error');
    if (message) {
      setError(message);
      window.history.replaceState(null, '', window.location.pathname);
    }
  }, []);

  const lookUp = React.useCallback(async (email: string) => {
    const options = await ssoModeOf(email);
    const next = options.sso ?? 'none';
    setMode(next);
    return next;
  }, []);

  const onEmailBlur = React.useCallback(() => {
    const email = form.getValues('email').trim();
    if (!z.email().safeParse(email).success) return;
    lookUp(email).catch(() => undefined);
  }, [form, lookUp]);

  const start = React.useCallback(async () => {
    setError(null);
    if (!(await form.trigger('email'))) return;
    const email = form.getValues('email').trim();
    setStarting(true);
    try {
      if ((await lookUp(email)) === 'none') {
        setError(`No single sign-on is set up for ${email.slice(email.lastIndexOf('@') + 1)}; sign in with your password.`);
        setStarting(false);
        return;
      }
      window.location.assign(ssoStartUrl(email));
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not start single sign-on');
      setStarting(false);
    }
  }, [form, lookUp]);

  return { mode, error, starting, onEmailBlur, start };
}
