import type { Metadata } from 'next';
import { SsoLanding } from '@/components/auth/sso-landing';

export const metadata: Metadata = { title: 'Signing in' };

export default function SsoLandingPage() {
  return <SsoLanding />;
}
