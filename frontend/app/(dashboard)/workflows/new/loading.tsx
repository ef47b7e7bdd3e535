import { BuilderSkeleton } from '@/components/workflows/builder/builder-skeleton';

export default function Loading() {
  return <BuilderSkeleton />;
}
