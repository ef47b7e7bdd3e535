/**
 * A connection's health in words (never colour alone): the badge of the Connections page, and what
 * a workflow step using a broken connection warns about.
 */
import { CheckCircle2, CircleDashed, PlugZap, Unplug, XCircle } from 'lucide-react';
import type { Credential, CredentialStatus } from '@/lib/api/types';
import { Badge, type BadgeVariant } from '@/components/ui/badge';

const styles: Record<CredentialStatus, { label: string; variant: BadgeVariant; icon: React.ComponentType<{ className?: string }> }> = {
  ok: { label: 'OK', variant: 'success', icon: CheckCircle2 },
  untested: { label: 'Untested', variant: 'secondary', icon: CircleDashed },
  needs_connect: { label: 'Not connected', variant: 'warning', icon: PlugZap },
  needs_reconnect: { label: 'Needs reconnect', variant: 'destructive', icon: Unplug },
  error: { label: 'Error', variant: 'destructive', icon: XCircle },
};

/** Broken: runs using the connection fail until someone acts. Most urgent first. */
const BROKEN: CredentialStatus[] = ['needs_reconnect', 'error', 'needs_connect'];

export function isBroken(status: CredentialStatus): boolean {
  return BROKEN.includes(status);
}

/** For sorting: broken connections first (most urgent first), then the others in their order. */
export function urgency(status: CredentialStatus): number {
  const i = BROKEN.indexOf(status);
  return i === -1 ? BROKEN.length : i;
}

export function statusLabel(status: CredentialStatus): string {
  return styles[status]?.label ?? status;
}

/** What a step using the connection should warn about, or null when it is usable. */
export function credentialProblem(credential: Pick<Credential, 'status'>): string | null {
  switch (credential.status) {
    case 'needs_reconnect':
      return 'Connection needs reconnecting';
    case 'needs_connect':
      return 'Connection is not connected yet';
    case 'error':
      return 'Connection failed its last call';
    default:
      return null;
  }
}

export function CredentialStatusBadge({ status }: { status: CredentialStatus }) {
  const s = styles[status] ?? { label: status, variant: 'outline' as const, icon: CircleDashed };
  const Icon = s.icon;
  return (
    <Badge variant={s.variant} data-testid="credential-status" data-status={status}>
      <Icon aria-hidden />
      <span className="sr-only">Status: </span>
      {s.label}
    </Badge>
  );
}
