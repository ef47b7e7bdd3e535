/**
 * An execution laid over its workflow's canvas: each step id gets the status, attempts, duration and
 * badge of what ran at that step. Inside a loop a step ran once per iteration (results at
 * `loop[3].child`): the canvas shows the iteration selected for that loop (by default the one that
 * failed, else the one waiting or running, else the last), and the loop's own node counts them.
 */
import type { Execution, ExecutionStepNode, PendingWait } from '@/lib/api/types';
import type { StepDefinition } from '@tributary/contracts';
import { childLists } from '@tributary/contracts/workflow';

export type NodeRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'waiting' | 'skipped' | 'cancelled';

/** What the canvas draws on a node (the `decorations` prop of WorkflowCanvas). */
export interface NodeDecoration {
  status?: NodeRunStatus;
  attempts?: number;
  durationMs?: number;
  badge?: string;
}

/** A loop around a node, as the canvas shows it: which iteration is selected out of how many. */
export interface EnclosingLoop {
  stepId: string;
  /** The loop's own path (`outer[1].inner` for a loop in a loop): the key of its selected iteration. */
  path: string;
  count: number;
  selected: number;
}

/** What the debugger knows of one step id at the selected iterations. */
export interface NodeRun {
  stepId: string;
  /** The run's record at that step (absent: not reached, not in the selected iteration, a branch not taken). */
  node?: ExecutionStepNode;
  status?: NodeRunStatus;
  /** Loops around it, outermost first. */
  loops: EnclosingLoop[];
  /** A condition's branch that did not run holds it. */
  notTaken?: boolean;
  /** A loop's or agent's selected iteration (its index), for the node itself. */
  selectedIteration?: number;
}

export interface RunView {
  decorations: Record<string, NodeDecoration>;
  runs: Map<string, NodeRun>;
}

const ACTIVE = new Set(['queued', 'running']);

/** A loop's iteration, or a branch: the worst status of its steps, else how far it got. */
export function groupStatus(nodes: ExecutionStepNode[], executionActive: boolean): 'succeeded' | 'failed' | 'waiting' | 'skipped' | 'running' | 'pending' {
  const st = nodes.map((n) => n.status);
  if (st.includes('failed')) return 'failed';
  if (st.includes('waiting')) return 'waiting';
  if (st.length > 0 && st.every((s) => s === 'skipped')) return 'skipped';
  if (st.length > 0 && st.every((s) => s === 'succeeded' || s === 'skipped')) return 'succeeded';
  if (st.some((s) => s !== 'pending')) return executionActive ? 'running' : 'pending';
  return 'pending';
}

/** The iteration shown by default: the first failed, else the first waiting, else the one in progress, else the last. */
export function defaultIteration(iterations: { index: number; steps: ExecutionStepNode[] }[], executionActive: boolean): number {
  if (iterations.length === 0) return 0;
  const statuses = iterations.map((it) => groupStatus(it.steps, executionActive));
  for (const want of ['failed', 'waiting', 'running'] as const) {
    const i = statuses.indexOf(want);
    if (i >= 0) return i;
  }
  return iterations.length - 1;
}

/** Whether a block has started inside (it has no result of its own until it ends). */
function startedInside(node: ExecutionStepNode): boolean {
  if (node.iterations?.length) return true;
  if (node.branch) return true;
  return (node.branches ?? []).some((b) => b.steps.some((s) => s.status !== 'pending'));
}

/**
 * A node's status for the canvas. `pending` becomes `running` (or `queued`, `cancelled`) only for
 * the step the run is at: a block begun inside, or the first pending step after finished ones.
 */
function statusOf(node: ExecutionStepNode, frontier: boolean, exec: Pick<Execution, 'status'>): NodeRunStatus | undefined {
  const active = ACTIVE.has(exec.status);
  if (node.type === 'agent' && !node.result && node.iterations?.length) {
    // Parked on an approval of a tool call or on a workflow tool's run; else still thinking.
    if (node.iterations.some((it) => it.steps.some((x) => x.status === 'waiting'))) return 'waiting';
    return active ? 'running' : exec.status === 'cancelled' ? 'cancelled' : undefined;
  }
  if (node.status !== 'pending') return node.status;
  if (!frontier && !startedInside(node)) return undefined;
  if (active) return exec.status === 'queued' && !startedInside(node) ? 'queued' : 'running';
  if (exec.status === 'cancelled') return 'cancelled';
  return undefined;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Per step id, what the canvas shows for this execution. `definition` is the workflow version's
 * steps (to know what a condition's untaken branch holds); `selected` maps a loop's or agent's
 * path to the iteration chosen (absent: the default one).
 */
export function runView(exec: Pick<Execution, 'status' | 'tree'>, definition: StepDefinition[], selected: Record<string, number>): RunView {
  const decorations: Record<string, NodeDecoration> = {};
  const runs = new Map<string, NodeRun>();
  const active = ACTIVE.has(exec.status);
  const byId = new Map<string, StepDefinition>();
  const index = (list: StepDefinition[]) => {
    for (const s of list) {
      byId.set(s.id, s);
      for (const c of childLists(s)) index(c);
    }
  };
  index(definition);

  const markNotTaken = (steps: StepDefinition[], loops: EnclosingLoop[]) => {
    for (const s of steps) {
      decorations[s.id] = { status: 'skipped', badge: 'branch not taken' };
      runs.set(s.id, { stepId: s.id, status: 'skipped', loops, notTaken: true });
      for (const c of childLists(s)) markNotTaken(c, loops);
    }
  };

  const visitList = (nodes: ExecutionStepNode[], loops: EnclosingLoop[], inProgress: boolean, loopBadge?: string) => {
    let frontierUsed = false;
    nodes.forEach((node, i) => {
      const prevDone = i === 0 || nodes.slice(0, i).every((p) => p.status !== 'pending');
      const frontier = inProgress && !frontierUsed && prevDone && node.status === 'pending';
      if (frontier) frontierUsed = true;
      visit(node, loops, frontier, loopBadge);
    });
  };

  const visit = (node: ExecutionStepNode, loops: EnclosingLoop[], frontier: boolean, loopBadge?: string) => {
    const status = statusOf(node, frontier, exec);
    const r = node.result;
    const badges: string[] = [];
    if (loopBadge) badges.push(loopBadge);
    const run: NodeRun = { stepId: node.stepId, node, status, loops };
    const iterations = node.iterations ?? [];
    if (node.type === 'loop' || node.type === 'agent') {
      const sel = Math.min(selected[node.path] ?? defaultIteration(iterations, active), Math.max(0, iterations.length - 1));
      run.selectedIteration = sel;
      if (iterations.length) {
        const failed = iterations.filter((it) => groupStatus(it.steps, active) === 'failed').length;
        badges.push(node.type === 'agent' ? plural(iterations.length, 'turn') : `${plural(iterations.length, 'iteration')}${failed ? ` · ${failed} failed` : ''}`);
      }
      if (node.type === 'loop' && iterations.length) {
        const inner = [...loops, { stepId: node.stepId, path: node.path, count: iterations.length, selected: sel }];
        const it = iterations[sel];
        const itStatus = groupStatus(it.steps, active);
        visitList(it.steps, inner, active && (itStatus === 'running' || itStatus === 'pending'), `#${sel + 1} of ${iterations.length}`);
      }
    } else if (node.type === 'parallel') {
      for (const b of node.branches ?? []) visitList(b.steps, loops, active && status === 'running', loopBadge);
    } else if (node.type === 'condition') {
      if (node.branch) {
        visitList(node.steps ?? [], loops, active && status === 'running', loopBadge);
        const def = byId.get(node.stepId);
        if (def?.type === 'condition') markNotTaken(node.branch === 'then' ? def.else : def.then, loops);
      }
    }
    if (r?.reused) badges.push('reused');
    if (r?.pinned) badges.push('pinned');
    decorations[node.stepId] = {
      ...(status ? { status } : {}),
      ...(r && r.attempts > 0 ? { attempts: r.attempts } : {}),
      ...(r ? { durationMs: r.durationMs } : {}),
      ...(badges.length ? { badge: badges.join(' · ') } : {}),
    };
    runs.set(node.stepId, run);
  };

  visitList(exec.tree ?? [], [], active);
  return { decorations, runs };
}

/** The waits of a node: its own (a wait step), or an agent's approvals of tool calls (`<id>[i].approve[k]`). */
export function waitsOf(waits: PendingWait[], node: ExecutionStepNode | undefined): PendingWait[] {
  if (!node) return [];
  return waits.filter((w) => w.path === node.path || (node.type === 'agent' && w.path.startsWith(`${node.path}[`)));
}
