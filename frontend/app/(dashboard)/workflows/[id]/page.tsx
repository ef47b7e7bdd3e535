'use client';
import { useParams } from 'next/navigation';
import { useConnectors } from '@/lib/api/connectors';
import { useWorkflow } from '@/lib/api/workflows';
import { ErrorState } from '@/components/common/states';
import { BuilderSkeleton } from '@/components/workflows/builder/builder-skeleton';
import { WorkflowBuilder } from '@/components/workflows/builder/workflow-builder';

export default function EditWorkflowPage() {
  const { id } = useParams<{ id: string }>();
  const connectors = useConnectors();
  const workflow = useWorkflow(id);
  if (connectors.isLoading || workflow.isLoading) return <BuilderSkeleton />;
  const error = connectors.error ?? workflow.error;
  if (error || !connectors.data || !workflow.data) return <ErrorState error={error} onRetry={() => void Promise.all([connectors.refetch(), workflow.refetch()])} />;
  // Keyed by id so a different workflow gets a fresh form; later saves reset the form themselves.
  return <WorkflowBuilder key={workflow.data.id} workflow={workflow.data} connectors={connectors.data} />;
}
