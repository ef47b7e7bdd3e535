'use client';
import * as React from 'react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { ChevronRight, KeyRound, Loader2, Plug, Plus, RefreshCw, Stethoscope, Trash2, TriangleAlert } from 'lucide-react';
import { useConnectors } from '@/lib/api/connectors';
import {
  useAuthorizeCredential,
  useCredentialStatusEvents,
  useCredentialUsage,
  useCredentials,
  useDeleteCredential,
  useTestCredential,
} from '@/lib/api/credentials';
import { errorMessage } from '@/lib/api/client';
import type { Connector, Credential, CredentialStatus } from '@/lib/api/types';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { cn, formatDateTime, formatRelative } from '@/lib/utils';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/native-select';
import { Label } from '@/components/ui/label';
import { useToast } from '@/components/ui/toast';
import { ConnectorIcon } from '@/components/common/connector-icon';
import { PageHeader } from '@/components/common/page-header';
import { ConfirmAction } from '@/components/common/confirm-action';
import { EmptyState, ErrorState, ListSkeleton } from '@/components/common/states';
import { LoadMore } from '@/components/common/load-more';
import { CredentialDialog } from './credential-dialog';
import { ConnectionMenu, type MenuAction } from './connection-menu';
import { CredentialStatusBadge, isBroken, statusLabel, urgency } from './credential-status';

/** Polling while the WebSocket is not open (live `credential.status` events refresh the list otherwise). */
const POLL_MS = 15_000;

function DeleteCredential({ credential }: { credential: Credential }) {
  const del = useDeleteCredential();
  const toast = useToast();
  return (
    <ConfirmAction
      trigger={
        <Button variant="ghost" size="icon-sm" aria-label={`Delete ${credential.name}`} data-testid="credential-delete">
          <Trash2 />
        </Button>
      }
      title={<>Delete “{credential.name}”?</>}
      description={
        credential.kind === 'oauth2'
          ? 'Its tokens are revoked at the provider. Workflow steps that use this connection will fail until you pick another one.'
          : 'Workflow steps that use this connection will fail until you pick another one.'
      }
      confirmLabel="Delete"
      onConfirm={() =>
        del.mutate(credential.id, {
          onSuccess: () => toast({ title: 'Connection deleted', description: credential.name }),
          onError: (e) => toast({ title: 'Could not delete the connection', description: e.message, variant: 'error' }),
        })
      }
    />
  );
}

function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

/** The workflows whose steps use the credential, fetched when the row is expanded. */
function CredentialUsageList({ credential, id }: { credential: Credential; id: string }) {
  const usage = useCredentialUsage(credential.id, true);
  const workflows = usage.data?.workflows ?? [];
  return (
    <div id={id} className="mt-2 text-sm" data-testid="credential-usage">
      {usage.isLoading ? (
        <p className="flex items-center gap-2 text-xs text-muted-foreground" aria-busy="true">
          <Loader2 className="size-3 animate-spin" aria-hidden /> Loading the workflows…
        </p>
      ) : usage.error ? (
        <p role="alert" className="text-xs text-destructive">
          Could not load the workflows: {errorMessage(usage.error)}
        </p>
      ) : workflows.length === 0 ? (
        <p className="text-xs text-muted-foreground" data-testid="credential-usage-count" data-count={0}>
          No workflow uses it yet.
        </p>
      ) : (
        <>
          <p className="text-xs text-muted-foreground" data-testid="credential-usage-count" data-count={workflows.length}>
            Used by {workflows.length} workflow{workflows.length === 1 ? '' : 's'}:
          </p>
          <ul className="mt-1 flex flex-col gap-1">
            {workflows.map((w) => (
              <li key={w.id} className="flex items-center gap-2">
                <Link href={`/workflows/${w.id}`} className="truncate font-medium text-primary underline-offset-4 hover:underline focus-visible:underline" data-testid="credential-usage-link">
                  {w.name}
                </Link>
                {!w.enabled && <Badge variant="outline">disabled</Badge>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function CredentialRow({ credential, connector, canWrite }: { credential: Credential; connector?: Connector; canWrite: boolean }) {
  const hints = Object.entries(credential.hints ?? {});
  const [expanded, setExpanded] = React.useState(false);
  const test = useTestCredential();
  const authorize = useAuthorizeCredential();
  const toast = useToast();
  const broken = isBroken(credential.status);
  const authCode = credential.kind === 'oauth2' && credential.oauth2?.grant === 'authorization_code';
  const connectFirst = authCode && (credential.status === 'needs_connect' || credential.status === 'needs_reconnect');
  const leaving = authorize.isPending || authorize.isSuccess;
  const usageId = `credential-usage-${credential.id}`;
  const serviceName = connector?.name ?? credential.connector;

  function connect() {
    authorize.mutate(
      { id: credential.id },
      {
        // The provider's consent page; it sends the browser back here with ?connected= or ?oauth_error=.
        onSuccess: ({ authorizationUrl }) => window.location.assign(authorizationUrl),
        onError: (e) => toast({ title: `Could not start connecting “${credential.name}”`, description: errorMessage(e), variant: 'error' }),
      },
    );
  }

  function runTest() {
    test.mutate(credential.id, {
      onSuccess: (r) =>
        toast({ title: r.ok ? `“${credential.name}” works` : `“${credential.name}” failed its test`, description: r.message, variant: r.ok ? 'success' : 'error' }),
      onError: (e) => toast({ title: `Could not test “${credential.name}”`, description: errorMessage(e), variant: 'error' }),
    });
  }

  const menu: MenuAction[] = [];
  if (canWrite && authCode && !connectFirst) menu.push({ label: 'Reconnect', icon: RefreshCw, onSelect: connect, disabled: leaving, testId: 'credential-menu-reconnect' });

  const connectLabel = credential.status === 'needs_reconnect' ? 'Reconnect' : 'Connect';
  return (
    <li
      className={cn(
        'flex flex-col gap-2 border-l-4 border-l-transparent p-4',
        broken && (credential.status === 'needs_connect' ? 'border-l-warning bg-warning/5' : 'border-l-destructive bg-destructive/5'),
      )}
      data-testid="credential-row"
      data-connector={credential.connector}
      data-credential-id={credential.id}
      data-status={credential.status}
    >
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <div className="flex min-w-0 flex-1 items-start gap-3">
          <ConnectorIcon icon={connector?.icon} name={serviceName} />
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <p className="font-medium break-words">{credential.name}</p>
              <CredentialStatusBadge status={credential.status} />
            </div>
            <p className="text-xs text-muted-foreground">
              {serviceName}
              {credential.kind === 'oauth2' && ' · OAuth2'} · added {formatDateTime(credential.createdAt)}
            </p>
          </div>
        </div>
        <div className="flex shrink-0 items-center gap-1.5 pl-11 sm:pl-0">
          {canWrite && connectFirst && (
            <Button size="sm" onClick={connect} disabled={leaving} aria-label={`${connectLabel} ${credential.name}`} data-testid="credential-connect">
              {leaving ? <Loader2 className="animate-spin" aria-hidden /> : <Plug aria-hidden />}
              {leaving ? 'Opening…' : connectLabel}
            </Button>
          )}
          {canWrite && credential.status !== 'needs_connect' && (
            <Button
              variant="outline"
              size="sm"
              onClick={runTest}
              disabled={test.isPending}
              aria-label={`Test ${credential.name}`}
              title={connector?.testable ? `Makes one authenticated call to ${serviceName}` : `Checks the stored ${credential.kind === 'oauth2' ? 'token' : 'fields'} (${serviceName} has no test call)`}
              data-testid="credential-test"
            >
              {test.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Stethoscope aria-hidden />}
              {test.isPending ? 'Testing…' : 'Test'}
            </Button>
          )}
          <ConnectionMenu name={credential.name} actions={menu} />
          <DeleteCredential credential={credential} />
        </div>
      </div>
      <div className="flex flex-col gap-1 pl-11">
        {hints.length > 0 && (
          <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs">
            {hints.map(([k, v]) => (
              <div key={k} className="flex gap-1.5">
                <dt className="text-muted-foreground">{k}</dt>
                <dd className="font-mono break-all">{v}</dd>
              </div>
            ))}
          </dl>
        )}
        <p className="text-xs text-muted-foreground" data-testid="credential-health">
          {credential.lastSuccessAt ? (
            <>
              Last worked <When iso={credential.lastSuccessAt} />
            </>
          ) : credential.status === 'needs_connect' ? (
            `Not connected yet: ${canWrite ? 'use Connect to' : 'someone must'} approve access at ${credential.oauth2 && connector?.oauth2?.userEndpoints ? 'the provider' : serviceName}.`
          ) : (
            'No successful call yet'
          )}
          {credential.lastErrorAt && (
            <>
              {' · '}last failed <When iso={credential.lastErrorAt} />
            </>
          )}
        </p>
        {credential.lastError && (broken || credential.status === 'untested') && (
          <p className="flex items-start gap-1.5 text-xs break-words text-destructive" data-testid="credential-last-error">
            <TriangleAlert className="mt-px size-3.5 shrink-0" aria-hidden />
            <span>
              <span className="font-medium">Last error: </span>
              {credential.lastError}
            </span>
          </p>
        )}
        <div>
          <button
            type="button"
            className="inline-flex items-center gap-1 rounded-sm text-xs font-medium text-muted-foreground outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
            aria-expanded={expanded}
            aria-controls={expanded ? usageId : undefined}
            onClick={() => setExpanded((x) => !x)}
            data-testid="credential-usage-toggle"
          >
            <ChevronRight className={cn('size-3.5 transition-transform', expanded && 'rotate-90')} aria-hidden />
            Workflows using it
          </button>
          {expanded && <CredentialUsageList credential={credential} id={usageId} />}
        </div>
      </div>
    </li>
  );
}

/**
 * Back from the provider's consent page: `?connected=<id>` or `?oauth_error=<message>&credential=<id>`.
 * Says how it went once the list is loaded (to name the connection), then drops those parameters.
 */
function OAuthLanding({ credentials, ready }: { credentials: Credential[]; ready: boolean }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const toast = useToast();
  const handled = React.useRef<string | null>(null);
  const connected = params.get('connected');
  const error = params.get('oauth_error');

  React.useEffect(() => {
    if ((!connected && error === null) || !ready) return;
    const key = params.toString();
    if (handled.current === key) return;
    handled.current = key;
    const name = credentials.find((c) => c.id === (connected ?? params.get('credential')))?.name;
    if (connected) {
      toast({ title: name ? `Connected “${name}”` : 'Connected', description: 'Workflow steps using it can run now.', variant: 'success' });
    } else {
      toast({ title: name ? `Could not connect “${name}”` : 'Could not connect', description: error || 'The provider did not say why.', variant: 'error' });
    }
    const q = new URLSearchParams(params.toString());
    for (const k of ['connected', 'oauth_error', 'credential']) q.delete(k);
    router.replace(`${pathname}${q.size ? `?${q}` : ''}`, { scroll: false });
  }, [connected, error, ready, params, credentials, toast, router, pathname]);
  return null;
}

const SUMMARY: Partial<Record<CredentialStatus, (n: number) => string>> = {
  needs_reconnect: (n) => `${n} need${n === 1 ? 's' : ''} reconnecting`,
  error: (n) => `${n} failed ${n === 1 ? 'its' : 'their'} last call`,
  needs_connect: (n) => `${n} ${n === 1 ? 'is' : 'are'} not connected yet`,
};

function AttentionSummary({ items }: { items: Credential[] }) {
  const broken = items.filter((c) => isBroken(c.status));
  if (broken.length === 0) return null;
  const parts = (['needs_reconnect', 'error', 'needs_connect'] as const)
    .map((s) => [s, broken.filter((c) => c.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => SUMMARY[s]!(n));
  return (
    <div className="mb-4 flex items-start gap-2 rounded-lg border border-destructive/30 bg-destructive/5 px-4 py-3 text-sm" data-testid="connections-attention" data-count={broken.length}>
      <TriangleAlert className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <p>
        <span className="font-medium">
          {broken.length} connection{broken.length === 1 ? ' needs' : 's need'} attention:
        </span>{' '}
        {parts.join(', ')}. Workflow steps using {broken.length === 1 ? 'it' : 'them'} fail until {broken.length === 1 ? 'it is' : 'they are'} fixed; they are listed first.
      </p>
    </div>
  );
}

export function ConnectionsPage() {
  const connectors = useConnectors();
  const user = useCurrentUser();
  const canWrite = user?.role === 'admin' || user?.role === 'editor';
  const [filter, setFilter] = React.useState('');
  const [open, setOpen] = React.useState(false);
  const toast = useToast();
  const live = useCredentialStatusEvents((e) => {
    if (e.status === 'needs_reconnect') {
      toast({ title: `“${e.name}” needs reconnecting`, description: e.error ?? 'The provider refused to renew its access.', variant: 'error' });
    }
  });
  const credentials = useCredentials(filter || undefined, { refetchInterval: live ? false : POLL_MS });
  const loaded = React.useMemo(() => credentials.data?.pages.flatMap((p) => p.items) ?? [], [credentials.data]);
  // Broken connections first (most urgent first), the others in the api's order.
  const items = React.useMemo(() => loaded.map((c, i) => [c, i] as const).sort((a, b) => urgency(a[0].status) - urgency(b[0].status) || a[1] - b[1]).map(([c]) => c), [loaded]);
  const withCredentials = (connectors.data ?? []).filter((c) => c.credentials || c.oauth2);

  return (
    <>
      <PageHeader
        title="Connections"
        description="Credentials for the services your workflows call. Secrets are write-only."
        actions={
          <Button onClick={() => setOpen(true)} disabled={!connectors.data} data-testid="new-connection">
            <Plus /> New connection
          </Button>
        }
      />
      {/* useSearchParams needs a Suspense boundary of its own. */}
      <React.Suspense fallback={null}>
        <OAuthLanding credentials={loaded} ready={!credentials.isLoading} />
      </React.Suspense>
      <AttentionSummary items={loaded} />
      <div className="mb-4 flex items-center gap-2">
        <Label htmlFor="connector-filter" className="shrink-0 text-muted-foreground">
          Service
        </Label>
        <NativeSelect id="connector-filter" value={filter} onChange={(e) => setFilter(e.target.value)} className="w-full sm:w-60">
          <option value="">All services</option>
          {withCredentials.map((c) => (
            <option key={c.key} value={c.key}>
              {c.name}
            </option>
          ))}
        </NativeSelect>
      </div>
      {credentials.isLoading ? (
        <ListSkeleton />
      ) : credentials.error ? (
        <ErrorState error={credentials.error} onRetry={() => void credentials.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          icon={KeyRound}
          title={filter ? 'No connections for this service' : 'No connections yet'}
          description="Connect a service with OAuth2, or add its webhook URL, API key or token, then pick it in a workflow step."
          action={
            <Button variant="outline" onClick={() => setOpen(true)} disabled={!connectors.data}>
              <Plus /> Add a connection
            </Button>
          }
        />
      ) : (
        <Card>
          <ul className="divide-y" data-testid="credential-list">
            {items.map((c) => (
              <CredentialRow key={c.id} credential={c} connector={connectors.data?.find((x) => x.key === c.connector)} canWrite={canWrite} />
            ))}
          </ul>
          <LoadMore query={credentials} />
        </Card>
      )}
      {connectors.error && <ErrorState className="mt-4" compact error={connectors.error} onRetry={() => void connectors.refetch()} />}
      {connectors.data && (
        <CredentialDialog
          connectors={connectors.data}
          connector={filter || undefined}
          open={open}
          onOpenChange={setOpen}
          authorizeOnCreate
          onCreated={(c) => {
            // An authorization-code connection goes on to the provider's consent page: nothing to say yet.
            if (c.kind === 'oauth2' && c.oauth2?.grant === 'authorization_code') return;
            toast({ title: 'Connection saved', description: c.kind === 'oauth2' ? `${c.name} · ${statusLabel(c.status)}` : c.name, variant: 'success' });
          }}
        />
      )}
    </>
  );
}
