'use client';
import Link from 'next/link';
import { Activity, LayoutTemplate, Plus, Trash2, Workflow as WorkflowIcon } from 'lucide-react';
import { useDeleteWorkflow, useToggleWorkflow, useWorkflows } from '@/lib/api/workflows';
import type { Workflow } from '@/lib/api/types';
import { formatRelative } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Switch } from '@/components/ui/switch';
import { useToast } from '@/components/ui/toast';
import { PageHeader } from '@/components/common/page-header';
import { ConfirmAction } from '@/components/common/confirm-action';
import { EmptyState, ErrorState, ListSkeleton } from '@/components/common/states';
import { LoadMore } from '@/components/common/load-more';
import { describeTrigger, triggerMeta } from './trigger-label';
import { ExportWorkflowButton, ImportWorkflowButton } from './templates/transfer-buttons';

function WorkflowRow({ wf }: { wf: Workflow }) {
  const toggle = useToggleWorkflow();
  const del = useDeleteWorkflow();
  const toast = useToast();
  const Icon = triggerMeta[wf.trigger.type]?.icon ?? WorkflowIcon;
  const enabled = toggle.isPending && toggle.variables ? toggle.variables.enabled : wf.enabled;
  return (
    <li className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center" data-testid="workflow-row" data-workflow-id={wf.id}>
      <div className="flex min-w-0 flex-1 items-center gap-3">
        <span className="grid size-9 shrink-0 place-items-center rounded-md bg-accent text-accent-foreground">
          <Icon className="size-4" aria-hidden />
        </span>
        <div className="min-w-0">
          <Link href={`/workflows/${wf.id}`} className="block truncate font-medium outline-none hover:underline focus-visible:underline" data-testid="workflow-link">
            {wf.name}
          </Link>
          <p className="truncate text-xs text-muted-foreground">
            {describeTrigger(wf.trigger)} · {wf.steps.length} step{wf.steps.length === 1 ? '' : 's'} · v{wf.version} · updated {formatRelative(wf.updatedAt)}
          </p>
        </div>
      </div>
      <div className="flex items-center gap-2">
        <label className="flex items-center gap-2 text-sm">
          <Switch
            checked={enabled}
            disabled={toggle.isPending}
            data-testid="workflow-toggle"
            aria-label={`${enabled ? 'Disable' : 'Enable'} ${wf.name}`}
            onCheckedChange={(v) =>
              toggle.mutate(
                { id: wf.id, enabled: v },
                { onError: (e) => toast({ title: 'Could not change the workflow', description: e.message, variant: 'error' }) },
              )
            }
          />
          <span className="w-14 text-muted-foreground">{enabled ? 'Enabled' : 'Disabled'}</span>
        </label>
        <Button variant="ghost" size="icon-sm" asChild>
          <Link href={`/logs?workflowId=${wf.id}`} aria-label={`Runs of ${wf.name}`}>
            <Activity />
          </Link>
        </Button>
        <ExportWorkflowButton id={wf.id} name={wf.name} />
        <ConfirmAction
          trigger={
            <Button variant="ghost" size="icon-sm" aria-label={`Delete ${wf.name}`} data-testid="workflow-delete">
              <Trash2 />
            </Button>
          }
          title={<>Delete “{wf.name}”?</>}
          description="Its trigger stops at once. Past executions stay in the logs."
          confirmLabel="Delete"
          onConfirm={() =>
            del.mutate(wf.id, {
              onSuccess: () => toast({ title: 'Workflow deleted', description: wf.name }),
              onError: (e) => toast({ title: 'Could not delete the workflow', description: e.message, variant: 'error' }),
            })
          }
        />
      </div>
    </li>
  );
}

export function WorkflowList() {
  const workflows = useWorkflows();
  const items = workflows.data?.pages.flatMap((p) => p.items) ?? [];
  const newButton = (
    <Button asChild data-testid="new-workflow">
      <Link href="/workflows/new">
        <Plus /> New workflow
      </Link>
    </Button>
  );
  const actions = (
    <div className="flex flex-wrap items-center gap-2">
      <Button variant="outline" asChild data-testid="browse-templates">
        <Link href="/templates">
          <LayoutTemplate /> Templates
        </Link>
      </Button>
      <ImportWorkflowButton />
      {newButton}
    </div>
  );
  return (
    <>
      <PageHeader title="Workflows" description="A trigger, then steps that call your connected services." actions={actions} />
      {workflows.isLoading ? (
        <ListSkeleton />
      ) : workflows.error ? (
        <ErrorState error={workflows.error} onRetry={() => void workflows.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={WorkflowIcon} title="No workflows yet" description="Start with a webhook that posts a message to Slack, or a schedule that fetches the weather: build one, start from a template, or import an exported file." action={actions} />
      ) : (
        <Card>
          <ul className="divide-y" data-testid="workflow-list">
            {items.map((wf) => (
              <WorkflowRow key={wf.id} wf={wf} />
            ))}
          </ul>
          <LoadMore query={workflows} />
        </Card>
      )}
    </>
  );
}
