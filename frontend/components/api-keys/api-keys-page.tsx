'use client';
import * as React from 'react';
import { KeyRound, Plus } from 'lucide-react';
import { useApiKeys, useRevokeApiKey, type ApiKey, type ApiKeyStatus, type CreatedApiKey } from '@/lib/api/api-keys';
import { useMembers } from '@/lib/api/team';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { formatDateTime, formatRelative } from '@/lib/utils';
import { Badge, type BadgeVariant } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { useToast } from '@/components/ui/toast';
import { ConfirmAction } from '@/components/common/confirm-action';
import { EmptyState, ErrorState, ListSkeleton } from '@/components/common/states';
import { LoadMore } from '@/components/common/load-more';
import { OneTimeSecretDialog } from '@/components/common/one-time-secret-dialog';
import { PageHeader } from '@/components/common/page-header';
import { CreateApiKeyDialog } from './create-api-key-dialog';

const STATUS_VARIANT: Record<ApiKeyStatus, BadgeVariant> = { active: 'success', expired: 'warning', revoked: 'destructive' };

function When({ iso, empty }: { iso: string | null; empty: string }) {
  if (!iso) return <span className="text-muted-foreground">{empty}</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

function RevokeKey({ apiKey }: { apiKey: ApiKey }) {
  const revoke = useRevokeApiKey();
  const toast = useToast();
  return (
    <ConfirmAction
      trigger={
        <Button variant="ghost" size="sm" aria-label={`Revoke ${apiKey.name}`} disabled={revoke.isPending} data-testid="api-key-revoke">
          Revoke
        </Button>
      }
      title={<>Revoke “{apiKey.name}”?</>}
      description={
        <>
          Requests with <code className="font-mono text-xs">{apiKey.prefix}…</code> are refused from now on (401), and its live connections close. This cannot be undone: create a new
          key to replace it.
        </>
      }
      confirmLabel="Revoke key"
      confirmTestId="api-key-revoke-confirm"
      onConfirm={() =>
        revoke.mutate(apiKey.id, {
          onSuccess: () => toast({ title: 'API key revoked', description: apiKey.name }),
          onError: (e) => toast({ title: 'Could not revoke the key', description: e.message, variant: 'error' }),
        })
      }
    />
  );
}

export function ApiKeysPage() {
  const user = useCurrentUser();
  const isAdmin = user?.role === 'admin';
  const keys = useApiKeys();
  const members = useMembers(isAdmin);
  const toast = useToast();
  const [creating, setCreating] = React.useState(false);
  const [created, setCreated] = React.useState<CreatedApiKey | null>(null);
  const items = keys.data?.pages.flatMap((p) => p.items) ?? [];
  const people = new Map((members.data?.pages.flatMap((p) => p.items) ?? []).map((m) => [m.id, m.name || m.email]));
  const owner = (k: ApiKey) => (k.kind === 'service' ? 'Workspace' : k.userId === user?.id ? 'You' : (people.get(k.userId ?? '') ?? 'A member'));

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          isAdmin
            ? 'Keys for the REST API and the CLI: yours, your teammates’ and the workspace’s service keys.'
            : 'Your keys for the REST API and the CLI. Each acts as you, never beyond your role.'
        }
        actions={
          <Button onClick={() => setCreating(true)} data-testid="api-key-create">
            <Plus /> Create API key
          </Button>
        }
      />
      {keys.isLoading ? (
        <ListSkeleton rows={3} />
      ) : keys.error ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          icon={KeyRound}
          title="No API keys yet"
          description="Create one to call the API from a script: send it as Authorization: Bearer trb_…"
          action={
            <Button variant="outline" size="sm" onClick={() => setCreating(true)}>
              <Plus /> Create API key
            </Button>
          }
        />
      ) : (
        <Card className="overflow-hidden">
          <div className="relative overflow-x-auto">
            <table className="w-full text-sm" data-testid="api-key-table">
              <caption className="sr-only">API keys</caption>
              <thead className="bg-muted/50 text-left text-xs text-muted-foreground">
                <tr>
                  <th scope="col" className="px-4 py-2.5 font-medium">Name</th>
                  <th scope="col" className="px-4 py-2.5 font-medium">Scope</th>
                  <th scope="col" className="hidden px-4 py-2.5 font-medium md:table-cell">Key</th>
                  <th scope="col" className="hidden px-4 py-2.5 font-medium lg:table-cell">Created</th>
                  <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">Expires</th>
                  <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">Last used</th>
                  <th scope="col" className="px-4 py-2.5 font-medium">Status</th>
                  <th scope="col" className="px-4 py-2.5">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {items.map((k) => (
                  <tr key={k.id} className="hover:bg-muted/40" data-testid="api-key-row" data-key-id={k.id} data-name={k.name} data-status={k.status}>
                    <td className="max-w-[16rem] px-4 py-2.5">
                      <p className="truncate font-medium">{k.name}</p>
                      <p className="truncate text-xs text-muted-foreground">
                        {k.kind === 'service' ? 'Service key' : 'Personal'}
                        {isAdmin ? ` · ${owner(k)}` : ''}
                      </p>
                    </td>
                    <td className="px-4 py-2.5">
                      <Badge variant="outline">{k.scope}</Badge>
                    </td>
                    <td className="hidden px-4 py-2.5 md:table-cell">
                      <code className="font-mono text-xs" title="The first characters of the key">
                        {k.prefix}…
                      </code>
                    </td>
                    <td className="hidden px-4 py-2.5 whitespace-nowrap lg:table-cell">
                      <When iso={k.createdAt} empty="—" />
                    </td>
                    <td className="hidden px-4 py-2.5 whitespace-nowrap sm:table-cell">
                      <When iso={k.expiresAt} empty="Never" />
                    </td>
                    <td className="hidden px-4 py-2.5 whitespace-nowrap sm:table-cell">
                      <When iso={k.lastUsedAt} empty="Never used" />
                    </td>
                    <td className="px-4 py-2.5">
                      <Badge variant={STATUS_VARIANT[k.status]} data-testid="api-key-status">
                        {k.status}
                      </Badge>
                    </td>
                    <td className="px-4 py-2.5 text-right">{k.status !== 'revoked' ? <RevokeKey apiKey={k} /> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore query={keys} className="p-3" />
        </Card>
      )}
      <CreateApiKeyDialog
        open={creating}
        onOpenChange={setCreating}
        role={user?.role}
        onCreated={(key) => {
          toast({ title: 'API key created', description: key.name, variant: 'success' });
          setCreated(key);
        }}
      />
      <OneTimeSecretDialog
        secret={created?.key ?? null}
        title={`API key “${created?.name ?? ''}”`}
        description={
          created ? `Scope ${created.scope}${created.expiresAt ? `, valid until ${formatDateTime(created.expiresAt)}` : ', never expires'}. Send it as Authorization: Bearer <key>.` : undefined
        }
        label="API key"
        copyLabel="Copy key"
        warning={
          <>
            <strong>Copy this key now and keep it somewhere safe.</strong> It is shown only this once (we keep only a hash of it); anyone holding it can call the API as this key until
            it expires or you revoke it.
          </>
        }
        onClose={() => setCreated(null)}
        testId="api-key-secret-dialog"
      />
    </>
  );
}
