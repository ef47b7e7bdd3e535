'use client';
import * as React from 'react';
import { Search } from 'lucide-react';
import type { Connector } from '@/lib/api/types';
import { BLOCK_ICONS, BLOCK_LABELS } from '../block-meta';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { ConnectorIcon } from '@/components/common/connector-icon';

/** Blocks of the workflow language, offered next to the connectors' actions. */
const PICKABLE_BLOCKS = [
  {
    type: 'condition' as const,
    description: 'Then or else: runs one of two branches depending on a template.',
    keywords: 'condition if else branch switch filter',
  },
  {
    type: 'loop' as const,
    description: 'Runs its steps for each item of an array ({{item}}, {{$index}} inside).',
    keywords: 'loop for each iterate array items repeat',
  },
  {
    type: 'parallel' as const,
    description: 'Branches that run at the same time; goes on when all are done.',
    keywords: 'parallel fan out concurrent branches lanes',
  },
  {
    type: 'wait' as const,
    description: 'Pauses the run: a duration, a point in time, a resume URL call or an approval.',
    keywords: 'wait delay sleep pause approval webhook until timer',
  },
  {
    type: 'call' as const,
    description: 'Runs another workflow of this workspace as a sub-workflow, and waits for its output.',
    keywords: 'call sub-workflow subworkflow workflow execute child',
  },
  {
    type: 'agent' as const,
    description: 'An LLM that reasons in a loop and may call tools (workflows of this workspace, MCP servers) before it answers.',
    keywords: 'agent ai llm model gpt openai chat assistant mcp tools',
  },
];
export type PickableBlock = (typeof PICKABLE_BLOCKS)[number]['type'];

/** The connector catalogue as a searchable list of actions, and the workflow language's blocks. */
export function ConnectorPicker({
  connectors,
  open,
  onOpenChange,
  onPick,
  onPickBlock,
}: {
  connectors: Connector[];
  open: boolean;
  onOpenChange(open: boolean): void;
  onPick(connector: Connector, actionKey: string): void;
  onPickBlock?(type: PickableBlock): void;
}) {
  const [q, setQ] = React.useState('');
  const query = q.trim().toLowerCase();
  const blocks = onPickBlock ? PICKABLE_BLOCKS.filter((b) => !query || `${BLOCK_LABELS[b.type]} ${b.description} ${b.keywords}`.toLowerCase().includes(query)) : [];
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
          {groups.length === 0 && blocks.length === 0 ? (
            <p className="py-8 text-center text-sm text-muted-foreground">No connector matches “{q}”.</p>
          ) : (
            <ul className="flex flex-col gap-3">
              {blocks.length > 0 && (
                <li>
                  <div className="mb-1 flex items-center gap-2 px-1">
                    <span className="text-sm font-semibold">Blocks</span>
                    <span className="truncate text-xs text-muted-foreground">Steps of the workflow language itself</span>
                  </div>
                  <ul className="flex flex-col">
                    {blocks.map((b) => {
                      const Icon = BLOCK_ICONS[b.type];
                      return (
                        <li key={b.type}>
                          <button
                            type="button"
                            data-testid={`pick-block-${b.type}`}
                            onClick={() => {
                              onPickBlock?.(b.type);
                              onOpenChange(false);
                              setQ('');
                            }}
                            className="flex w-full items-start gap-2 rounded-md px-3 py-2 text-left outline-none hover:bg-accent focus-visible:bg-accent focus-visible:ring-2 focus-visible:ring-ring"
                          >
                            <Icon className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
                            <span className="flex flex-col">
                              <span className="text-sm font-medium">{BLOCK_LABELS[b.type]}</span>
                              <span className="text-xs text-muted-foreground">{b.description}</span>
                            </span>
                          </button>
                        </li>
                      );
                    })}
                  </ul>
                </li>
              )}
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
