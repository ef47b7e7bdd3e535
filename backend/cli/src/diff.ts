/** A minimal line diff (longest common subsequence) printed as unified hunks with 3 lines of context. */
import { cyan, green, red } from './output.js';

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

function diffOps(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: Op[] = [];
  for (let i = 0; i < start; i++) ops.push({ kind: ' ', line: a[i]!, a: i, b: i });
  const n = endA - start;
  const m = endB - start;
  if (n * m > 4_000_000) {
    // Too large to align cheaply: the whole middle as removed then added.
    for (let i = start; i < endA; i++) ops.push({ kind: '-', line: a[i]!, a: i, b: -1 });
    for (let j = start; j < endB; j++) ops.push({ kind: '+', line: b[j]!, a: -1, b: j });
  } else {
    // lcs[i][j]: length of the LCS of a[start+i..endA) and b[start+j..endB).
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i]![j] = a[start + i] === b[start + j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        ops.push({ kind: ' ', line: a[start + i]!, a: start + i, b: start + j });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
        ops.push({ kind: '-', line: a[start + i]!, a: start + i, b: -1 });
        i++;
      } else {
        ops.push({ kind: '+', line: b[start + j]!, a: -1, b: start + j });
        j++;
      }
    }
  }
  for (let k = 0; k < a.length - endA; k++) ops.push({ kind: ' ', line: a[endA + k]!, a: endA + k, b: endB + k });
  return ops;
}

/** Unified diff lines (without the file headers); empty when the inputs are equal. */
export function unifiedDiff(a: string[], b: string[], context = 3): string[] {
  const ops = diffOps(a, b);
  const changed = ops.map((o, i) => (o.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  if (!changed.length) return [];
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, changed[k]! - context);
    let to = Math.min(ops.length - 1, changed[k]! + context);
    while (k + 1 < changed.length && changed[k + 1]! - context <= to + 1) {
      k++;
      to = Math.min(ops.length - 1, changed[k]! + context);
    }
    k++;
    const hunk = ops.slice(from, to + 1);
    const aStart = ops.slice(0, from).filter((o) => o.kind !== '+').length;
    const bStart = ops.slice(0, from).filter((o) => o.kind !== '-').length;
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(cyan(`@@ -${aStart + 1},${aLen} +${bStart + 1},${bLen} @@`));
    for (const o of hunk) out.push(o.kind === '-' ? red(`-${o.line}`) : o.kind === '+' ? green(`+${o.line}`) : ` ${o.line}`);
  }
  return out;
}
