'use client';
import * as React from 'react';
import { usePathname, useRouter } from 'next/navigation';
import { useAuth } from '@/lib/auth/auth-provider';
import { useMe } from '@/lib/api/auth';
import { Skeleton } from '@/components/ui/skeleton';

/** Client-side guard for the dashboard: anonymous visitors go to /login?next=<here>. */
export function RequireAuth({ children }: { children: React.ReactNode }) {
  const { state, signIn } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  // Checks the token with the api once; a 401 there signs out (see api client).
  const me = useMe(state.status === 'authenticated');

  // The api applies a role change at once; the stored session learns it here, so the pages that
  // read the role (Gateway, Team) match what the api allows.
  const session = state.session;
  const fresh = me.data?.user;
  React.useEffect(() => {
    if (!session || !fresh || fresh.id !== session.user.id) return;
    const u = session.user;
    if (fresh.role !== u.role || fresh.name !== u.name || fresh.email !== u.email || fresh.tenantName !== u.tenantName) signIn({ token: session.token, user: fresh });
  }, [session, fresh, signIn]);

  React.useEffect(() => {
    if (state.status === 'anonymous') {
      const next = pathname && pathname !== '/' ? `?next=${encodeURIComponent(pathname)}` : '';
      router.replace(`/login${next}`);
    }
  }, [state.status, pathname, router]);

  if (state.status !== 'authenticated') {
    return (
      <div className="flex min-h-dvh" aria-busy="true" aria-label="Loading">
        <div className="hidden w-60 bg-sidebar md:block" />
        <div className="flex-1 space-y-4 p-8">
          <Skeleton className="h-8 w-48" />
          <Skeleton className="h-32 w-full" />
        </div>
      </div>
    );
  }
  return <>{children}</>;
}

export function RedirectIfSignedIn() {
  const { state } = useAuth();
  const router = useRouter();
  React.useEffect(() => {
    if (state.status === 'authenticated') {
      const next = new URLSearchParams(window.location.search).get('next');
      router.replace(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
    }
  }, [state.status, router]);
  return null;
}
