'use client';
import * as React from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow, type NodeChange, applyNodeChanges } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useConnectors } from '@/lib/api/connectors';
import type { Connector, Step, Trigger } from '@/lib/api/types';
import { cn } from '@/lib/utils';
import { describeTrigger } from '../trigger-label';
import { CanvasContext, edgeTypes, nodeTypes, stepAriaLabel, type CanvasContextValue, type StepDecoration } from './canvas-nodes';
import { isInside, type ListRef } from './step-tree';
import { buildGraph, layoutGraph, TRIGGER_NODE_ID, type GraphEdge, type GraphNode, type StepNodeData } from './workflow-graph';

export type { StepDecoration, StepStatus } from './canvas-nodes';
export type Slot = { ref: ListRef; index: number };

/** The edits the canvas asks for (edit mode); the owner changes the steps and passes them back. */
export interface CanvasEditCallbacks {
  /** Open the step picker for this place. */
  onAdd?(slot: Slot): void;
  onDelete?(id: string): void;
  onDuplicate?(id: string): void;
  /** Alt+Arrow: one place up or down within its list. */
  onShift?(id: string, delta: -1 | 1): void;
  /** Drag and drop, or cut and paste: to `index` of the list `ref` (the index before the move). */
  onMove?(id: string, slot: Slot): void;
  onCut?(id: string): void;
  /** Paste the cut step here. */
  onPaste?(slot: Slot): void;
}

export interface WorkflowCanvasProps extends CanvasEditCallbacks {
  trigger: Trigger | null;
  steps: Step[];
  mode: 'edit' | 'view';
  selectedId?: string | null;
  onSelect?(id: string | null): void;
  decorations?: Record<string, StepDecoration>;
  errors?: Record<string, string[]>;
  pinned?: ReadonlySet<string>;
  /** Folded blocks; without `onToggleCollapse` the canvas keeps them itself. */
  collapsed?: ReadonlySet<string>;
  onToggleCollapse?(id: string): void;
  className?: string;
  /** Names the canvas region for screen readers. */
  label?: string;
}

const EMPTY: Record<string, never> = {};
const NO_CONNECTORS: Connector[] = [];
const NO_PINS: ReadonlySet<string> = new Set();
const DROP_DISTANCE = 90;

function isStepNode(n: GraphNode): n is GraphNode & { data: StepNodeData } {
  return n.data.kind === 'step';
}

/** Node ids in reading order: the ones keyboard navigation walks (the trigger, steps, empty lists). */
function focusOrder(nodes: GraphNode[]): string[] {
  return nodes.filter((n) => n.type !== 'port').map((n) => n.id);
}

function Canvas(props: WorkflowCanvasProps) {
  const { trigger, steps, mode, selectedId = null, onSelect, decorations = EMPTY, errors = EMPTY, pinned = NO_PINS } = props;
  const connectors = useConnectors().data ?? NO_CONNECTORS;
  const flow = useReactFlow<GraphNode, GraphEdge>();
  const wrapper = React.useRef<HTMLDivElement>(null);
  const [ownCollapsed, setOwnCollapsed] = React.useState<ReadonlySet<string>>(new Set());
  const collapsed = props.collapsed ?? ownCollapsed;
  const toggleCollapse = React.useCallback(
    (id: string) => {
      if (props.onToggleCollapse) props.onToggleCollapse(id);
      else
        setOwnCollapsed((prev) => {
          const next = new Set(prev);
          if (!next.delete(id)) next.add(id);
          return next;
        });
    },
    [props],
  );

  const graph = React.useMemo(() => buildGraph({ trigger, steps, collapsed }), [trigger, steps, collapsed]);
  // The layout depends on the shape only: typing in a step's form keeps the positions and re-renders the labels.
  const shape = React.useMemo(() => JSON.stringify([graph.nodes.map((n) => [n.id, n.type, n.parentId]), graph.edges.map((e) => [e.source, e.target])]), [graph]);
  const [nodes, setNodes] = React.useState<GraphNode[]>([]);
  const layoutRef = React.useRef<{ shape: string; positions: Map<string, GraphNode> } | null>(null);
  const [laidShape, setLaidShape] = React.useState('');

  React.useEffect(() => {
    let live = true;
    const known = layoutRef.current;
    if (known && known.shape === shape) {
      setNodes(graph.nodes.map((n) => ({ ...n, ...pick(known.positions.get(n.id)) })));
      return;
    }
    void layoutGraph(graph.nodes, graph.edges).then((laid) => {
      if (!live) return;
      layoutRef.current = { shape, positions: new Map(laid.nodes.map((n) => [n.id, n])) };
      setNodes(laid.nodes);
      setLaidShape(shape);
    });
    return () => {
      live = false;
    };
  }, [graph, shape]);

  // Fit the view once the first layout is in, and when the number of nodes changes.
  const nodeCount = graph.nodes.length;
  React.useEffect(() => {
    if (!laidShape) return;
    const t = window.setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1, duration: 150 }), 30);
    return () => window.clearTimeout(t);
  }, [laidShape, nodeCount, flow]);

  const labelled = React.useMemo(
    () =>
      nodes.map((n): GraphNode => {
        const editable = mode === 'edit' && isStepNode(n);
        const base = { ...n, draggable: editable, selectable: false, focusable: n.type !== 'port', className: cn('rounded-lg outline-none focus-visible:ring-[3px] focus-visible:ring-ring', n.type === 'loop' && 'rounded-xl') };
        if (isStepNode(n)) {
          const extra: string[] = [];
          const errs = errors[n.id];
          if (errs?.length) extra.push(`${errs.length} error${errs.length === 1 ? '' : 's'}`);
          if (pinned.has(n.id)) extra.push('pinned data');
          const status = decorations[n.id]?.status;
          if (status) extra.push(status);
          if (n.data.collapsed) extra.push(`collapsed, ${n.data.hidden} steps`);
          return { ...base, ariaLabel: stepAriaLabel(n.data.step, connectors, extra) };
        }
        if (n.data.kind === 'trigger') return { ...base, ariaLabel: `Trigger: ${n.data.trigger ? describeTrigger(n.data.trigger) : 'not set'}` };
        if (n.data.kind === 'empty') return { ...base, ariaLabel: mode === 'edit' ? `${n.data.label} (empty list, press Enter to add a step)` : 'No steps' };
        return base;
      }),
    [nodes, mode, errors, pinned, decorations, connectors],
  );

  const onNodesChange = React.useCallback((changes: NodeChange<GraphNode>[]) => setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type === 'position' || c.type === 'dimensions'), ns)), []);

  // Drag and drop: the nearest place a step can go, shown while dragging and used on drop.
  const [dropEdge, setDropEdge] = React.useState<string | null>(null);
  const dropSlots = React.useCallback(
    (dragged: string): { edgeId: string; slot: Slot; x: number; y: number }[] => {
      const out: { edgeId: string; slot: Slot; x: number; y: number }[] = [];
      const inDragged = (id: string) => {
        for (let n = flow.getInternalNode(id); n; n = n.parentId ? flow.getInternalNode(n.parentId) : undefined) if (n.id === dragged) return true;
        return false;
      };
      const center = (id: string, where: 'top' | 'bottom' | 'middle') => {
        const n = flow.getInternalNode(id);
        if (!n) return null;
        const w = n.measured.width ?? n.width ?? 0;
        const h = n.measured.height ?? n.height ?? 0;
        const p = n.internals.positionAbsolute;
        return { x: p.x + w / 2, y: p.y + (where === 'top' ? 0 : where === 'bottom' ? h : h / 2) };
      };
      for (const e of graph.edges) {
        if (!e.data?.slot || inDragged(e.source) || inDragged(e.target) || isInside(steps, e.data.slot.ref, dragged)) continue;
        const a = center(e.source, 'bottom');
        const b = center(e.target, 'top');
        if (a && b) out.push({ edgeId: e.id, slot: e.data.slot, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
      }
      for (const n of graph.nodes) {
        if (n.data.kind !== 'empty' || inDragged(n.id) || isInside(steps, n.data.ref, dragged)) continue;
        const c = center(n.id, 'middle');
        const into = graph.edges.find((e) => e.target === n.id);
        if (c) out.push({ edgeId: into?.id ?? n.id, slot: { ref: n.data.ref, index: 0 }, x: c.x, y: c.y });
      }
      return out;
    },
    [flow, graph, steps],
  );
  const nearestSlot = React.useCallback(
    (id: string) => {
      const n = flow.getInternalNode(id);
      if (!n) return null;
      const w = n.measured.width ?? 0;
      const p = n.internals.positionAbsolute;
      const c = { x: p.x + w / 2, y: p.y + 32 };
      let best: { edgeId: string; slot: Slot; d: number } | null = null;
      for (const s of dropSlots(id)) {
        const d = Math.hypot(s.x - c.x, s.y - c.y);
        if (d < DROP_DISTANCE && (!best || d < best.d)) best = { edgeId: s.edgeId, slot: s.slot, d };
      }
      return best;
    },
    [flow, dropSlots],
  );

  const focusNode = React.useCallback((id: string) => {
    const el = wrapper.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`);
    el?.focus();
    if (el) void flow.fitView({ nodes: [{ id }], maxZoom: flow.getZoom(), minZoom: flow.getZoom(), duration: 150, padding: 2 });
  }, [flow]);

  // Keep the selected node in the keyboard's reach: focus follows a selection made elsewhere (a new step, undo).
  const lastFocusRequest = React.useRef<string | null>(null);
  React.useEffect(() => {
    if (!selectedId || selectedId === lastFocusRequest.current) return;
    const active = document.activeElement;
    if (!wrapper.current?.contains(active) || !nodes.some((n) => n.id === selectedId)) return;
    lastFocusRequest.current = selectedId;
    focusNode(selectedId);
  }, [selectedId, nodes, focusNode]);

  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    const nodeEl = target.closest<HTMLElement>('.react-flow__node');
    if (!nodeEl || target !== nodeEl) return;
    const id = nodeEl.dataset.id ?? '';
    const node = nodes.find((n) => n.id === id);
    if (!node) return;
    const mod = e.metaKey || e.ctrlKey;
    const order = focusOrder(nodes);
    const at = order.indexOf(id);
    const handled = () => {
      e.preventDefault();
      e.stopPropagation();
    };
    const step = isStepNode(node) ? node.data : null;
    const afterSlot: Slot | null = step ? { ref: step.ref, index: step.index + 1 } : node.data.kind === 'trigger' ? { ref: { parent: null, which: 'root' }, index: 0 } : node.data.kind === 'empty' ? { ref: node.data.ref, index: 0 } : null;

    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && e.altKey) {
      if (step && mode === 'edit') props.onShift?.(id, e.key === 'ArrowUp' ? -1 : 1);
      return handled();
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') {
      if (at < order.length - 1) focusNode(order[at + 1]);
      return handled();
    }
    if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') {
      if (at > 0) focusNode(order[at - 1]);
      return handled();
    }
    if (e.key === 'Home') return (focusNode(order[0]), handled());
    if (e.key === 'End') return (focusNode(order[order.length - 1]), handled());
    if (e.key === 'Enter' || e.key === ' ') {
      if (node.data.kind === 'empty') {
        if (mode === 'edit') props.onAdd?.({ ref: node.data.ref, index: 0 });
      } else onSelect?.(id);
      return handled();
    }
    if (e.key === 'Escape') return (onSelect?.(null), handled());
    if (mode !== 'edit') return;
    if ((e.key === 'Delete' || e.key === 'Backspace') && step) return (props.onDelete?.(id), handled());
    if (mod && e.key.toLowerCase() === 'd' && step) return (props.onDuplicate?.(id), handled());
    if (mod && e.key.toLowerCase() === 'x' && step) return (props.onCut?.(id), handled());
    if (mod && e.key.toLowerCase() === 'v' && afterSlot) return (props.onPaste?.(afterSlot), handled());
    if (!mod && !e.altKey && e.key.toLowerCase() === 'a') {
      if (e.shiftKey && step) props.onAdd?.({ ref: step.ref, index: step.index });
      else if (afterSlot) props.onAdd?.(afterSlot);
      return handled();
    }
    if (!mod && !e.altKey && e.key.toLowerCase() === 'c' && step && ['condition', 'loop', 'parallel'].includes(step.step.type ?? '')) return (toggleCollapse(id), handled());
  };

  const ctx = React.useMemo<CanvasContextValue>(
    () => ({ mode, connectors, selectedId, errors, pinned, decorations, dropEdge, onAdd: (slot) => props.onAdd?.(slot), onToggleCollapse: toggleCollapse }),
    [mode, connectors, selectedId, errors, pinned, decorations, dropEdge, props, toggleCollapse],
  );

  const stepCount = graph.nodes.filter((n) => n.data.kind === 'step').length;
  return (
    <CanvasContext.Provider value={ctx}>
      <div
        ref={wrapper}
        className={cn('relative h-full min-h-80 w-full', props.className)}
        onKeyDown={onKeyDown}
        role="region"
        aria-label={props.label ?? `Workflow canvas: trigger and ${stepCount} step${stepCount === 1 ? '' : 's'}. Arrow keys move between nodes${mode === 'edit' ? ', ? lists the shortcuts' : ''}.`}
        data-testid="workflow-canvas"
        data-mode={mode}
        data-node-count={stepCount + 1}
        data-laid-out={laidShape === shape ? 'true' : 'false'}
      >
        <ReactFlow<GraphNode, GraphEdge>
          nodes={labelled}
          edges={graph.edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onNodeClick={(_, n) => {
            if (n.data.kind === 'step' || n.data.kind === 'trigger') onSelect?.(n.id);
          }}
          onPaneClick={() => onSelect?.(null)}
          onNodeDrag={(_, n) => setDropEdge(nearestSlot(n.id)?.edgeId ?? null)}
          onNodeDragStop={(_, n) => {
            const best = nearestSlot(n.id);
            setDropEdge(null);
            if (best) props.onMove?.(n.id, best.slot);
            // Back to the laid-out place (a move lays the graph out again).
            const known = layoutRef.current;
            if (known) setNodes((ns) => ns.map((x) => ({ ...x, ...pick(known.positions.get(x.id)) })));
          }}
          nodesConnectable={false}
          elementsSelectable={false}
          nodesFocusable
          edgesFocusable={false}
          disableKeyboardA11y
          nodesDraggable={mode === 'edit'}
          deleteKeyCode={null}
          selectionKeyCode={null}
          multiSelectionKeyCode={null}
          minZoom={0.2}
          maxZoom={1.5}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={16} size={1} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </CanvasContext.Provider>
  );
}

function pick(n: GraphNode | undefined): Partial<GraphNode> {
  return n ? { position: n.position, width: n.width, height: n.height, ...(n.style ? { style: n.style } : {}) } : {};
}

/**
 * The workflow drawn as a graph: `edit` for the builder (add on any edge, drag, keyboard), `view`
 * for a run (decorations per step, nothing editable). Clicking a node or Enter on it selects it.
 */
export function WorkflowCanvas(props: WorkflowCanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

export { TRIGGER_NODE_ID };
