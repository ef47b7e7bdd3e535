import { Skeleton } from '@/components/ui/skeleton';
import { ListSkeleton } from '@/components/common/states';

export function GatewaySkeleton() {
  return (
    <div className="flex flex-col gap-6" aria-busy="true" aria-label="Loading">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-9 w-96 max-w-full" />
      <div className="grid gap-4 lg:grid-cols-5">
        <Skeleton className="h-96 lg:col-span-2" />
        <ListSkeleton rows={4} className="lg:col-span-3" />
      </div>
    </div>
  );
}
