/**
 * An execution's step results (flat, keyed by path) as the workflow's tree of steps and blocks: a
 * condition with the branch it took, a loop with its iterations, a parallel block with its branches.
 * A step not reached yet is `pending`.
 */
import { stepKind, type ExecutionStepNode, type StepDefinition, type StepResult } from '@tributary/contracts';

export function executionTree(steps: StepDefinition[], results: StepResult[]): ExecutionStepNode[] {
  // The last result of a path stands for it (a wait recorded `waiting`, then resumed).
  const byPath = new Map<string, StepResult>();
  for (const r of results) byPath.set(r.path ?? r.stepId, r);
  const paths = [...byPath.keys()];

  const list = (defs: StepDefinition[], prefix: string): ExecutionStepNode[] => defs.map((d) => node(d, prefix));

  const node = (def: StepDefinition, prefix: string): ExecutionStepNode => {
    const path = prefix + def.id;
    const result = byPath.get(path);
    const n: ExecutionStepNode = { stepId: def.id, path, type: stepKind(def), status: result?.status ?? 'pending', ...(def.name ? { name: def.name } : {}), ...(result ? { result } : {}) };
    switch (def.type) {
      case 'condition': {
        const recorded = (result?.input as { branch?: unknown } | undefined)?.branch;
        // Not closed yet (waiting inside, or in flight): the branch whose steps have results.
        const has = (branch: StepDefinition[]) => branch.some((s) => byPath.has(prefix + s.id));
        const branch = recorded === 'then' || recorded === 'else' ? recorded : has(def.then) ? 'then' : has(def.else) ? 'else' : undefined;
        if (branch) {
          n.branch = branch;
          n.steps = list(def[branch], prefix);
        }
        break;
      }
      case 'loop': {
        const counted = (result?.input as { items?: unknown } | undefined)?.items;
        let count = typeof counted === 'number' ? counted : 0;
        if (typeof counted !== 'number') {
          // In flight: as many iterations as have results.
          const open = `${path}[`;
          for (const p of paths) if (p.startsWith(open)) count = Math.max(count, Number(p.slice(open.length, p.indexOf(']', open.length))) + 1);
        }
        n.iterations = Array.from({ length: count }, (_, i) => ({ index: i, steps: list(def.steps, `${path}[${i}].`) }));
        break;
      }
      case 'parallel':
        n.branches = def.branches.map((b, i) => ({ index: i, steps: list(b, `${path}[${i}].`) }));
        break;
      case 'agent': {
        // Each model turn with the tool calls (and approvals) it asked for, as recorded, in order.
        const turns = new Map<number, ExecutionStepNode[]>();
        const open = `${path}[`;
        for (const [p, r] of byPath) {
          if (!p.startsWith(open)) continue;
          const i = Number(p.slice(open.length, p.indexOf(']', open.length)));
          const sub: ExecutionStepNode = { stepId: p.slice(p.indexOf('].', open.length) + 2), path: p, type: r.type ?? 'action', status: r.status, result: r };
          turns.set(i, [...(turns.get(i) ?? []), sub]);
        }
        n.iterations = [...turns.entries()].sort((a, b) => a[0] - b[0]).map(([index, steps]) => ({ index, steps }));
        // Parked inside (an approval, a workflow tool running): the agent waits with it.
        if (!result && [...turns.values()].some((list) => list.some((x) => x.status === 'waiting'))) n.status = 'waiting';
        break;
      }
      default:
        break;
    }
    return n;
  };
  return list(steps, '');
}
