'use client';
import { History } from 'lucide-react';
import { useRollback, useVersions } from '@/lib/api/workflows';
import type { Workflow } from '@/lib/api/types';
import { formatDateTime } from '@/lib/utils';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';
import { ConfirmAction } from '@/components/common/confirm-action';
import { EmptyState, ErrorState, ListSkeleton } from '@/components/common/states';
import { describeTrigger } from '../trigger-label';

export function VersionsPanel({ workflow, onRolledBack }: { workflow?: Workflow; onRolledBack(wf: Workflow): void }) {
  const versions = useVersions(workflow?.id);
  const rollback = useRollback(workflow?.id ?? '');
  const toast = useToast();
  if (!workflow) return <EmptyState icon={History} title="No versions yet" description="Every save keeps the previous version here." className="py-8" />;
  if (versions.isLoading) return <ListSkeleton rows={3} />;
  if (versions.error) return <ErrorState compact error={versions.error} onRetry={() => void versions.refetch()} />;
  const items = [...(versions.data?.items ?? [])].sort((a, b) => b.version - a.version);
  if (items.length === 0) return <EmptyState icon={History} title="No earlier versions" className="py-8" />;
  return (
    <ol className="flex flex-col divide-y rounded-lg border" data-testid="versions-list">
      {items.map((v) => {
        const current = v.version === workflow.version;
        return (
          <li key={v.version} className="flex items-center gap-3 p-3" data-testid="version-row" data-version={v.version}>
            <div className="min-w-0 flex-1">
              <p className="flex items-center gap-2 text-sm font-medium">
                v{v.version} · {v.name} {current && <Badge variant="success">current</Badge>}
              </p>
              <p className="truncate text-xs text-muted-foreground">
                {formatDateTime(v.createdAt)}
                {v.createdBy ? ` · ${v.createdBy}` : ''} · {describeTrigger(v.trigger)} · {v.steps.length} step{v.steps.length === 1 ? '' : 's'}
              </p>
            </div>
            {!current && (
              <ConfirmAction
                trigger={
                  <Button variant="outline" size="sm" data-testid="rollback">
                    Roll back
                  </Button>
                }
                title={<>Roll back to v{v.version}?</>}
                description="Its trigger and steps become a new current version; unsaved changes in the editor are discarded. Nothing is lost: the current version stays in this list."
                confirmLabel="Roll back"
                destructive={false}
                confirmTestId="confirm-rollback"
                onConfirm={() =>
                  rollback.mutate(v.version, {
                    onSuccess: (wf) => {
                      toast({ title: `Rolled back to v${v.version}`, description: `Now v${wf.version}`, variant: 'success' });
                      onRolledBack(wf);
                    },
                    onError: (e) => toast({ title: 'Could not roll back', description: e.message, variant: 'error' }),
                  })
                }
              />
            )}
          </li>
        );
      })}
    </ol>
  );
}
