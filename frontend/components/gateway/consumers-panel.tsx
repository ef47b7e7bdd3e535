'use client';
import * as React from 'react';
import { BarChart3, Plus, RotateCw, Trash2, Users } from 'lucide-react';
import { useConsumers, useDeleteConsumer, useRotateConsumerKey } from '@/lib/api/consumers';
import type { ApiConsumer, ApiConsumerWithKey } from '@/lib/api/types';
import { formatRelative } from '@/lib/utils';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { useToast } from '@/components/ui/toast';
import { OneTimeSecretDialog } from '@/components/common/one-time-secret-dialog';
import { ConfirmAction } from '@/components/common/confirm-action';
import { EmptyState, ErrorState, ListSkeleton, RestrictedState } from '@/components/common/states';
import { LoadMore } from '@/components/common/load-more';
import { ConsumerDialog } from './consumer-dialog';
import { ConsumerUsage } from './consumer-usage';

function RotateKey({ consumer, onRotated }: { consumer: ApiConsumer; onRotated(result: ApiConsumerWithKey): void }) {
  const rotate = useRotateConsumerKey();
  const toast = useToast();
  return (
    <ConfirmAction
      trigger={
        <Button variant="ghost" size="icon-sm" aria-label={`Rotate the key of ${consumer.username}`} title="Rotate key" data-testid="consumer-rotate">
          <RotateCw />
        </Button>
      }
      title={<>Rotate the key of “{consumer.username}”?</>}
      description={<>A new key is made and shown once. The current key ({consumer.keyHint}) stops working as soon as Kong has the new config, so hand the new one over quickly.</>}
      confirmLabel="Rotate key"
      confirmTestId="confirm-rotate"
      onConfirm={() =>
        rotate.mutate(consumer.id, {
          onSuccess: onRotated,
          onError: (e) => toast({ title: 'Could not rotate the key', description: e.message, variant: 'error' }),
        })
      }
    />
  );
}

function DeleteConsumer({ consumer, onDeleted }: { consumer: ApiConsumer; onDeleted(): void }) {
  const del = useDeleteConsumer();
  const toast = useToast();
  return (
    <ConfirmAction
      trigger={
        <Button variant="ghost" size="icon-sm" aria-label={`Delete ${consumer.username}`} title="Delete" data-testid="consumer-delete">
          <Trash2 />
        </Button>
      }
      title={<>Delete “{consumer.username}”?</>}
      description="Its key stops working at once and its usage history is deleted with it."
      confirmLabel="Delete"
      onConfirm={() =>
        del.mutate(consumer.id, {
          onSuccess: () => {
            toast({ title: 'Consumer deleted', description: consumer.username });
            onDeleted();
          },
          onError: (e) => toast({ title: 'Could not delete the consumer', description: e.message, variant: 'error' }),
        })
      }
    />
  );
}

export function ConsumersPanel({ isAdmin, selected, onSelect }: { isAdmin: boolean; selected: string | null; onSelect(id: string | null): void }) {
  const consumers = useConsumers(isAdmin);
  const toast = useToast();
  const [creating, setCreating] = React.useState(false);
  const [issued, setIssued] = React.useState<{ result: ApiConsumerWithKey; rotated: boolean } | null>(null);
  const usageRef = React.useRef<HTMLDivElement>(null);
  const items = consumers.data?.pages.flatMap((p) => p.items) ?? [];
  const selectedConsumer = items.find((c) => c.id === selected);

  React.useEffect(() => {
    if (selectedConsumer) usageRef.current?.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }, [selectedConsumer]);

  if (!isAdmin) {
    return <RestrictedState description="API consumers hold keys to your Kong routes, so only admins create them, rotate their keys and see their usage." />;
  }

  const newButton = (
    <Button onClick={() => setCreating(true)} data-testid="new-consumer">
      <Plus /> New consumer
    </Button>
  );

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-muted-foreground">Clients of your Kong routes, each with one API key. Keys are shown once; only a hint is kept.</p>
        {newButton}
      </div>
      {consumers.isLoading ? (
        <ListSkeleton rows={3} />
      ) : consumers.error ? (
        <ErrorState error={consumers.error} onRetry={() => void consumers.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={Users} title="No API consumers yet" description="Create one to give a partner or an app a key for your usage tracking and federated security routes." action={newButton} />
      ) : (
        <Card>
          <ul className="divide-y" data-testid="consumer-list">
            {items.map((c) => (
              <li key={c.id} className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center" data-testid="consumer-row" data-consumer-id={c.id} data-selected={c.id === selected || undefined}>
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2 font-medium">
                    <span className="truncate">{c.username}</span>
                    <Badge variant="secondary">{c.plan}</Badge>
                    {c.groups.map((g) => (
                      <Badge key={g} variant="outline" className="font-mono">
                        {g}
                      </Badge>
                    ))}
                  </p>
                  <p className="truncate text-xs text-muted-foreground">
                    Key <span className="font-mono" data-testid="consumer-key-hint">{c.keyHint}</span> · {c.keyRotatedAt !== c.createdAt ? `rotated ${formatRelative(c.keyRotatedAt)}` : `created ${formatRelative(c.createdAt)}`}
                  </p>
                </div>
                <div className="flex items-center gap-1">
                  <Button
                    variant={c.id === selected ? 'secondary' : 'outline'}
                    size="sm"
                    aria-pressed={c.id === selected}
                    onClick={() => onSelect(c.id === selected ? null : c.id)}
                    data-testid="consumer-usage-open"
                  >
                    <BarChart3 /> Usage
                  </Button>
                  <RotateKey
                    consumer={c}
                    onRotated={(result) => {
                      toast({ title: 'Key rotated', description: `${c.username}: the previous key no longer works.`, variant: 'success' });
                      setIssued({ result, rotated: true });
                    }}
                  />
                  <DeleteConsumer consumer={c} onDeleted={() => c.id === selected && onSelect(null)} />
                </div>
              </li>
            ))}
          </ul>
          <LoadMore query={consumers} />
        </Card>
      )}
      <div ref={usageRef} className="scroll-mt-4">
        {selectedConsumer && <ConsumerUsage consumer={selectedConsumer} onClose={() => onSelect(null)} />}
      </div>
      <ConsumerDialog
        open={creating}
        onOpenChange={setCreating}
        onCreated={(result) => {
          toast({ title: 'Consumer created', description: result.consumer.username, variant: 'success' });
          setIssued({ result, rotated: false });
        }}
      />
      <OneTimeSecretDialog
        secret={issued?.result.apiKey ?? null}
        title={issued?.rotated ? `New key for ${issued.result.consumer.username}` : `API key for ${issued?.result.consumer.username ?? ''}`}
        description="Clients send it to Kong in the X-API-Key (or apikey) header."
        label="API key"
        copyLabel="Copy key"
        warning={
          <>
            <strong>Copy this key now.</strong> It is shown only this once: Tributary keeps a hash and a sealed copy for Kong, never a readable one.
            {issued?.rotated ? ' The previous key no longer works.' : ''}
          </>
        }
        onClose={() => setIssued(null)}
        testId="api-key-dialog"
      />
    </div>
  );
}
