import { CalendarClock, Hand, Radio, Webhook } from 'lucide-react';
import type { Trigger } from '@/lib/api/types';

export const triggerMeta = {
  webhook: { label: 'Webhook', icon: Webhook, hint: 'An HTTP POST to its URL starts a run' },
  schedule: { label: 'Schedule', icon: CalendarClock, hint: 'Every N seconds, or a cron expression' },
  event: { label: 'Event', icon: Radio, hint: 'A topic published on the platform' },
  manual: { label: 'Manual', icon: Hand, hint: 'Started from the dashboard or the api' },
} as const;

export function describeTrigger(t: Trigger): string {
  switch (t.type) {
    case 'webhook':
      return `Webhook · ${t.responseMode === 'sync' ? 'sync' : 'async'}`;
    case 'schedule':
      return t.cron ? `Cron ${t.cron}${t.timezone ? ` (${t.timezone})` : ''}` : `Every ${t.intervalSeconds ?? '?'} s`;
    case 'event':
      return `Event · ${t.topic}`;
    default:
      return 'Manual';
  }
}

/** How the dashboard says what started an execution (the api's `triggerType`); the others read as they are. */
const EXECUTION_TRIGGER_LABELS: Record<string, string> = {
  error: 'error workflow',
  call: 'sub-workflow call',
  mcp: 'MCP tool call',
};

export function executionTriggerLabel(type: string): string {
  return EXECUTION_TRIGGER_LABELS[type] ?? type;
}
