/** How the dashboard names and draws each kind of step (workflow language v2): the builder and the execution page share it. */
import { Bot, Braces, GitFork, Hourglass, Repeat, Split, Workflow, type LucideIcon } from 'lucide-react';
import type { StepKind } from '@tributary/contracts';

export type { StepKind };

export const BLOCK_LABELS: Record<StepKind, string> = {
  action: 'Action',
  condition: 'Condition',
  loop: 'Loop',
  parallel: 'Parallel',
  wait: 'Wait',
  call: 'Sub-workflow',
  agent: 'AI agent',
};

export const BLOCK_ICONS: Record<StepKind, LucideIcon> = {
  action: Braces,
  condition: GitFork,
  loop: Repeat,
  parallel: Split,
  wait: Hourglass,
  call: Workflow,
  agent: Bot,
};
