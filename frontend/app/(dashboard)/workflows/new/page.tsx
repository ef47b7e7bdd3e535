'use client';
import { useConnectors } from '@/lib/api/connectors';
import { ErrorState } from '@/components/common/states';
import { BuilderSkeleton } from '@/components/workflows/builder/builder-skeleton';
import { WorkflowBuilder } from '@/components/workflows/builder/workflow-builder';

export default function NewWorkflowPage() {
  const connectors = useConnectors();
  if (connectors.isLoading) return <BuilderSkeleton />;
  if (connectors.error || !connectors.data) return <ErrorState error={connectors.error} onRetry={() => void connectors.refetch()} />;
  return <WorkflowBuilder connectors={connectors.data} />;
}
