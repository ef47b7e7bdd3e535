import { Skeleton } from '@/components/ui/skeleton';
import { ListSkeleton } from '@/components/common/states';

export default function Loading() {
  return (
    <div className="flex flex-col gap-6">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-24" />
      <ListSkeleton rows={8} />
    </div>
  );
}
