'use client';
import * as React from 'react';
import { Eye, TriangleAlert } from 'lucide-react';
import { cn } from '@/lib/utils';
import { useTemplatePreview, type TemplatePreviewRequest } from '@/lib/api/template-preview';
import type { TemplatePreviewScope } from './template-paths';

/** Long values are cut in the preview (the dry run shows them whole). */
const MAX_SHOWN = 600;

function shown(value: unknown): { text: string; empty: boolean } {
  if (value === undefined || value === null || value === '') return { text: value === null ? 'null' : '(empty)', empty: value !== null };
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return { text: text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text, empty: false };
}

function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** The template as the api takes it: a JSON field's text as its object of templates when it parses, else the string. */
function templateOf(text: string, json: boolean): unknown {
  if (!json) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * What a template field renders to with the sample payload, the last run's outputs and (in loops) a
 * sample item, rendered by the api as the engine would; errors and warnings inline. Announced
 * politely to screen readers as it changes.
 */
export function TemplatePreview({ id, value, scope, json }: { id: string; value: string; scope: TemplatePreviewScope; json?: boolean }) {
  const active = hasTemplate(value);
  const request = React.useMemo<TemplatePreviewRequest | null>(() => (active ? { template: templateOf(value, !!json), ...scope } : null), [active, value, json, scope]);
  const state = useTemplatePreview(request);
  const inLoop = scope.index !== undefined;
  const basis = `Rendered with the sample payload${scope.steps && Object.keys(scope.steps).length ? ", the last run's outputs" : ''}${inLoop ? ' and the first item' : ''}`;

  return (
    <div id={id} aria-live="polite" data-testid="template-preview" data-status={active ? state.status : 'idle'} className={cn('mt-1 text-xs', !active && 'sr-only')}>
      {active && (
        <div className="flex items-start gap-1.5 rounded-md border border-dashed bg-muted/40 px-2 py-1.5">
          <Eye className="mt-0.5 size-3.5 shrink-0 text-muted-foreground" aria-hidden />
          <div className="min-w-0 flex-1">
            <span className="sr-only">Preview: </span>
            {state.status === 'ok' || (state.status === 'loading' && state.last) ? (
              <PreviewValue value={state.status === 'ok' ? state.result.value : state.last?.value} stale={state.status === 'loading'} title={basis} />
            ) : state.status === 'loading' || state.status === 'idle' ? (
              <span className="text-muted-foreground">Rendering…</span>
            ) : state.status === 'invalid' ? (
              <span className="text-destructive" data-testid="template-preview-error">
                {state.message}
                {state.details.filter((d) => !state.message.includes(d.message)).map((d) => (
                  <span key={`${d.path}:${d.message}`} className="block">
                    {d.path ? `${d.path}: ` : ''}
                    {d.message}
                  </span>
                ))}
              </span>
            ) : (
              <span className="text-muted-foreground" data-testid="template-preview-unavailable">
                No preview: {state.message}
              </span>
            )}
            {state.status === 'ok' && state.result.warnings.length > 0 && (
              <ul className="mt-1 flex flex-col gap-0.5" data-testid="template-preview-warnings">
                {state.result.warnings.map((w) => (
                  <li key={w} className="flex items-start gap-1">
                    <TriangleAlert className="mt-0.5 size-3 shrink-0 text-warning" aria-hidden />
                    {w}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

function PreviewValue({ value, stale, title }: { value: unknown; stale: boolean; title: string }) {
  const { text, empty } = shown(value);
  return (
    <pre title={title} data-testid="template-preview-value" className={cn('font-mono break-words whitespace-pre-wrap', empty && 'text-muted-foreground italic', stale && 'opacity-60')}>
      {text}
    </pre>
  );
}
