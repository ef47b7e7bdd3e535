import { TriangleAlert } from 'lucide-react';
import type { ExecutionStep } from '@/lib/api/types';
import { cn, formatDateTime } from '@/lib/utils';
import { JsonView } from '@/components/common/json-view';
import { AgentRun, agentOutputOf, UsageLine } from './agent-run';

/**
 * One recorded step result in full: warnings, error, rendered input, output, times and idempotency
 * key; an agent's answer, tokens and conversation first (its raw input and output folded), and a
 * model call's tokens.
 */
export function StepResultBody({ step, id, narrow = false }: { step: ExecutionStep; id?: string; /** In a side panel: one column whatever the screen. */ narrow?: boolean }) {
  const agent = step.type === 'agent' ? agentOutputOf(step.output) : null;
  // Full width in the two-column layout; nothing to span in one column.
  const span = narrow ? undefined : 'lg:col-span-2';
  const io = (
    <>
      <div className="min-w-0">
        <h4 className="mb-1 text-xs font-medium text-muted-foreground">Input (rendered)</h4>
        <JsonView value={step.input} testId="execution-step-input" />
      </div>
      <div className="min-w-0">
        <h4 className="mb-1 text-xs font-medium text-muted-foreground">Output</h4>
        <JsonView value={step.output} testId="execution-step-output" />
      </div>
    </>
  );
  return (
    <div id={id} className={cn('grid gap-4 border-t p-4', !narrow && 'lg:grid-cols-2')} data-testid="execution-step-detail">
      {step.warnings && step.warnings.length > 0 && (
        <ul className={cn('flex flex-col gap-1 rounded-md border border-warning/40 bg-warning/10 p-3 text-xs', span)}>
          {step.warnings.map((w, i) => (
            <li key={i} className="flex items-start gap-2">
              <TriangleAlert className="mt-0.5 size-3.5 shrink-0" aria-hidden /> {w}
            </li>
          ))}
        </ul>
      )}
      {step.error && (
        <div className={span}>
          <h4 className="mb-1 text-xs font-medium text-destructive">Error</h4>
          <JsonView value={step.error} className="border-destructive/30 bg-destructive/5 text-destructive" testId="execution-step-error" />
        </div>
      )}
      {agent ? (
        <>
          <AgentRun output={agent} className={span} />
          <details className={cn('group', span)}>
            <summary className="cursor-pointer text-xs font-medium text-muted-foreground outline-none select-none focus-visible:ring-2 focus-visible:ring-ring" data-testid="agent-raw-toggle">
              Input and raw output
            </summary>
            <div className={cn('mt-2 grid gap-4', !narrow && 'lg:grid-cols-2')}>{io}</div>
          </details>
        </>
      ) : (
        io
      )}
      <dl className={cn('grid gap-x-4 gap-y-1 text-xs text-muted-foreground sm:grid-cols-[auto_1fr]', span)}>
        <dt>Started</dt>
        <dd>{formatDateTime(step.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatDateTime(step.finishedAt)}</dd>
        {step.path && step.path !== step.stepId && (
          <>
            <dt>Path</dt>
            <dd className="font-mono break-all">{step.path}</dd>
          </>
        )}
        {step.idempotencyKey && (
          <>
            <dt>Idempotency key</dt>
            <dd className="font-mono break-all" data-testid="execution-step-idempotency-key">
              {step.idempotencyKey}
            </dd>
          </>
        )}
        {step.usage && (
          <>
            <dt>Tokens</dt>
            <dd>
              <UsageLine usage={step.usage} testId="execution-step-usage" className="text-foreground" />
            </dd>
          </>
        )}
        {step.pinned && (
          <>
            <dt>Pinned</dt>
            <dd data-testid="execution-step-pinned">not run: its output is the data pinned on the step (test runs only)</dd>
          </>
        )}
        {step.reused && (
          <>
            <dt>Carried over</dt>
            <dd>from the execution this one retries (not run again)</dd>
          </>
        )}
      </dl>
    </div>
  );
}
