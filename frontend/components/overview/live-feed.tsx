'use client';
import Link from 'next/link';
import { Radio } from 'lucide-react';
import { useLiveExecutions } from '@/lib/live/use-live-executions';
import { formatDuration, formatRelative } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState, ErrorState, ListSkeleton } from '@/components/common/states';
import { StatusBadge } from '@/components/common/status-badge';
import { executionTriggerLabel } from '@/components/workflows/trigger-label';

export function LiveFeed() {
  const live = useLiveExecutions();
  return (
    <Card className="flex min-w-0 flex-col">
      <CardHeader className="flex-row items-center justify-between">
        <CardTitle>Live feed</CardTitle>
        {live.error ? (
          <span className="inline-flex items-center gap-1.5 text-xs text-muted-foreground">
            <span className="inline-flex size-2 rounded-full bg-muted-foreground/50" /> Offline
          </span>
        ) : (
          <span className="inline-flex items-center gap-1.5 text-xs text-muted-foreground" title={`Updates by ${live.source}`}>
            <span className="relative flex size-2">
              <span className="absolute inline-flex size-full animate-ping rounded-full bg-success opacity-60" />
              <span className="relative inline-flex size-2 rounded-full bg-success" />
            </span>
            Live
          </span>
        )}
      </CardHeader>
      <CardContent className="flex-1">
        {live.isLoading ? (
          <ListSkeleton rows={4} />
        ) : live.error ? (
          <ErrorState error={live.error} onRetry={() => void live.refetch()} compact />
        ) : live.items.length === 0 ? (
          <EmptyState
            icon={Radio}
            title="No executions yet"
            description="Runs appear here as soon as a workflow is triggered."
            className="py-8"
            action={
              <Button asChild variant="outline" size="sm">
                <Link href="/workflows">Run a workflow</Link>
              </Button>
            }
          />
        ) : (
          <ul className="flex flex-col divide-y" data-testid="live-feed">
            {live.items.map((e) => (
              <li key={e.id}>
                <Link href={`/logs/${e.id}`} className="flex items-center gap-3 rounded-md px-1 py-2.5 outline-none hover:bg-muted/60 focus-visible:ring-2 focus-visible:ring-ring">
                  <StatusBadge status={e.status} />
                  <span className="min-w-0 flex-1">
                    <span className="block truncate text-sm font-medium">{e.workflowName ?? e.workflowId}</span>
                    <span className="block text-xs text-muted-foreground">
                      {executionTriggerLabel(e.triggerType)} · {formatRelative(e.startedAt ?? e.createdAt)}
                    </span>
                  </span>
                  <span className="text-xs text-muted-foreground tabular-nums">{formatDuration(e.durationMs)}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
