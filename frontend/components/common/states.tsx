import * as React from 'react';
import { CircleAlert, Inbox, Lock, RefreshCw, WifiOff } from 'lucide-react';
import { ApiError, errorMessage, type ErrorDetail } from '@/lib/api/client';
import { cn } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';

export function EmptyState({
  icon: Icon = Inbox,
  title,
  description,
  action,
  className,
  testId = 'empty-state',
}: {
  icon?: React.ComponentType<{ className?: string }>;
  title: string;
  description?: React.ReactNode;
  action?: React.ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <div data-testid={testId} className={cn('flex flex-col items-center justify-center gap-3 rounded-xl border border-dashed px-6 py-12 text-center', className)}>
      <span className="grid size-11 place-items-center rounded-full bg-muted text-muted-foreground">
        <Icon className="size-5" />
      </span>
      <div>
        <p className="font-medium">{title}</p>
        {description && <p className="mx-auto mt-1 max-w-sm text-sm text-muted-foreground">{description}</p>}
      </div>
      {action}
    </div>
  );
}

/** A part of a page the signed-in role may not use: said plainly instead of a failed request. */
export function RestrictedState({ title = 'Admins only', description, className }: { title?: string; description?: React.ReactNode; className?: string }) {
  return <EmptyState icon={Lock} title={title} description={description} className={cn('bg-muted/30', className)} testId="restricted-state" />;
}

export function ErrorState({ error, onRetry, className, compact }: { error: unknown; onRetry?: () => void; className?: string; compact?: boolean }) {
  const network = error instanceof ApiError && error.isNetwork;
  const Icon = network ? WifiOff : CircleAlert;
  return (
    <div
      role="alert"
      data-testid="error-state"
      className={cn(
        'flex flex-col items-center justify-center gap-3 rounded-xl border border-destructive/30 bg-destructive/5 text-center',
        compact ? 'px-4 py-6' : 'px-6 py-12',
        className,
      )}
    >
      <span className="grid size-11 place-items-center rounded-full bg-destructive/10 text-destructive">
        <Icon className="size-5" />
      </span>
      <div>
        <p className="font-medium">{network ? 'The API is unreachable' : 'Something went wrong'}</p>
        <p className="mx-auto mt-1 max-w-md text-sm text-muted-foreground">{errorMessage(error)}</p>
      </div>
      {onRetry && (
        <Button variant="outline" size="sm" onClick={onRetry}>
          <RefreshCw /> Try again
        </Button>
      )}
    </div>
  );
}

/** An error's message; `details` lists the api's field errors that no form field shows. */
export function InlineError({ error, details = [] }: { error: unknown; details?: ErrorDetail[] }) {
  if (!error) return null;
  return (
    <div role="alert" className="flex items-start gap-2 rounded-md border border-destructive/30 bg-destructive/5 px-3 py-2 text-sm text-destructive" data-testid="inline-error">
      <CircleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="min-w-0">
        <p>{errorMessage(error)}</p>
        {details.length > 0 && (
          <ul className="mt-1 list-disc pl-4 text-xs break-words">
            {details.map((d, i) => (
              <li key={i}>{d.path ? <><span className="font-mono">{d.path}</span>: {d.message}</> : d.message}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

export function ListSkeleton({ rows = 5, className }: { rows?: number; className?: string }) {
  return (
    <div className={cn('flex flex-col gap-2', className)} aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className="h-14 w-full" />
      ))}
    </div>
  );
}
