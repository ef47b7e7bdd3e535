'use client';
import * as React from 'react';
import { KeyRound, Plus, Trash2 } from 'lucide-react';
import { useConnectors } from '@/lib/api/connectors';
import { useCredentials, useDeleteCredential } from '@/lib/api/credentials';
import type { Connector, Credential } from '@/lib/api/types';
import { formatDateTime } from '@/lib/utils';
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
      description="Workflow steps that use this connection will fail until you pick another one."
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

function CredentialRow({ credential, connector }: { credential: Credential; connector?: Connector }) {
  const hints = Object.entries(credential.hints ?? {});
  return (
    <li className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center" data-testid="credential-row" data-connector={credential.connector}>
      <div className="flex min-w-0 flex-1 items-center gap-3">
        <ConnectorIcon icon={connector?.icon} name={connector?.name ?? credential.connector} />
        <div className="min-w-0">
          <p className="truncate font-medium">{credential.name}</p>
          <p className="text-xs text-muted-foreground">
            {connector?.name ?? credential.connector} · added {formatDateTime(credential.createdAt)}
          </p>
        </div>
      </div>
      <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs sm:justify-end">
        {hints.map(([k, v]) => (
          <div key={k} className="flex gap-1.5">
            <dt className="text-muted-foreground">{k}</dt>
            <dd className="font-mono">{v}</dd>
          </div>
        ))}
      </dl>
      <DeleteCredential credential={credential} />
    </li>
  );
}

export function ConnectionsPage() {
  const connectors = useConnectors();
  const [filter, setFilter] = React.useState('');
  const credentials = useCredentials(filter || undefined);
  const [open, setOpen] = React.useState(false);
  const toast = useToast();
  const items = credentials.data?.pages.flatMap((p) => p.items) ?? [];
  const withCredentials = (connectors.data ?? []).filter((c) => c.credentials);

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
          description="Add the webhook URL, API key or token of a service, then pick it in a workflow step."
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
              <CredentialRow key={c.id} credential={c} connector={connectors.data?.find((x) => x.key === c.connector)} />
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
          onCreated={(c) => toast({ title: 'Connection saved', description: c.name, variant: 'success' })}
        />
      )}
    </>
  );
}
