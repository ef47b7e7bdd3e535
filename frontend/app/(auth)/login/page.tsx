import type { Metadata } from 'next';
import { RedirectIfSignedIn } from '@/components/auth/guards';
import { LoginForm } from '@/components/auth/login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default function LoginPage() {
  return (
    <>
      <RedirectIfSignedIn />
      <LoginForm />
    </>
  );
}
