'use client';
import * as React from 'react';
import { useRouter } from 'next/navigation';
import type { User } from '@/lib/api/types';
import { useAuth } from '@/lib/auth/auth-provider';
import { env } from '@/lib/env';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { InlineError } from '@/components/common/states';

/**
 * Where the api sends the browser after an SSO sign-in: the token arrives in the fragment (never
 * sent to a server); it is stored as a normal login's session, and the fragment wiped from history.
 */
export function SsoLanding() {
  const { signIn } = useAuth();
  const router = useRouter();
  const [error, setError] = React.useState<unknown>(null);
  const started = React.useRef(false);

  React.useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
    window.history.replaceState(null, '', window.location.pathname);
    if (!token) {
      router.replace(`/login?sso_error=${encodeURIComponent('The sign-in did not complete; start again')}`);
      return;
    }
    const ctrl = new AbortController();
    fetchMe(token, ctrl.signal)
      .then((user) => {
        signIn({ token, user });
        router.replace('/');
      })
      .catch((err: unknown) => setError(err));
  }, [router, signIn]);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Signing in…</CardTitle>
        <CardDescription>Single sign-on succeeded; opening your workspace.</CardDescription>
      </CardHeader>
      <CardContent>
        <InlineError error={error} />
      </CardContent>
    </Card>
  );
}

/** `GET /auth/me` with the new token (not stored yet). */
async function fetchMe(token: string, signal: AbortSignal): Promise<User> {
  // Not through the api client: it sends the stored session's token, and this one is stored only once known good.
  const res = await fetch(`${env.apiUrl}/api/auth/me`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `Signing in failed (${res.status})`);
  }
  return ((await res.json()) as { user: User }).user;
}
