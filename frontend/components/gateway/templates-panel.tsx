'use client';
import * as React from 'react';
import Link from 'next/link';
import { FileCode2, Route, Trash2 } from 'lucide-react';
import { useDeleteKongTemplate, useKongTemplates } from '@/lib/api/gateway';
import { useWorkflowOptions } from '@/lib/api/workflows';
import type { KongTemplate } from '@/lib/api/types';
import { formatRelative } from '@/lib/utils';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { useToast } from '@/components/ui/toast';
import { ConfirmAction } from '@/components/common/confirm-action';
import { EmptyState, ErrorState, ListSkeleton, RestrictedState } from '@/components/common/states';
import { LoadMore } from '@/components/common/load-more';
import { TemplateDialog, type TemplateView } from './template-dialog';
import { TemplateForm } from './template-form';
import { useCases } from './use-cases';

function DeleteTemplate({ template, workflowName }: { template: KongTemplate; workflowName: string }) {
  const del = useDeleteKongTemplate();
  const toast = useToast();
  const label = useCases[template.useCase].label;
  return (
    <ConfirmAction
      trigger={
        <Button variant="ghost" size="icon-sm" aria-label={`Delete the ${label} template of ${workflowName}`} data-testid="kong-template-delete">
          <Trash2 />
        </Button>
      }
      title={<>Delete the {label} route?</>}
      description={<>{template.path} stops answering once Kong has the new config. The workflow and its webhook stay as they are.</>}
      confirmLabel="Delete"
      onConfirm={() =>
        del.mutate(template.id, {
          onSuccess: () => toast({ title: 'Template deleted', description: `${label} · ${template.path}` }),
          onError: (e) => toast({ title: 'Could not delete the template', description: e.message, variant: 'error' }),
        })
      }
    />
  );
}

export function TemplatesPanel({ canWrite }: { canWrite: boolean }) {
  const templates = useKongTemplates();
  const workflows = useWorkflowOptions();
  const toast = useToast();
  const [shown, setShown] = React.useState<TemplateView | null>(null);
  const items = templates.data?.pages.flatMap((p) => p.items) ?? [];
  const nameOf = (id: string) => workflows.data?.find((w) => w.id === id)?.name ?? 'Workflow';

  return (
    <div className="grid gap-4 lg:grid-cols-5">
      <Card className="h-fit lg:col-span-2">
        <CardHeader>
          <CardTitle>Generate a template</CardTitle>
          <CardDescription>A Kong route in front of a workflow&apos;s webhook, in one of five patterns.</CardDescription>
        </CardHeader>
        <CardContent>
          {!canWrite ? (
            <RestrictedState title="Editors and admins generate templates" description="Your role can look at the templates and their config." className="py-8" />
          ) : workflows.isLoading ? (
            <div className="flex flex-col gap-3" aria-busy="true" aria-label="Loading">
              <Skeleton className="h-9" />
              <Skeleton className="h-64" />
            </div>
          ) : workflows.error ? (
            <ErrorState compact error={workflows.error} onRetry={() => void workflows.refetch()} />
          ) : (
            <TemplateForm
              workflows={workflows.data ?? []}
              onGenerated={(t) => {
                toast({ title: 'Template generated', description: `${useCases[t.useCase].label} · ${t.path}`, variant: 'success' });
                setShown({ ...t, workflowName: nameOf(t.workflowId) });
              }}
            />
          )}
        </CardContent>
      </Card>

      <Card className="min-w-0 lg:col-span-3">
        <CardHeader>
          <CardTitle>Templates</CardTitle>
          <CardDescription>One per workflow and pattern; generating again replaces it.</CardDescription>
        </CardHeader>
        <CardContent>
          {templates.isLoading ? (
            <ListSkeleton rows={3} />
          ) : templates.error ? (
            <ErrorState compact error={templates.error} onRetry={() => void templates.refetch()} />
          ) : items.length === 0 ? (
            <EmptyState icon={Route} title="No templates yet" description="Generate one to put a Kong route in front of a webhook workflow." className="py-8" />
          ) : (
            <ul className="flex flex-col divide-y rounded-lg border" data-testid="kong-template-list">
              {items.map((t) => {
                const meta = useCases[t.useCase];
                const Icon = meta.icon;
                const workflowName = nameOf(t.workflowId);
                return (
                  <li key={t.id} className="flex items-center gap-3 p-3" data-testid="kong-template-row" data-use-case={t.useCase} data-workflow-id={t.workflowId}>
                    <span className="grid size-8 shrink-0 place-items-center rounded-md bg-accent text-accent-foreground">
                      <Icon className="size-4" aria-hidden />
                    </span>
                    <div className="min-w-0 flex-1">
                      <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                        {meta.label}
                        <Badge variant="outline" className="max-w-full truncate font-mono">
                          {t.path}
                        </Badge>
                      </p>
                      <p className="truncate text-xs text-muted-foreground">
                        <Link href={`/workflows/${t.workflowId}`} className="hover:underline">
                          {workflowName}
                        </Link>{' '}
                        · {formatRelative(t.createdAt)}
                      </p>
                    </div>
                    <Button
                      variant="outline"
                      size="sm"
                      data-testid="kong-template-view"
                      onClick={() => setShown({ useCase: t.useCase, path: t.path, config: t.config, workflowName })}
                    >
                      <FileCode2 /> Config
                    </Button>
                    {canWrite && <DeleteTemplate template={t} workflowName={workflowName} />}
                  </li>
                );
              })}
            </ul>
          )}
          <LoadMore query={templates} className="pt-3" />
        </CardContent>
      </Card>
      <TemplateDialog template={shown} onClose={() => setShown(null)} />
    </div>
  );
}
