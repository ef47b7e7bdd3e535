'use client';
import Link from 'next/link';
import { BarChart3, Plus } from 'lucide-react';
import { useStats } from '@/lib/api/executions';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { PageHeader } from '@/components/common/page-header';
import { EmptyState, ErrorState } from '@/components/common/states';
import { ExecutionsChart } from './executions-chart';
import { LiveFeed } from './live-feed';
import { StatCards } from './stat-cards';
import { StatCardsSkeleton } from './overview-skeleton';

const tokenCount = new Intl.NumberFormat('en');

export function Overview() {
  const stats = useStats();
  return (
    <>
      <PageHeader
        title="Overview"
        description="Today's runs, how they went, and what is happening now."
        actions={
          <Button asChild>
            <Link href="/workflows/new">
              <Plus /> New workflow
            </Link>
          </Button>
        }
      />
      <div className="flex flex-col gap-6">
        {stats.isLoading ? <StatCardsSkeleton /> : stats.error ? <ErrorState error={stats.error} onRetry={() => void stats.refetch()} /> : stats.data ? <StatCards stats={stats.data} /> : null}
        <div className="grid gap-4 lg:grid-cols-3">
          <Card className="min-w-0 lg:col-span-2">
            <CardHeader>
              <CardTitle>Executions per hour</CardTitle>
              <CardDescription>Last 24 hours</CardDescription>
            </CardHeader>
            <CardContent>
              {stats.isLoading ? (
                <Skeleton className="h-64" />
              ) : stats.error ? (
                <EmptyState icon={BarChart3} title="No chart data" description="The chart appears once the api answers." className="h-64 py-6" />
              ) : stats.data && stats.data.perHour.some((h) => h.total > 0) ? (
                <ExecutionsChart perHour={stats.data.perHour} />
              ) : (
                <EmptyState icon={BarChart3} title="Nothing ran in the last 24 hours" description="Trigger a workflow and its runs are charted here." className="h-64 py-6" />
              )}
            </CardContent>
          </Card>
          <LiveFeed />
        </div>
        {stats.data && stats.data.perWorkflow.length > 0 && (
          <Card>
            <CardHeader>
              <CardTitle>By workflow</CardTitle>
            </CardHeader>
            <CardContent className="overflow-x-auto">
              <table className="w-full text-sm">
                <thead className="text-left text-xs text-muted-foreground">
                  <tr>
                    <th className="py-2 font-medium">Workflow</th>
                    <th className="py-2 text-right font-medium">Runs</th>
                    <th className="py-2 text-right font-medium">Succeeded</th>
                    <th className="py-2 text-right font-medium">Failed</th>
                    <th className="py-2 text-right font-medium">
                      <abbr title="Model tokens used by LLM and agent steps" className="no-underline">
                        Tokens
                      </abbr>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y">
                  {stats.data.perWorkflow.map((w) => (
                    <tr key={w.workflowId}>
                      <td className="py-2">
                        <Link href={`/workflows/${w.workflowId}`} className="font-medium hover:underline">
                          {w.name}
                        </Link>
                      </td>
                      <td className="py-2 text-right tabular-nums">{w.total}</td>
                      <td className="py-2 text-right tabular-nums">{w.succeeded}</td>
                      <td className="py-2 text-right tabular-nums">{w.failed}</td>
                      <td className="py-2 text-right tabular-nums" data-testid="workflow-tokens" data-workflow-id={w.workflowId}>
                        {w.tokens ? tokenCount.format(w.tokens) : '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </CardContent>
          </Card>
        )}
      </div>
    </>
  );
}
