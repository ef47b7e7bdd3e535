import { Suspense } from 'react';
import type { Metadata } from 'next';
import { AcceptInvitationForm } from '@/components/auth/accept-invitation-form';
import { Skeleton } from '@/components/ui/skeleton';

export const metadata: Metadata = { title: 'Join your team' };

export default function AcceptInvitationPage() {
  // The token is read from the URL (useSearchParams), which needs a Suspense boundary.
  return (
    <Suspense fallback={<Skeleton className="h-80 w-full rounded-xl" />}>
      <AcceptInvitationForm />
    </Suspense>
  );
}
