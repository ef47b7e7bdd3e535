import { Activity, CheckCircle2, Loader2, XCircle } from 'lucide-react';
import type { Stats } from '@/lib/api/types';
import { formatPercent } from '@/lib/utils';
import { Card } from '@/components/ui/card';

function StatCard({ label, value, hint, icon: Icon, testId }: { label: string; value: string; hint?: string; icon: React.ComponentType<{ className?: string }>; testId: string }) {
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
  const active = (stats.byStatus?.queued ?? 0) + (stats.byStatus?.running ?? 0);
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
      <StatCard label="Executions today" value={String(stats.today.total)} hint={`${stats.total} all time`} icon={Activity} testId="stat-today" />
      <StatCard label="Success rate" value={formatPercent(stats.successRate)} hint={`${stats.byStatus?.succeeded ?? 0} succeeded overall`} icon={CheckCircle2} testId="stat-success-rate" />
      <StatCard label="Failed today" value={String(stats.today.failed)} hint={`${stats.today.succeeded} succeeded today`} icon={XCircle} testId="stat-failed-today" />
      <StatCard label="In progress" value={String(active)} hint={`${stats.byStatus?.queued ?? 0} queued · ${stats.byStatus?.running ?? 0} running`} icon={Loader2} testId="stat-active" />
    </div>
  );
}
