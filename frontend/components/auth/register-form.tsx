'use client';
import Link from 'next/link';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useRegister } from '@/lib/api/auth';
import { ApiError } from '@/lib/api/client';
import { useAuth } from '@/lib/auth/auth-provider';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { InlineError } from '@/components/common/states';

const schema = z.object({
  name: z.string().trim().max(100).optional(),
  organization: z.string().trim().max(100).optional(),
  email: z.email('Enter a valid email address'),
  password: z.string().min(8, 'Use at least 8 characters'),
});
type Values = z.infer<typeof schema>;
const fields = ['name', 'organization', 'email', 'password'] as const;

export function RegisterForm() {
  const { signIn } = useAuth();
  const register = useRegister();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { name: '', organization: '', email: '', password: '' } });
  const { errors } = form.formState;

  function onSubmit(v: Values) {
    register.mutate(
      { email: v.email, password: v.password, name: v.name || undefined, organization: v.organization || undefined },
      {
        onSuccess: signIn,
        onError: (err) => {
          if (err instanceof ApiError) {
            for (const d of err.details) {
              const f = fields.find((x) => x === d.path);
              if (f) form.setError(f, { message: d.message });
            }
          }
        },
      },
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Create your account</CardTitle>
        <CardDescription>You will be the admin of a new organisation.</CardDescription>
      </CardHeader>
      <CardContent>
        <form noValidate className="flex flex-col gap-4" onSubmit={form.handleSubmit(onSubmit)}>
          <Field id="name" label="Your name" error={errors.name?.message}>
            {(aria) => <Input autoComplete="name" {...aria} {...form.register('name')} />}
          </Field>
          <Field id="organization" label="Organisation" error={errors.organization?.message}>
            {(aria) => <Input autoComplete="organization" {...aria} {...form.register('organization')} />}
          </Field>
          <Field id="email" label="Email" required error={errors.email?.message}>
            {(aria) => <Input type="email" autoComplete="email" {...aria} {...form.register('email')} />}
          </Field>
          <Field id="password" label="Password" required description="At least 8 characters." error={errors.password?.message}>
            {(aria) => <Input type="password" autoComplete="new-password" {...aria} {...form.register('password')} />}
          </Field>
          <InlineError error={register.error && !(register.error instanceof ApiError && register.error.details.length) ? register.error : null} />
          <Button type="submit" disabled={register.isPending}>
            {register.isPending ? 'Creating account…' : 'Create account'}
          </Button>
          <p className="text-center text-sm text-muted-foreground">
            Already have an account?{' '}
            <Link href="/login" className="font-medium text-primary underline-offset-4 hover:underline">
              Sign in
            </Link>
          </p>
        </form>
      </CardContent>
    </Card>
  );
}
