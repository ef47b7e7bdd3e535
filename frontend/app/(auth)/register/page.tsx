import type { Metadata } from 'next';
import { RedirectIfSignedIn } from '@/components/auth/guards';
import { RegisterForm } from '@/components/auth/register-form';

export const metadata: Metadata = { title: 'Create account' };

export default function RegisterPage() {
  return (
    <>
      <RedirectIfSignedIn />
      <RegisterForm />
    </>
  );
}
