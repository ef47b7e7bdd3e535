/** What an execution's model calls used: the usage of its results summed (a path's last result stands; an agent's own total is not counted twice). */
import type { StepResult, TokenUsage } from '@tributary/contracts';

export function executionUsage(steps: readonly StepResult[]): TokenUsage | null {
  let any = false;
  for (const s of steps) if (s.usage) any = true;
  if (!any) return null;
  const byPath = new Map<string, StepResult>();
  for (const s of steps) byPath.set(s.path ?? s.stepId, s);
  const sum: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  for (const s of byPath.values()) {
    if (!s.usage || s.type === 'agent') continue;
    sum.promptTokens += s.usage.promptTokens;
    sum.completionTokens += s.usage.completionTokens;
    sum.totalTokens += s.usage.totalTokens;
  }
  return sum;
}
