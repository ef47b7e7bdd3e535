/**
 * The data behind the builder's template help: the workflow's last run (its steps' outputs, by step
 * id, for suggestions and previews) and `POST /workflows/template-preview`, which renders templates
 * on the api exactly as the engine does.
 */
import * as React from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, errorMessage, type ErrorDetail } from './client';
import type { Execution, ExecutionSummary, Page } from './types';

/** The outputs of a run by step id, the payload it ran with. */
export interface LastRunOutputs {
  executionId: string;
  payload: unknown;
  outputs: Record<string, unknown>;
}

const UNFINISHED = new Set(['queued', 'running']);

/**
 * Outputs by step id. Inside loops a step has one result per iteration: the first recorded (with
 * concurrency 1, the first item's) stands for the step.
 */
export function outputsByStep(execution: Pick<Execution, 'steps'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of execution.steps) {
    if (r.stepId in out || r.output === undefined) continue;
    if (r.status === 'succeeded' || r.status === 'failed') out[r.stepId] = r.output;
  }
  return out;
}

/** The latest run of the workflow that has finished (or else the latest), with its outputs by step id; null when it never ran. */
export function useLastRun(workflowId: string | undefined) {
  return useQuery({
    queryKey: ['executions', 'last-run', workflowId ?? ''],
    enabled: !!workflowId,
    staleTime: 30_000,
    queryFn: async ({ signal }): Promise<LastRunOutputs | null> => {
      const page = await api<Page<ExecutionSummary>>('/executions', { query: { workflowId, limit: 10 }, signal });
      const latest = page.items.find((e) => !UNFINISHED.has(e.status)) ?? page.items[0];
      if (!latest) return null;
      const execution = await api<Execution>(`/executions/${latest.id}`, { signal });
      return { executionId: execution.id, payload: execution.payload, outputs: outputsByStep(execution) };
    },
  });
}

/** The body of `POST /workflows/template-preview`. */
export interface TemplatePreviewRequest {
  /** A template string, or an object (or array) whose strings are templates. */
  template: unknown;
  payload?: unknown;
  steps?: Record<string, unknown>;
  item?: unknown;
  index?: number;
  environment?: string;
}

export interface TemplatePreviewResult {
  value: unknown;
  warnings: string[];
}

export type TemplatePreviewState =
  | { status: 'idle' }
  | { status: 'loading'; last?: TemplatePreviewResult }
  | { status: 'ok'; result: TemplatePreviewResult }
  /** A template error (400): the message and where. */
  | { status: 'invalid'; message: string; details: ErrorDetail[] }
  /** The api has no preview route (404) or could not answer. */
  | { status: 'unavailable'; message: string };

export function previewTemplate(body: TemplatePreviewRequest, signal?: AbortSignal): Promise<TemplatePreviewResult> {
  return api<TemplatePreviewResult>('/workflows/template-preview', { method: 'POST', body, signal });
}

/** Typing pauses this long before a preview is asked for (keystrokes in between cancel it). */
const DEBOUNCE_MS = 250;

/**
 * The preview of `request` (null: nothing to preview), asked for after typing pauses; a newer
 * request aborts the one in flight, so an answer never overwrites a newer one.
 */
export function useTemplatePreview(request: TemplatePreviewRequest | null): TemplatePreviewState {
  const key = React.useMemo(() => (request ? JSON.stringify(request) : ''), [request]);
  const [state, setState] = React.useState<TemplatePreviewState>({ status: 'idle' });
  React.useEffect(() => {
    if (!key) {
      setState({ status: 'idle' });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ status: 'loading', last: s.status === 'ok' ? s.result : s.status === 'loading' ? s.last : undefined }));
    const timer = setTimeout(() => {
      previewTemplate(JSON.parse(key) as TemplatePreviewRequest, controller.signal).then(
        (result) => setState({ status: 'ok', result }),
        (err: unknown) => {
          if (controller.signal.aborted) return;
          if (err instanceof ApiError && err.status === 400) setState({ status: 'invalid', message: err.message, details: err.details });
          else if (err instanceof ApiError && (err.status === 404 || err.status === 405)) setState({ status: 'unavailable', message: 'This api does not preview templates yet.' });
          else setState({ status: 'unavailable', message: errorMessage(err) });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);
  return state;
}
