import Link from 'next/link';
import { Activity, CheckCircle2, Loader2, XCircle } from 'lucide-react';
import type { Stats } from '@/lib/api/types';
import { formatPercent } from '@/lib/utils';
import { Card } from '@/components/ui/card';
import { formatTokens } from '@/components/logs/agent-run';

function StatCard({ label, value, hint, icon: Icon, testId }: { label: string; value: string; hint?: React.ReactNode; icon: React.ComponentType<{ className?: string }>; testId: string }) {
  return (
    <Card className="p-4 sm:p-5">
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm text-muted-foreground">{label}</p>
        <Icon className="size-4 text-muted-foreground" aria-hidden />
      </div>
      <p className="mt-2 text-2xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </p>
      {hint && <p className="mt-1 text-xs text-muted-foreground">{hint}</p>}
    </Card>
  );
}

export function StatCards({ stats }: { stats: Stats }) {
  // Not finished yet: waiting for a worker, running, or parked on a durable wait (an approval, a timer…).
  const waiting = stats.byStatus?.waiting ?? 0;
  const active = (stats.byStatus?.queued ?? 0) + (stats.byStatus?.running ?? 0) + waiting;
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
      <StatCard
        label="Executions today"
        value={String(stats.today.total)}
        hint={
          <>
            {stats.total} all time ·{' '}
            <span title="Model tokens used today by LLM and agent steps" data-testid="stat-tokens-today" data-tokens={stats.today.tokens ?? 0}>
              {formatTokens(stats.today.tokens ?? 0)} today
            </span>
          </>
        }
        icon={Activity}
        testId="stat-today"
      />
      <StatCard label="Success rate" value={formatPercent(stats.successRate)} hint={`${stats.byStatus?.succeeded ?? 0} succeeded overall`} icon={CheckCircle2} testId="stat-success-rate" />
      <StatCard label="Failed today" value={String(stats.today.failed)} hint={`${stats.today.succeeded} succeeded today`} icon={XCircle} testId="stat-failed-today" />
      <StatCard
        label="In progress"
        value={String(active)}
        hint={
          <>
            {stats.byStatus?.queued ?? 0} queued · {stats.byStatus?.running ?? 0} running ·{' '}
            {waiting > 0 ? (
              <Link href="/logs?status=waiting" className="font-medium text-primary underline-offset-2 hover:underline" data-testid="stat-waiting">
                {waiting} waiting
              </Link>
            ) : (
              <span data-testid="stat-waiting">0 waiting</span>
            )}
          </>
        }
        icon={Loader2}
        testId="stat-active"
      />
    </div>
  );
}
