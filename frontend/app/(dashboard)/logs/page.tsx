import { Suspense } from 'react';
import type { Metadata } from 'next';
import { LogsPage } from '@/components/logs/logs-page';
import { ListSkeleton } from '@/components/common/states';

export const metadata: Metadata = { title: 'Logs' };

export default function Page() {
  // The filters live in the URL (useSearchParams), which needs a Suspense boundary.
  return (
    <Suspense fallback={<ListSkeleton rows={6} />}>
      <LogsPage />
    </Suspense>
  );
}
