'use client';
import * as React from 'react';
import { Search } from 'lucide-react';
import type { Connector } from '@/lib/api/types';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { ConnectorIcon } from '@/components/common/connector-icon';

/** The connector catalogue as a searchable list of actions. */
export function ConnectorPicker({
  connectors,
  open,
  onOpenChange,
  onPick,
}: {
  connectors: Connector[];
  open: boolean;
  onOpenChange(open: boolean): void;
  onPick(connector: Connector, actionKey: string): void;
}) {
  const [q, setQ] = React.useState('');
  const query = q.trim().toLowerCase();
  const groups = connectors
    .map((c) => {
      const connectorHit = !query || c.name.toLowerCase().includes(query) || c.key.toLowerCase().includes(query) || (c.description ?? '').toLowerCase().includes(query);
      const actions = connectorHit ? c.actions : c.actions.filter((a) => `${a.name} ${a.key} ${a.description ?? ''}`.toLowerCase().includes(query));
      return { connector: c, actions };
    })
    .filter((g) => g.actions.length > 0);

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        onOpenChange(o);
        if (!o) setQ('');
      }}
    >
      <DialogContent className="max-w-xl" data-testid="connector-picker">
        <DialogHeader>
          <DialogTitle>Add a step</DialogTitle>
          <DialogDescription>Pick what the step does. Search by service or action.</DialogDescription>
        </DialogHeader>
        <div className="relative">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input autoFocus value={q} onChange={(e) => setQ(e.target.value)} placeholder="Slack, weather, transform…" className="pl-9" aria-label="Search connectors" data-testid="connector-search" />
        </div>
        <div className="-mx-2 max-h-[55vh] overflow-y-auto px-2">
          {groups.length === 0 ? (
            <p className="py-8 text-center text-sm text-muted-foreground">No connector matches “{q}”.</p>
          ) : (
            <ul className="flex flex-col gap-3">
              {groups.map(({ connector, actions }) => (
                <li key={connector.key}>
                  <div className="mb-1 flex items-center gap-2 px-1">
                    <ConnectorIcon icon={connector.icon} name={connector.name} className="size-6" />
                    <span className="text-sm font-semibold">{connector.name}</span>
                    {connector.description && <span className="truncate text-xs text-muted-foreground">{connector.description}</span>}
                  </div>
                  <ul className="flex flex-col">
                    {actions.map((a) => (
                      <li key={a.key}>
                        <button
                          type="button"
                          data-testid={`pick-${connector.key}-${a.key}`}
                          onClick={() => {
                            onPick(connector, a.key);
                            onOpenChange(false);
                            setQ('');
                          }}
                          className="flex w-full flex-col items-start rounded-md px-3 py-2 text-left outline-none hover:bg-accent focus-visible:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
                        >
                          <span className="text-sm font-medium">{a.name}</span>
                          {a.description && <span className="text-xs text-muted-foreground">{a.description}</span>}
                        </button>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )}
        </div>
      </DialogContent>
    </Dialog>
  );
}
