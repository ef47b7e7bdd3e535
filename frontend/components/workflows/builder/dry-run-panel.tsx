'use client';
import * as React from 'react';
import { FlaskConical, TriangleAlert } from 'lucide-react';
import type { DryRunResult, DryRunStep } from '@/lib/api/types';
import { formatDuration } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Textarea } from '@/components/ui/textarea';
import { JsonView } from '@/components/common/json-view';
import { InlineError } from '@/components/common/states';
import { StatusBadge } from '@/components/common/status-badge';
import { agentOutputOf, formatTokens } from '@/components/logs/agent-run';
import { useBuilder } from './builder-context';

function StepResult({ step, index }: { step: DryRunStep; index: number }) {
  const agent = step.type === 'agent' ? agentOutputOf(step.output) : null;
  return (
    <li className="rounded-lg border bg-card p-3" data-testid="dry-run-step" data-step-id={step.id} data-path={step.path ?? step.id} data-status={step.status}>
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 truncate text-sm font-medium" title={step.path ?? step.id}>
          {index + 1}. {step.path ?? step.id}{' '}
          <span className="font-normal text-muted-foreground">· {step.type && step.type !== 'action' ? `${step.type} block` : `${step.connector}.${step.action}`}</span>
        </span>
        {step.usage && (
          <span className="text-xs text-muted-foreground tabular-nums" data-testid="dry-run-tokens">
            {formatTokens(step.usage.totalTokens)}
          </span>
        )}
        <span className="text-xs text-muted-foreground tabular-nums">{formatDuration(step.durationMs)}</span>
        <StatusBadge status={step.status} />
      </div>
      {agent && (
        <div className="mt-2 rounded-md border border-primary/30 bg-primary/5 p-2 text-sm" data-testid="dry-run-agent-answer">
          <p className="text-xs font-medium text-primary">
            Answer after {agent.iterations} iteration{agent.iterations === 1 ? '' : 's'}
          </p>
          <p className="break-words whitespace-pre-wrap">{agent.answer || '(empty)'}</p>
        </div>
      )}
      {step.warnings && step.warnings.length > 0 && (
        <ul className="mt-2 flex flex-col gap-1 rounded-md border border-warning/40 bg-warning/10 p-2 text-xs" data-testid="dry-run-warnings">
          {step.warnings.map((w, i) => (
            <li key={i} className="flex items-start gap-1.5">
              <TriangleAlert className="mt-0.5 size-3 shrink-0" aria-hidden /> {w}
            </li>
          ))}
        </ul>
      )}
      {step.status !== 'skipped' && (
        <div className="mt-2 grid gap-2">
          <div>
            <p className="mb-1 text-xs font-medium text-muted-foreground">Rendered input</p>
            <JsonView value={step.input} testId="dry-run-input" className="max-h-48" />
          </div>
          {step.error ? (
            <div>
              <p className="mb-1 text-xs font-medium text-destructive">Error</p>
              <JsonView value={step.error} testId="dry-run-error" className="max-h-48 border-destructive/30 bg-destructive/5 text-destructive" />
            </div>
          ) : (
            <div>
              <p className="mb-1 text-xs font-medium text-muted-foreground">Output</p>
              <JsonView value={step.output} testId="dry-run-output" className="max-h-48" />
            </div>
          )}
        </div>
      )}
    </li>
  );
}

export function DryRunPanel({ onRun, pending, result, error }: { onRun(payload: unknown): void; pending: boolean; result?: DryRunResult; error: unknown }) {
  const { sample, setSample, sampleValue } = useBuilder();
  const invalid = sampleValue === undefined;
  return (
    <div className="flex flex-col gap-4">
      <Field
        id="sample-payload"
        label="Sample payload"
        description="The trigger payload for the dry run; it also feeds the template suggestions. Nothing is saved and every step really runs."
        error={invalid ? 'Not valid JSON' : undefined}
      >
        {(aria) => <Textarea {...aria} rows={8} className="font-mono text-xs" spellCheck={false} value={sample} onChange={(e) => setSample(e.target.value)} data-testid="sample-payload" />}
      </Field>
      <Button onClick={() => onRun(sampleValue)} disabled={invalid || pending} data-testid="dry-run">
        <FlaskConical /> {pending ? 'Running…' : 'Dry run'}
      </Button>
      <InlineError error={error} />
      {result && (
        <section aria-label="Dry run result" className="flex flex-col gap-2" data-testid="dry-run-result" data-status={result.status}>
          <div className="flex items-center gap-2 text-sm">
            <StatusBadge status={result.status} />
            <span className="text-muted-foreground">in {formatDuration(result.durationMs)}</span>
          </div>
          <ol className="flex flex-col gap-2">
            {result.steps.map((s, i) => (
              <StepResult key={`${s.id}-${i}`} step={s} index={i} />
            ))}
          </ol>
          {result.output !== undefined && (
            <div>
              <p className="mb-1 text-xs font-medium text-muted-foreground">Workflow output</p>
              <JsonView value={result.output} className="max-h-48" />
            </div>
          )}
        </section>
      )}
    </div>
  );
}
