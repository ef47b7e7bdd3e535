/**
 * A workflow as a graph for the canvas: the trigger and every step as nodes (node id = step id, the
 * trigger `'$trigger'`), a loop as a container node holding its body, a condition's then/else and a
 * parallel's lanes as branches that meet again at a small join node. Edges carry the list position
 * a step added on them goes to. Positions come from elkjs (layered, top to bottom); nothing here
 * draws. Shared by the builder (edit) and the execution page (view).
 */
import type { Edge, Node } from '@xyflow/react';
import type { Step, Trigger } from '@/lib/api/types';
import { childLists, nestedCount, ROOT, type ListRef } from './step-tree';

export const TRIGGER_NODE_ID = '$trigger';

export type StepNodeData = {
  kind: 'step';
  step: Step;
  /** The list it is in and where. */
  ref: ListRef;
  index: number;
  /** A block drawn folded (its nested steps hidden): how many it hides. */
  collapsed: boolean;
  hidden: number;
};
export type TriggerNodeData = { kind: 'trigger'; trigger: Trigger | null };
/** Small connector nodes: where a condition's or parallel's branches meet, a loop body's start and end, the workflow's end. */
export type PortNodeData = { kind: 'port'; role: 'join' | 'start' | 'end'; owner: string | null; label?: string };
/** An empty list (branch, lane, loop body, the workflow itself): a place to add the first step. */
export type EmptyNodeData = { kind: 'empty'; ref: ListRef; label: string };
export type GraphNodeData = StepNodeData | TriggerNodeData | PortNodeData | EmptyNodeData;

export type GraphNode = Node<GraphNodeData, 'trigger' | 'step' | 'loop' | 'port' | 'empty'>;
export type GraphEdgeData = {
  /** A step added on this edge goes here. */
  slot?: { ref: ListRef; index: number };
  label?: string;
};
export type GraphEdge = Edge<GraphEdgeData, 'slot'>;

export const NODE_SIZE = {
  trigger: { width: 248, height: 64 },
  step: { width: 248, height: 64 },
  port: { width: 12, height: 12 },
  empty: { width: 168, height: 40 },
} as const;
/** The room a loop container keeps above its body for its own header. */
export const LOOP_HEADER = 64;

function branchLabel(owner: Step, which: ListRef['which']): string {
  if (owner.type === 'condition') return which === 'then' ? 'then' : 'else';
  if (owner.type === 'loop') return 'each item';
  return typeof which === 'number' ? `branch ${which + 1}` : '';
}

export function buildGraph({ trigger, steps, collapsed }: { trigger: Trigger | null; steps: Step[]; collapsed?: ReadonlySet<string> }): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const used = new Set<string>([TRIGGER_NODE_ID]);
  // Ids are unique in a valid workflow; a draft being typed may repeat one for a moment.
  const nodeId = (id: string) => {
    let out = id || '(no id)';
    for (let n = 2; used.has(out); n++) out = `${id}#${n}`;
    used.add(out);
    return out;
  };
  const edge = (source: string, target: string, data: GraphEdgeData = {}) => {
    edges.push({ id: `${source}->${target}#${edges.length}`, source, target, type: 'slot', data });
  };

  nodes.push({ id: TRIGGER_NODE_ID, type: 'trigger', position: { x: 0, y: 0 }, data: { kind: 'trigger', trigger } });

  /**
   * Draws a list after `from` (a node id); answers the node its last step leaves from. `label` names
   * the list's first edge (then/else/branch n).
   */
  const drawList = (list: Step[], ref: ListRef, from: string, parentId: string | undefined, label: string | undefined, emptyLabel: string): string => {
    if (list.length === 0) {
      const id = nodeId(`${ref.parent ?? ''}$empty:${String(ref.which)}`);
      nodes.push({ id, type: 'empty', position: { x: 0, y: 0 }, data: { kind: 'empty', ref, label: emptyLabel }, ...(parentId ? { parentId } : {}) });
      edge(from, id, { label });
      return id;
    }
    let prev = from;
    list.forEach((step, index) => {
      const tail = drawStep(step, ref, index, parentId);
      edge(prev, tail.head, { slot: { ref, index }, label: index === 0 ? label : undefined });
      prev = tail.tail;
    });
    return prev;
  };

  const drawStep = (step: Step, ref: ListRef, index: number, parentId: string | undefined): { head: string; tail: string } => {
    const lists = childLists(step);
    const folded = lists.length > 0 && !!collapsed?.has(step.id);
    const id = nodeId(step.id);
    const isLoop = step.type === 'loop' && !folded;
    nodes.push({
      id,
      type: isLoop ? 'loop' : 'step',
      position: { x: 0, y: 0 },
      data: { kind: 'step', step, ref, index, collapsed: folded, hidden: folded ? nestedCount(step) : 0 },
      ...(parentId ? { parentId } : {}),
    });
    if (lists.length === 0 || folded) return { head: id, tail: id };

    if (isLoop) {
      const start = nodeId(`${id}$start`);
      const end = nodeId(`${id}$end`);
      nodes.push({ id: start, type: 'port', position: { x: 0, y: 0 }, data: { kind: 'port', role: 'start', owner: step.id }, parentId: id });
      const last = drawList(lists[0].steps, lists[0].ref, start, id, undefined, 'Add the loop’s first step');
      nodes.push({ id: end, type: 'port', position: { x: 0, y: 0 }, data: { kind: 'port', role: 'end', owner: step.id, label: 'next item' }, parentId: id });
      edge(last, end, lists[0].steps.length ? { slot: { ref: lists[0].ref, index: lists[0].steps.length } } : {});
      return { head: id, tail: id };
    }

    // Condition and parallel: each list a lane below the block, meeting again at a join.
    const ends = lists.map((l) => ({ l, last: drawList(l.steps, l.ref, id, parentId, branchLabel(step, l.ref.which), step.type === 'condition' ? `Add to ${String(l.ref.which)}` : 'Add to this branch') }));
    const join = nodeId(`${id}$join`);
    nodes.push({ id: join, type: 'port', position: { x: 0, y: 0 }, data: { kind: 'port', role: 'join', owner: step.id }, ...(parentId ? { parentId } : {}) });
    for (const { l, last } of ends) edge(last, join, l.steps.length ? { slot: { ref: l.ref, index: l.steps.length } } : {});
    return { head: id, tail: join };
  };

  if (steps.length === 0) {
    drawList([], ROOT, TRIGGER_NODE_ID, undefined, undefined, 'Add the first step');
  } else {
    const last = drawList(steps, ROOT, TRIGGER_NODE_ID, undefined, undefined, '');
    nodes.push({ id: '$end', type: 'port', position: { x: 0, y: 0 }, data: { kind: 'port', role: 'end', owner: null } });
    edge(last, '$end', { slot: { ref: ROOT, index: steps.length } });
  }
  return { nodes, edges };
}

// elkjs is ~1.5 MB: outside the page's first chunk, fetched and parsed as soon as this module loads
// in the browser (while the page still waits for the workflow and the connectors), not at first layout.
type ElkNode = { id: string; width?: number; height?: number; x?: number; y?: number; layoutOptions?: Record<string, string>; children?: ElkNode[]; edges?: { id: string; sources: string[]; targets: string[] }[] };
let elkPromise: Promise<{ layout(graph: ElkNode): Promise<ElkNode> }> | null = null;
function elk() {
  elkPromise ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default());
  return elkPromise;
}
if (typeof window !== 'undefined') void elk();

const LAYOUT: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '52',
  'elk.spacing.nodeNode': '36',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.crossingMinimization.forceNodeModelOrder': 'true',
  // With the model order forced, more passes have nothing to reorder: 1 instead of the default 7
  // drew the same positions on branching graphs in less time (docs/benchmarks.md, the canvas).
  'elk.layered.thoroughness': '1',
};

function sizeOf(n: GraphNode): { width: number; height: number } {
  if (n.type === 'loop') return NODE_SIZE.step;
  return NODE_SIZE[n.type ?? 'step'];
}

/** Positions (and container sizes) from elkjs; nodes keep their order, parents before their children. */
export async function layoutGraph(nodes: GraphNode[], edges: GraphEdge[]): Promise<{ nodes: GraphNode[]; edges: GraphEdge[] }> {
  const byParent = new Map<string | undefined, GraphNode[]>();
  for (const n of nodes) {
    const list = byParent.get(n.parentId) ?? [];
    list.push(n);
    byParent.set(n.parentId, list);
  }
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId]));
  const edgesIn = new Map<string | undefined, GraphEdge[]>();
  for (const e of edges) {
    const p = parentOf.get(e.source);
    const list = edgesIn.get(p) ?? [];
    list.push(e);
    edgesIn.set(p, list);
  }
  const toElk = (n: GraphNode): ElkNode => {
    const kids = byParent.get(n.id);
    if (n.type === 'loop' && kids?.length) {
      return {
        id: n.id,
        layoutOptions: { ...LAYOUT, 'elk.padding': `[top=${LOOP_HEADER},left=24,bottom=20,right=24]` },
        children: kids.map(toElk),
        edges: (edgesIn.get(n.id) ?? []).map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
      };
    }
    return { id: n.id, ...sizeOf(n) };
  };
  const root: ElkNode = {
    id: '$root',
    layoutOptions: LAYOUT,
    children: (byParent.get(undefined) ?? []).map(toElk),
    edges: (edgesIn.get(undefined) ?? []).map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const laid = await (await elk()).layout(root);
  const placed = new Map<string, ElkNode>();
  const walk = (n: ElkNode) => {
    placed.set(n.id, n);
    n.children?.forEach(walk);
  };
  walk(laid);
  return {
    nodes: nodes.map((n) => {
      const p = placed.get(n.id);
      if (!p) return n;
      const size = { width: p.width ?? sizeOf(n).width, height: p.height ?? sizeOf(n).height };
      return { ...n, position: { x: p.x ?? 0, y: p.y ?? 0 }, width: size.width, height: size.height, ...(n.type === 'loop' ? { style: { ...n.style, ...size } } : {}) };
    }),
    edges,
  };
}
