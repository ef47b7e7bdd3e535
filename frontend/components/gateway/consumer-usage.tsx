'use client';
import * as React from 'react';
import { BarChart3, X } from 'lucide-react';
import { useConsumerUsage } from '@/lib/api/consumers';
import type { ApiConsumer, ConsumerUsage as Usage } from '@/lib/api/types';
import { formatPercent } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/native-select';
import { Skeleton } from '@/components/ui/skeleton';
import { EmptyState, ErrorState } from '@/components/common/states';
import { UsageChart } from './usage-chart';

const DAY_MS = 86_400_000;
const RANGES = [7, 30, 90] as const;

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Every UTC day from `from` to `to` with its count (the api lists only days with requests). */
function perDay(usage: Usage) {
  const counts = new Map<string, number>();
  for (const i of usage.items) counts.set(i.day, (counts.get(i.day) ?? 0) + i.count);
  const days: { day: string; count: number }[] = [];
  for (let t = Date.parse(usage.from); t <= Date.parse(usage.to) && days.length < 400; t += DAY_MS) {
    const day = isoDay(t);
    days.push({ day, count: counts.get(day) ?? 0 });
  }
  return days;
}

function perRoute(usage: Usage) {
  const routes = new Map<string, { count: number; lastDay: string }>();
  for (const i of usage.items) {
    const r = routes.get(i.route) ?? { count: 0, lastDay: i.day };
    r.count += i.count;
    if (i.day > r.lastDay) r.lastDay = i.day;
    routes.set(i.route, r);
  }
  return [...routes].map(([route, r]) => ({ route, ...r })).sort((a, b) => b.count - a.count);
}

export function ConsumerUsage({ consumer, onClose }: { consumer: ApiConsumer; onClose(): void }) {
  const [days, setDays] = React.useState<(typeof RANGES)[number]>(30);
  // Recomputed per render: the range follows the UTC date, like the api's default.
  const to = isoDay(Date.now());
  const from = isoDay(Date.now() - (days - 1) * DAY_MS);
  const usage = useConsumerUsage(consumer.id, { from, to });
  const data = usage.data;

  return (
    <Card className="min-w-0" data-testid="consumer-usage" data-consumer-id={consumer.id}>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <CardTitle>
            Usage of <span className="font-mono">{consumer.username}</span>
          </CardTitle>
          <CardDescription>
            Requests Kong let through with this consumer&apos;s key, per UTC day and per api route.
            {data && (
              <>
                {' '}
                <span className="font-medium text-foreground" data-testid="usage-total">
                  {data.total.toLocaleString()}
                </span>{' '}
                in total.
              </>
            )}
          </CardDescription>
        </div>
        <div className="flex items-center gap-2">
          <NativeSelect aria-label="Period" value={String(days)} onChange={(e) => setDays(Number(e.target.value) as (typeof RANGES)[number])} className="w-36" data-testid="usage-range">
            {RANGES.map((n) => (
              <option key={n} value={n}>
                Last {n} days
              </option>
            ))}
          </NativeSelect>
          <Button variant="ghost" size="icon-sm" onClick={onClose} aria-label="Close usage">
            <X />
          </Button>
        </div>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {usage.isLoading ? (
          <div className="flex flex-col gap-3" aria-busy="true" aria-label="Loading">
            <Skeleton className="h-56" />
            <Skeleton className="h-20" />
          </div>
        ) : usage.error ? (
          <ErrorState compact error={usage.error} onRetry={() => void usage.refetch()} />
        ) : data && data.total === 0 ? (
          <EmptyState
            icon={BarChart3}
            title="No requests in this period"
            description="Calls through Kong routes that check API keys (usage tracking, federated security) are counted here per consumer."
            className="py-8"
          />
        ) : data ? (
          <>
            <UsageChart days={perDay(data)} />
            <div className="overflow-x-auto">
              <table className="w-full text-sm" data-testid="usage-routes">
                <thead className="text-left text-xs text-muted-foreground">
                  <tr>
                    <th scope="col" className="py-2 font-medium">Route</th>
                    <th scope="col" className="py-2 text-right font-medium">Requests</th>
                    <th scope="col" className="py-2 text-right font-medium">Share</th>
                    <th scope="col" className="hidden py-2 text-right font-medium sm:table-cell">Last day</th>
                  </tr>
                </thead>
                <tbody className="divide-y">
                  {perRoute(data).map((r) => (
                    <tr key={r.route} data-testid="usage-route-row">
                      <td className="py-2 font-mono text-xs break-all">{r.route}</td>
                      <td className="py-2 text-right tabular-nums" data-testid="usage-route-count">
                        {r.count.toLocaleString()}
                      </td>
                      <td className="py-2 text-right text-muted-foreground tabular-nums">{formatPercent(r.count / data.total)}</td>
                      <td className="hidden py-2 text-right text-muted-foreground sm:table-cell">{r.lastDay}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}
