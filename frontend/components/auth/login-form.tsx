'use client';
import * as React from 'react';
import Link from 'next/link';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { Info } from 'lucide-react';
import { useLogin } from '@/lib/api/auth';
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
        <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit((v) => login.mutate(v, { onSuccess: signIn }))}>
          <Field id="email" label="Email" error={errors.email?.message}>
            {(aria) => <Input type="email" autoComplete="email" data-testid="login-email" {...aria} {...form.register('email')} />}
          </Field>
          <Field id="password" label="Password" error={errors.password?.message}>
            {(aria) => <Input type="password" autoComplete="current-password" data-testid="login-password" {...aria} {...form.register('password')} />}
          </Field>
          <InlineError error={login.error} />
          <Button type="submit" disabled={login.isPending} data-testid="login-submit">
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
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
