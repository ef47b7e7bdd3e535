'use client';
import { CheckCircle2, RefreshCw, TriangleAlert, XCircle } from 'lucide-react';
import { useKongConfig } from '@/lib/api/gateway';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { ErrorState, RestrictedState } from '@/components/common/states';
import { KongConfigView } from './kong-config-view';

function Findings({ items, tone }: { items: string[]; tone: 'error' | 'warning' }) {
  if (items.length === 0) return null;
  const Icon = tone === 'error' ? XCircle : TriangleAlert;
  return (
    <ul
      className={tone === 'error' ? 'flex flex-col gap-1 rounded-md border border-destructive/30 bg-destructive/5 p-3 text-xs text-destructive' : 'flex flex-col gap-1 rounded-md border border-warning/40 bg-warning/10 p-3 text-xs'}
      data-testid={`kong-config-${tone}s`}
    >
      {items.map((m, i) => (
        <li key={i} className="flex items-start gap-2 break-words">
          <Icon className="mt-0.5 size-3.5 shrink-0" aria-hidden /> {m}
        </li>
      ))}
    </ul>
  );
}

/** The workspace's whole gateway config, as Kong would load it (admins only). */
export function ConfigPanel({ isAdmin }: { isAdmin: boolean }) {
  const config = useKongConfig(isAdmin);
  if (!isAdmin) return <RestrictedState description="The whole gateway config includes your API consumers, so only admins see it. Each template's own config is on the Templates tab." />;
  return (
    <Card className="min-w-0">
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <CardTitle className="flex items-center gap-2">
            Gateway config
            {config.data &&
              (config.data.valid ? (
                <Badge variant="success" data-testid="kong-config-valid">
                  <CheckCircle2 /> valid
                </Badge>
              ) : (
                <Badge variant="destructive" data-testid="kong-config-invalid">
                  <XCircle /> invalid
                </Badge>
              ))}
          </CardTitle>
          <CardDescription>
            The api&apos;s base routes, your templates and your API consumers, merged as a DB-less Kong loads them. Checked against Kong&apos;s schema; keys are masked.
          </CardDescription>
        </div>
        <Button variant="outline" size="sm" onClick={() => void config.refetch()} disabled={config.isFetching}>
          <RefreshCw className={config.isFetching ? 'animate-spin' : undefined} /> Refresh
        </Button>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {config.isLoading ? (
          <Skeleton className="h-80" />
        ) : config.error ? (
          <ErrorState compact error={config.error} onRetry={() => void config.refetch()} />
        ) : config.data ? (
          <>
            <Findings items={config.data.errors} tone="error" />
            <Findings items={config.data.warnings} tone="warning" />
            <KongConfigView config={config.data.config} testId="kong-full-config" />
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}
