import { CheckCircle2, CircleDashed, CircleSlash, Hourglass, Loader2, SkipForward, XCircle } from 'lucide-react';
import { Badge, type BadgeVariant } from '@/components/ui/badge';

const styles: Record<string, { variant: BadgeVariant; icon: React.ComponentType<{ className?: string }> }> = {
  succeeded: { variant: 'success', icon: CheckCircle2 },
  failed: { variant: 'destructive', icon: XCircle },
  running: { variant: 'default', icon: Loader2 },
  queued: { variant: 'secondary', icon: CircleDashed },
  /** Parked on a durable wait: holds no worker until it is resumed. */
  waiting: { variant: 'waiting', icon: Hourglass },
  pending: { variant: 'secondary', icon: CircleDashed },
  cancelled: { variant: 'warning', icon: CircleSlash },
  skipped: { variant: 'outline', icon: SkipForward },
};

export function StatusBadge({ status }: { status: string }) {
  const s = styles[status] ?? { variant: 'outline' as const, icon: CircleDashed };
  const Icon = s.icon;
  return (
    <Badge variant={s.variant} data-testid="status-badge" data-status={status}>
      <Icon className={status === 'running' ? 'animate-spin' : undefined} aria-hidden />
      {status}
    </Badge>
  );
}
