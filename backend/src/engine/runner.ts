/**
 * Runs one execution: the steps in order, each with its `when` condition, rendered input, credential,
 * retries with exponential backoff and a per-attempt timeout; after a step whose action declares
 * `skips` (e.g. a condition's branch not taken), the steps it names are skipped. Outputs feed later
 * steps as `steps.<id>`. Durability: results already recorded are not run again, and after a step
 * that called out (any action not marked `pure`), the results so far are handed to `deps.checkpoint`
 * and recorded before anything else runs, so a crash later never repeats it. After the last step the completion records them instead.
 */
import type { Cancellation } from '../common/cancellation.js';
import { sleep as abortableSleep } from '../common/sleep.js';
import { ConnectorError, type ActionDefinition } from '../connectors/sdk.js';
import type { StepDefinition } from '@tributary/contracts';
import { stepRedactor } from './secret-redaction.js';
import { withTimeout } from '../common/timeout.js';
import { isTruthy } from '../common/truthy.js';
import { renderValue } from './templates.js';
import type { RunDeps, RunRequest, RunResult, StepResult } from './types.js';

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 500;
const DEFAULT_TIMEOUT_MS = 30_000;

export class StepTimeoutError extends Error {
  constructor(ms: number) {
    super(`Step timed out after ${ms} ms`);
    this.name = 'StepTimeoutError';
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

/** Errors worth another attempt: connector errors that say so, timeouts, and network failures. */
function isRetryable(err: unknown): boolean {
  if (err instanceof ConnectorError) return err.retryable;
  if (err instanceof StepTimeoutError) return true;
  if (err && typeof err === 'object' && 'retryable' in err) return Boolean((err as { retryable: unknown }).retryable);
  return false;
}

/** Runs `fn` with a signal that aborts when the run is cancelled or `ms` pass (a StepTimeoutError, retryable). */
async function withStepTimeout<T>(ms: number, parent: Cancellation | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stopListening = parent?.onCancel((reason) => controller.abort(reason));
  try {
    return await withTimeout(fn(controller.signal), ms, () => {
      const err = new StepTimeoutError(ms);
      // Abort after the race has settled with the timeout, so the timeout (not the connector's reaction to the abort) is the error.
      queueMicrotask(() => controller.abort(err));
      return err;
    });
  } finally {
    stopListening?.();
  }
}

/** The stable idempotency key of a step of an execution (the durability contract's `<executionId>:<step path>`). */
export function stepIdempotencyKey(executionId: string, stepPath: string): string {
  return `${executionId}:${stepPath}`;
}

export function buildContext(payload: unknown, executionId: string, outputs: Record<string, unknown>, stepPath?: string): Record<string, unknown> {
  const base = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  const ctx: Record<string, unknown> = { ...base, steps: outputs, $payload: payload, $execution: { id: executionId }, $now: new Date().toISOString() };
  if (stepPath !== undefined) ctx.$step = { id: stepPath, idempotencyKey: stepIdempotencyKey(executionId, stepPath) };
  return ctx;
}

export async function runWorkflow(req: RunRequest, deps: RunDeps): Promise<RunResult> {
  const started = performance.now();
  const sleep = deps.sleep ?? abortableSleep;
  const outputs: Record<string, unknown> = {};
  const results: StepResult[] = [];
  const skip = new Map<string, string>();
  // A failed step is run again (a retry from the failed step), unless its failure was let through (`onError: continue`).
  const continues = new Set(req.steps.filter((s) => s.onError === 'continue').map((s) => s.id));
  const carried = new Map((req.previous ?? []).filter((r) => r.status !== 'failed' || continues.has(r.stepId)).map((r) => [r.stepId, r]));
  let lastOutput: unknown = undefined;

  const finish = (status: RunResult['status'], error?: string): RunResult => ({
    status,
    steps: results,
    output: lastOutput,
    ...(error ? { error } : {}),
    durationMs: Math.round(performance.now() - started),
  });

  for (const [index, step] of req.steps.entries()) {
    if (req.cancellation?.cancelled) return finish('cancelled', 'Execution was cancelled');
    const prior = carried.get(step.id);
    if (prior) {
      // Recorded before a crash, or carried over by a retry from the failed step: it stands as it was.
      results.push(prior);
      if (prior.status === 'succeeded' || prior.status === 'failed') {
        outputs[step.id] = prior.output;
        lastOutput = prior.output;
        if (prior.status === 'succeeded') applySkips(step, prior.output, skip, deps);
      }
      continue;
    }
    let calledOut = false;
    let result = await runStep(step, req, deps, outputs, skip.get(step.id), sleep, () => (calledOut = true));
    // `onError: continue`: the failure is the step's result ({ error } as its output) and the run goes on.
    const continued = result.status === 'failed' && step.onError === 'continue' && !req.cancellation?.cancelled;
    if (continued) result = { ...result, output: { error: result.error } };
    results.push(result);
    await deps.onStep?.(result);
    // A step with effects outside the run is on record before the next one starts (the last one's
    // result goes with the completion, and a failure ends the run there).
    if (calledOut && (result.status !== 'failed' || continued) && index < req.steps.length - 1) await deps.checkpoint?.(results);
    if (continued) {
      outputs[step.id] = result.output;
      lastOutput = result.output;
      continue;
    }
    if (result.status === 'failed') return finish('failed', `Step "${step.id}" failed: ${result.error}`);
    if (result.status === 'succeeded') {
      outputs[step.id] = result.output;
      lastOutput = result.output;
      applySkips(step, result.output, skip, deps);
    }
  }
  return finish('succeeded');
}

/** After a succeeded step (run now or recorded before): the later steps its action's `skips` names are skipped. */
function applySkips(step: StepDefinition, output: unknown, skip: Map<string, string>, deps: RunDeps): void {
  const action = findAction(deps.findConnector(step.connector), step);
  const skips = action?.skips?.({ output, stepInput: step.input, stepId: step.id });
  for (const id of skips?.stepIds ?? []) skip.set(id, skips!.reason);
}

/** The action a step names, of the connector it names (undefined when either is unknown). */
function findAction(connector: ReturnType<RunDeps['findConnector']>, step: StepDefinition): ActionDefinition<unknown, unknown, unknown> | undefined {
  return connector?.actions.find((a) => a.key === step.action) as ActionDefinition<unknown, unknown, unknown> | undefined;
}

async function runStep(
  step: StepDefinition,
  req: RunRequest,
  deps: RunDeps,
  outputs: Record<string, unknown>,
  skippedBecause: string | undefined,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  onCallOut: () => void,
): Promise<StepResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const warnings: string[] = [];
  const base = { stepId: step.id, connector: step.connector, action: step.action, startedAt: startedAt.toISOString() };
  // Replaced once the step's credential is known: its secret values never reach the result (secret-redaction.ts).
  let redact = (r: StepResult): StepResult => r;
  const done = (r: Partial<StepResult> & Pick<StepResult, 'status'>): StepResult => redact({
    ...base,
    warnings,
    attempts: 0,
    ...r,
    durationMs: Math.round(performance.now() - t0),
    finishedAt: new Date().toISOString(),
  });

  if (skippedBecause) return done({ status: 'skipped', warnings: [skippedBecause] });
  const ctx = buildContext(req.payload, req.executionId, outputs, step.id);
  try {
    if (step.when !== undefined && !isTruthy(renderValue(step.when, ctx, warnings))) {
      return done({ status: 'skipped', warnings: [...warnings, 'when condition was false'] });
    }
  } catch (err) {
    return done({ status: 'failed', error: `when condition: ${errorMessage(err)}` });
  }

  let input: unknown;
  try {
    input = renderValue(step.input, ctx, warnings);
  } catch (err) {
    return done({ status: 'failed', error: `Template error: ${errorMessage(err)}` });
  }

  const connector = deps.findConnector(step.connector);
  const action = findAction(connector, step);
  if (!connector || !action) return done({ status: 'failed', input, error: `Unknown connector action ${step.connector}.${step.action}` });

  const parsedInput = action.input.safeParse(input);
  if (!parsedInput.success) {
    const fields = parsedInput.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    return done({ status: 'failed', input, error: `Invalid input after rendering templates: ${fields}` });
  }

  let credentials: unknown = undefined;
  if (connector.credentials) {
    if (!step.credentialId) {
      // Connectors whose credential is optional (generic HTTP: auth "none") default it.
      const empty = connector.credentials.safeParse(undefined);
      if (!empty.success) return done({ status: 'failed', input, error: `Connector "${connector.key}" needs a credential; choose one for this step` });
      credentials = empty.data;
    } else {
      try {
        const resolved = await deps.resolveCredential(step.credentialId);
        if (resolved.connector !== connector.key) throw new Error(`Credential is for "${resolved.connector}", not "${connector.key}"`);
        const parsed = connector.credentials.safeParse(resolved.data);
        if (!parsed.success) throw new Error(`Stored credential does not match the connector's fields: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
        credentials = parsed.data;
        redact = stepRedactor(resolved.data) ?? redact;
      } catch (err) {
        return done({ status: 'failed', input, error: `Credential: ${errorMessage(err)}` });
      }
    }
  }

  if (!action.pure) onCallOut();
  const idempotencyKey = stepIdempotencyKey(req.executionId, step.id);
  const maxAttempts = step.retry?.attempts ?? DEFAULT_ATTEMPTS;
  const backoff = step.retry?.backoffMs ?? DEFAULT_BACKOFF_MS;
  const timeoutMs = step.timeoutMs ?? deps.defaultStepTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  let attempt = 0;
  for (;;) {
    attempt++;
    try {
      const output = await withStepTimeout(timeoutMs, req.cancellation, (signal) =>
        action.execute({
          credentials,
          input: parsedInput.data,
          http: deps.http,
          baseUrl: (d) => deps.baseUrl(connector.key, d),
          logger: deps.logger,
          signal,
          executionId: req.executionId,
          stepId: step.id,
          idempotencyKey,
        }),
      );
      return done({ status: 'succeeded', input, output: output ?? null, attempts: attempt });
    } catch (err) {
      if (req.cancellation?.cancelled || attempt >= maxAttempts || !isRetryable(err)) {
        return done({ status: 'failed', input, error: errorMessage(err), attempts: attempt });
      }
      const delay = backoff * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
      warnings.push(`attempt ${attempt} failed (${errorMessage(err)}); retrying in ${Math.round(delay)} ms`);
      try {
        await sleep(delay, req.cancellation?.signal);
      } catch {
        return done({ status: 'failed', input, error: 'Execution was cancelled', attempts: attempt });
      }
    }
  }
}
