'use client';
import * as React from 'react';
import { Background, Controls, Handle, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useWatch, type Control } from 'react-hook-form';
import { Filter } from 'lucide-react';
import { cn } from '@/lib/utils';
import { ConnectorIcon } from '@/components/common/connector-icon';
import { triggerMeta } from '../trigger-label';
import { BLOCK_ICONS } from '../block-meta';
import { BLOCK_LABELS, blockSummary, type StepKind } from './blocks';
import { useBuilder } from './builder-context';
import { blockOf, type BuilderValues } from './form-model';

type FlowNodeData = { title: string; subtitle: string; icon?: string; kind: 'trigger' | 'step'; block?: StepKind; summary?: string; when?: string; status?: string };
type FlowNode = Node<FlowNodeData, 'flow'>;

function FlowNodeView({ data }: NodeProps<FlowNode>) {
  const TriggerIcon = data.kind === 'trigger' ? triggerMeta[data.icon as keyof typeof triggerMeta]?.icon : undefined;
  const BlockIcon = data.block ? BLOCK_ICONS[data.block] : undefined;
  return (
    <div
      className={cn(
        'w-56 rounded-lg border bg-card px-3 py-2 shadow-sm',
        data.kind === 'trigger' && 'border-primary/50 bg-primary/5',
        data.block && 'border-dashed',
        data.status === 'succeeded' && 'border-success',
        data.status === 'failed' && 'border-destructive',
        data.status === 'waiting' && 'border-waiting',
        data.status === 'skipped' && 'opacity-60',
      )}
    >
      {data.kind === 'step' && <Handle type="target" position={Position.Top} className="!bg-muted-foreground" />}
      <div className="flex items-center gap-2">
        {TriggerIcon ? (
          <span className="grid size-7 place-items-center rounded-md bg-primary text-primary-foreground">
            <TriggerIcon className="size-4" />
          </span>
        ) : BlockIcon ? (
          <span className="grid size-7 shrink-0 place-items-center rounded-md border bg-card">
            <BlockIcon className="size-4 text-primary" />
          </span>
        ) : (
          <ConnectorIcon icon={data.icon} name={data.title} className="size-7" />
        )}
        <div className="min-w-0">
          <p className="truncate text-xs font-semibold">{data.title}</p>
          <p className="truncate font-mono text-[10px] text-muted-foreground">{data.subtitle}</p>
        </div>
      </div>
      {data.summary && (
        <p className="mt-1.5 truncate font-mono text-[10px] text-muted-foreground" title={data.summary}>
          {data.summary}
        </p>
      )}
      {data.when && (
        <p className="mt-1.5 flex items-center gap-1 truncate rounded bg-muted px-1.5 py-0.5 font-mono text-[10px] text-muted-foreground" title={data.when}>
          <Filter className="size-3 shrink-0" /> {data.when}
        </p>
      )}
      <Handle type="source" position={Position.Bottom} className="!bg-muted-foreground" />
    </div>
  );
}

const nodeTypes = { flow: FlowNodeView };
const GAP = 100;

function Diagram({ control, stepStatus }: { control: Control<BuilderValues>; stepStatus?: Record<string, string> }) {
  const { connectors } = useBuilder();
  const triggerType = useWatch({ control, name: 'trigger.type' });
  const watched = useWatch({ control, name: 'steps' });
  const steps = React.useMemo(() => watched ?? [], [watched]);
  const { fitView } = useReactFlow();

  const { nodes, edges } = React.useMemo(() => {
    const nodes: FlowNode[] = [
      {
        id: '__trigger',
        type: 'flow',
        position: { x: 0, y: 0 },
        data: { kind: 'trigger', title: `${triggerMeta[triggerType]?.label ?? triggerType} trigger`, subtitle: 'payload', icon: triggerType },
        draggable: false,
      },
    ];
    const edges: Edge[] = [];
    let prev = '__trigger';
    steps.forEach((s, i) => {
      const id = `step-${i}`;
      const block = s.kind !== 'action' ? blockOf(s) : null;
      let data: FlowNodeData;
      if (block) {
        // A block: what it is and a summary (the steps nested in it are in its card and the JSON view).
        data = {
          kind: 'step',
          block: s.kind,
          title: block.name || `${BLOCK_LABELS[s.kind]} block`,
          subtitle: `${BLOCK_LABELS[s.kind].toLowerCase()} · ${block.id}`,
          summary: blockSummary(block),
          when: block.when || undefined,
          status: stepStatus?.[block.id],
        };
      } else {
        const connector = connectors.find((c) => c.key === s.connector);
        const action = connector?.actions.find((a) => a.key === s.action);
        data = {
          kind: 'step',
          title: s.name || action?.name || s.action,
          subtitle: `${connector?.name ?? s.connector} · ${s.id}`,
          icon: connector?.icon,
          when: s.when || undefined,
          status: stepStatus?.[s.id],
        };
      }
      nodes.push({ id, type: 'flow', position: { x: 0, y: (i + 1) * GAP }, data, draggable: false });
      edges.push({ id: `${prev}->${id}`, source: prev, target: id, animated: !!data.when, style: data.when ? { strokeDasharray: '4 3' } : undefined });
      prev = id;
    });
    return { nodes, edges };
  }, [steps, triggerType, connectors, stepStatus]);

  React.useEffect(() => {
    const t = window.setTimeout(() => void fitView({ padding: 0.2, maxZoom: 1, duration: 200 }), 50);
    return () => window.clearTimeout(t);
  }, [nodes.length, fitView]);

  return (
    <div className="h-[360px] rounded-lg border bg-muted/20" data-testid="flow-diagram" data-node-count={nodes.length} aria-label={`Flow: trigger then ${steps.length} steps`} role="img">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        nodesConnectable={false}
        elementsSelectable={false}
        proOptions={{ hideAttribution: true }}
        minZoom={0.3}
      >
        <Background gap={16} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

export function FlowDiagram(props: { control: Control<BuilderValues>; stepStatus?: Record<string, string> }) {
  return (
    <ReactFlowProvider>
      <Diagram {...props} />
    </ReactFlowProvider>
  );
}
