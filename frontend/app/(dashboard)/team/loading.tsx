import { Skeleton } from '@/components/ui/skeleton';
import { ListSkeleton } from '@/components/common/states';

export default function Loading() {
  return (
    <div className="flex flex-col gap-6">
      <Skeleton className="h-8 w-48" />
      <div className="grid gap-4 lg:grid-cols-5">
        <ListSkeleton rows={4} className="lg:col-span-3" />
        <ListSkeleton rows={2} className="lg:col-span-2" />
      </div>
    </div>
  );
}
