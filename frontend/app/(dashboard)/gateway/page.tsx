import { Suspense } from 'react';
import type { Metadata } from 'next';
import { GatewayPage } from '@/components/gateway/gateway-page';
import { GatewaySkeleton } from '@/components/gateway/gateway-skeleton';

export const metadata: Metadata = { title: 'Gateway' };

export default function Page() {
  // The tab lives in the URL (useSearchParams), which needs a Suspense boundary.
  return (
    <Suspense fallback={<GatewaySkeleton />}>
      <GatewayPage />
    </Suspense>
  );
}
