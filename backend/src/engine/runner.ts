/**
 * Runs one execution of the workflow language v2 (SPEC "Workflow language v2"): action steps with
 * their `when` condition, rendered input, credential, retries with exponential backoff and a
 * per-attempt timeout, and the blocks `condition`, `loop`, `parallel`, `wait` and `call`, nested.
 *
 * Every step runs at a path (its id, prefixed inside loops and parallel branches by the block and
 * the iteration or branch: `fanout[3].post`); results are keyed by path. Durability: a result already
 * recorded for a path (`previous`) stands and its step is not run again; after a step that called out
 * (an action not marked `pure`, or a `call`), the new results are handed to `deps.checkpoint` and
 * recorded before anything else runs, so a crash later never repeats it. Blocks are not recorded as
 * done on their own: a resumed run walks into them again and finds their steps' results. A wait not
 * resumed yet parks the run (`waiting`): the caller records it and nothing holds a worker meanwhile.
 */
import type { Cancellation } from '../common/cancellation.js';
import { sleep as abortableSleep } from '../common/sleep.js';
import { ConnectorError, type ActionDefinition } from '../connectors/sdk.js';
import {
  agentToolName,
  LOOP_MAX_ITEMS,
  stepKind,
  type ActionStepDefinition,
  type AgentBlock,
  type AgentTool,
  type TokenUsage,
  type CallBlock,
  type ConditionBlock,
  type LoopBlock,
  type ParallelBlock,
  type StepDefinition,
  type StepKind,
  type WaitBlock,
} from '@tributary/contracts';
import { secretValuesRedactor, stepRedactor } from './secret-redaction.js';
import { withTimeout } from '../common/timeout.js';
import { parseRetryAfter } from '../common/http/http-client.js';
import { isTruthy } from '../common/truthy.js';
import { renderValue, withVariables } from './templates.js';
import type { RateLimiter, ResolvedCredential, RunDeps, RunRequest, RunResult, RunVariables, StepResult, WaitOutcome } from './types.js';
import { addUsage, NO_USAGE, structuredOutput, type ChatMessage, type ChatTool, type Completion, type ToolCall } from '../connectors/llm/index.js';

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 500;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Waits (and `core.delay` steps) up to this long are slept in the worker; longer ones park the run. */
export const DEFAULT_DURABLE_AFTER_MS = 5_000;

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

/** The longest Retry-After a step waits out in the worker. */
const MAX_RETRY_AFTER_MS = 60_000;

/** A failed attempt's Retry-After in ms (ConnectorError's, or an HttpRequestError's response header). */
function retryAfterOf(err: unknown): number | undefined {
  if (err instanceof ConnectorError) return err.retryAfterMs;
  const header = (err as { response?: { headers?: Record<string, string | string[] | undefined> } } | null)?.response?.headers?.['retry-after'];
  return parseRetryAfter(Array.isArray(header) ? header[0] : header) ?? undefined;
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

/** What a scope adds to the template context: the loop's item and index, the next resume URL. */
interface ScopeVars {
  item?: unknown;
  $index?: number;
  $resumeUrl?: string;
}

export function buildContext(payload: unknown, executionId: string, outputs: Record<string, unknown>, stepPath?: string, vars?: ScopeVars, variables?: RunVariables): Record<string, unknown> {
  const base = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  const ctx: Record<string, unknown> = { ...base, steps: outputs, $payload: payload, $execution: { id: executionId }, $now: new Date().toISOString() };
  // Workspace variables: `vars` is theirs (a payload's own `vars` field is hidden), and a `vars.NAME` without a value fails its template.
  if (variables) withVariables(ctx, variables.values, variables.environment);
  if (stepPath !== undefined) ctx.$step = { id: stepPath, idempotencyKey: stepIdempotencyKey(executionId, stepPath) };
  if (vars) {
    if ('item' in vars) ctx.item = vars.item;
    if (vars.$index !== undefined) ctx.$index = vars.$index;
    if (vars.$resumeUrl !== undefined) ctx.$resumeUrl = vars.$resumeUrl;
  }
  return ctx;
}

/** Where steps run: the path prefix, the outputs they see as `steps.<id>`, the loop variables. */
interface Scope {
  prefix: string;
  outputs: Record<string, unknown>;
  vars: ScopeVars;
  /** v1 conditions (`core.condition` with step id lists): the later steps of this list to skip. */
  skip: Map<string, string>;
  /** True for the workflow's own list (its last step's result goes with the completion). */
  top: boolean;
}

/** How a step or a list of steps ended. */
type Outcome =
  | { status: 'succeeded'; output: unknown }
  | { status: 'skipped' }
  | { status: 'failed'; error: string; stepPath: string }
  | { status: 'waiting' }
  | { status: 'cancelled' };

export async function runWorkflow(req: RunRequest, deps: RunDeps): Promise<RunResult> {
  return new Run(req, deps).run();
}

class Run {
  private readonly started = performance.now();
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Every result of this run in the order they finished: carried ones and new ones. */
  private readonly results: StepResult[] = [];
  /** The new results (not carried), and how many of them are on record already. */
  private readonly fresh: StepResult[] = [];
  private recorded = 0;
  private readonly prior: Map<string, StepResult>;
  private readonly waits: NonNullable<RunResult['waits']> = [];
  /** Secret workspace variables' values out of every result (undefined: the run has none). */
  private readonly hideSecrets: ((r: StepResult) => StepResult) | undefined;

  constructor(
    private readonly req: RunRequest,
    private readonly deps: RunDeps,
  ) {
    this.sleep = deps.sleep ?? abortableSleep;
    this.hideSecrets = req.variables?.secrets.length ? secretValuesRedactor(req.variables.secrets) : undefined;
    // The last result recorded for a path stands for it (a wait recorded `waiting`, then resumed).
    this.prior = new Map((req.previous ?? []).map((r) => [r.path ?? r.stepId, r]));
  }

  async run(): Promise<RunResult> {
    const scope: Scope = { prefix: '', outputs: {}, vars: {}, skip: new Map(), top: true };
    const end = await this.sequence(this.req.steps, scope);
    const base = { steps: this.results, durationMs: Math.round(performance.now() - this.started) };
    switch (end.status) {
      case 'succeeded':
        return { ...base, status: 'succeeded', output: end.output };
      case 'skipped':
        return { ...base, status: 'succeeded', output: undefined };
      case 'failed':
        return { ...base, status: 'failed', output: this.lastOutput(), error: end.error, failedStepId: end.stepPath };
      case 'waiting':
        return { ...base, status: 'waiting', output: undefined, waits: this.waits };
      case 'cancelled':
        return { ...base, status: 'cancelled', output: this.lastOutput(), error: 'Execution was cancelled' };
    }
  }

  private lastOutput(): unknown {
    for (let i = this.results.length - 1; i >= 0; i--) if (this.results[i].status === 'succeeded') return this.results[i].output;
    return undefined;
  }

  private get cancelled(): boolean {
    return Boolean(this.req.cancellation?.cancelled);
  }

  /** Runs a list of steps in order; its output is the last output of a step that ran (undefined: none). */
  private async sequence(steps: StepDefinition[], scope: Scope): Promise<Outcome> {
    let last: unknown = undefined;
    let ran = false;
    const resumable = this.deps.waits !== undefined && steps.some((s) => s.type === 'wait' && s.for === 'webhook');
    for (const [index, step] of steps.entries()) {
      if (this.cancelled) return { status: 'cancelled' };
      const here = resumable ? { ...scope, vars: { ...scope.vars, $resumeUrl: this.nextResumeUrl(steps, index, scope) } } : scope;
      const lastOfRun = scope.top && index === steps.length - 1;
      const out = this.deps.tracer ? await this.tracedStep(this.deps.tracer, step, here, lastOfRun) : await this.step(step, here, lastOfRun);
      if (out.status === 'succeeded') {
        scope.outputs[step.id] = out.output;
        last = out.output;
        ran = true;
      } else if (out.status !== 'skipped') {
        return out;
      }
    }
    return ran ? { status: 'succeeded', output: last } : { status: 'skipped' };
  }

  /** A step inside its span (tracing on): the span ends with the step's recorded result. */
  private tracedStep(tracer: NonNullable<RunDeps['tracer']>, step: StepDefinition, scope: Scope, lastOfRun: boolean): Promise<Outcome> {
    const path = scope.prefix + step.id;
    const kind = stepKind(step);
    const action = kind === 'action' ? (step as ActionStepDefinition) : undefined;
    const resultOf = () => {
      for (let i = this.results.length - 1; i >= 0; i--) if ((this.results[i].path ?? this.results[i].stepId) === path) return this.results[i];
      return undefined;
    };
    return tracer.step({ path, kind, connector: action?.connector, action: action?.action }, () => this.step(step, scope, lastOfRun), resultOf);
  }

  /** `{{$resumeUrl}}`: the URL of the next webhook wait of this list, from `index` on. */
  private nextResumeUrl(steps: StepDefinition[], index: number, scope: Scope): string | undefined {
    for (let i = index; i < steps.length; i++) {
      const s = steps[i];
      if (s.type === 'wait' && s.for === 'webhook') return this.deps.waits!.resumeUrl(scope.prefix + s.id);
    }
    return scope.vars.$resumeUrl;
  }

  /** One step or block at its path: carried when recorded before, else run. */
  private async step(step: StepDefinition, scope: Scope, lastOfRun: boolean): Promise<Outcome> {
    const path = scope.prefix + step.id;
    const kind = stepKind(step);
    const prior = this.prior.get(path);
    if (prior && kind !== 'condition' && kind !== 'loop' && kind !== 'parallel' && this.stands(prior, step)) {
      // Recorded before a crash or a wait, or carried over by a retry: it stands as it was.
      this.results.push(prior);
      if (prior.status === 'skipped') return { status: 'skipped' };
      if (prior.status === 'succeeded' && kind === 'action') this.applySkips(step as ActionStepDefinition, prior.output, scope);
      return { status: 'succeeded', output: prior.output };
    }
    const skippedBecause = scope.skip.get(step.id);
    const t0 = performance.now();
    const startedAt = new Date().toISOString();
    const warnings: string[] = [];
    if (skippedBecause) return this.record(this.blockResult(step, path, kind, 'skipped', t0, startedAt, [skippedBecause]));
    if (step.when !== undefined) {
      try {
        const ctx = buildContext(this.req.payload, this.req.executionId, scope.outputs, path, scope.vars, this.req.variables);
        if (!isTruthy(renderValue(step.when, ctx, warnings))) {
          return this.record(this.blockResult(step, path, kind, 'skipped', t0, startedAt, [...warnings, 'when condition was false']));
        }
      } catch (err) {
        return this.ended(step, path, this.blockResult(step, path, kind, 'failed', t0, startedAt, warnings, { error: `when condition: ${errorMessage(err)}` }));
      }
    }
    const pinned = this.req.pinned;
    if (pinned && Object.hasOwn(pinned, step.id)) {
      // A test run with data pinned on this step: its pinned output instead of a call.
      const output = pinned[step.id];
      if (kind === 'action') this.applySkips(step as ActionStepDefinition, output, scope);
      return this.record(this.blockResult(step, path, kind, 'succeeded', t0, startedAt, [...warnings, 'pinned output: the step did not run'], { output, pinned: true }));
    }
    switch (step.type) {
      case undefined:
      case 'action':
        return this.action(step, path, scope, lastOfRun);
      case 'condition':
        return this.condition(step, path, scope, t0, startedAt, warnings);
      case 'loop':
        return this.loop(step, path, scope, t0, startedAt, warnings);
      case 'parallel':
        return this.parallel(step, path, scope, t0, startedAt, warnings);
      case 'wait':
        return this.wait(step, path, scope, t0, startedAt, warnings, this.waitRequest(step, scope, path, warnings));
      case 'call':
        return this.call(step, path, scope, t0, startedAt, warnings);
      case 'agent':
        return this.agent(step, path, scope, t0, startedAt, warnings);
    }
  }

  /** A recorded result stands unless it failed (a retry runs it again, unless its failure was let through) or is a wait not resumed. */
  private stands(prior: StepResult, step: StepDefinition): boolean {
    if (prior.status === 'waiting') return false;
    if (prior.status === 'failed') return step.onError === 'continue';
    return true;
  }

  /** Adds a result to the run (and tells the caller); its outcome for the list it is in. */
  private async record(recorded: StepResult, continued = false): Promise<Outcome> {
    // What is recorded, answered and seen by later steps never holds a secret variable's value.
    const result = this.hideSecrets ? this.hideSecrets(recorded) : recorded;
    this.results.push(result);
    this.fresh.push(result);
    await this.deps.onStep?.(result);
    if (continued) return { status: 'succeeded', output: result.output };
    if (result.status === 'skipped') return { status: 'skipped' };
    if (result.status === 'waiting') return { status: 'waiting' };
    if (result.status === 'failed') return { status: 'failed', error: result.error ?? 'failed', stepPath: result.path ?? result.stepId };
    return { status: 'succeeded', output: result.output };
  }

  /** Records the result of a step that ended, with `onError: continue` applied. */
  private async ended(step: StepDefinition, path: string, ended: StepResult): Promise<Outcome> {
    const result = this.hideSecrets ? this.hideSecrets(ended) : ended;
    if (result.status === 'failed' && step.onError === 'continue' && !this.cancelled) {
      // The failure is the step's result ({ error } as its output) and the run goes on.
      return this.record({ ...result, output: { error: result.error } }, true);
    }
    const out = await this.record(result);
    if (out.status === 'failed') {
      if (this.cancelled) return { status: 'cancelled' };
      return { status: 'failed', error: `Step "${path}" failed: ${result.error}`, stepPath: path };
    }
    return out;
  }

  /** The durability contract: the new results on record before the next side effect. */
  private async checkpoint(): Promise<void> {
    if (!this.deps.checkpoint || this.recorded >= this.fresh.length) return;
    const delta = this.fresh.slice(this.recorded);
    this.recorded = this.fresh.length;
    await this.deps.checkpoint(delta);
  }

  private blockResult(
    step: StepDefinition,
    path: string,
    kind: StepKind,
    status: StepResult['status'],
    t0: number,
    startedAt: string,
    warnings: string[],
    extra: Partial<StepResult> = {},
  ): StepResult {
    const action = kind === 'action' ? (step as ActionStepDefinition) : undefined;
    return {
      stepId: step.id,
      path,
      type: kind,
      connector: action?.connector ?? 'core',
      action: action?.action ?? kind,
      status,
      warnings,
      attempts: 0,
      durationMs: Math.round(performance.now() - t0),
      startedAt,
      finishedAt: new Date().toISOString(),
      ...extra,
    };
  }

  // ---- action steps ------------------------------------------------------------------------

  private async action(step: ActionStepDefinition, path: string, scope: Scope, lastOfRun: boolean): Promise<Outcome> {
    // `core.delay` longer than a few seconds is a durable wait: the worker slot is freed meanwhile.
    if (step.connector === 'core' && step.action === 'delay' && this.deps.waits) {
      const warnings: string[] = [];
      const ctx = buildContext(this.req.payload, this.req.executionId, scope.outputs, path, scope.vars, this.req.variables);
      const seconds = Number(renderValue(step.input.seconds, ctx, warnings));
      if (Number.isFinite(seconds) && seconds * 1000 > (this.deps.waits.durableAfterMs ?? DEFAULT_DURABLE_AFTER_MS)) {
        const t0 = performance.now();
        return this.wait(step, path, scope, t0, new Date().toISOString(), warnings, { kind: 'duration', dueAt: new Date(Date.now() + seconds * 1000) });
      }
    }
    let calledOut = false;
    const result = await runAction(step, path, this.req, this.deps, scope, this.sleep, () => (calledOut = true), false, () => this.slotParking(step, path));
    if (result.status === 'waiting') {
      // Parked for its turn on the connection's rate limit: resumed at it, on any worker.
      const dueAt = (result.output as { dueAt: string }).dueAt;
      this.waits.push({ path, dueAt, kind: 'duration' });
      return this.record(result);
    }
    const out = await this.ended(step, path, result);
    if (out.status === 'succeeded') this.applySkips(step, result.output, scope);
    // A step with effects outside the run is on record before the next one starts (the last one's
    // result goes with the completion, and a failure ends the run there).
    if (calledOut && out.status === 'succeeded' && !lastOfRun) await this.checkpoint();
    return out;
  }

  /** How the step parks for a far-off turn on its connection's rate limit (absent in a test run: it sleeps). runAction asks only when its limiter can reserve. */
  private slotParking(step: ActionStepDefinition, path: string): SlotParking | undefined {
    const waits = this.deps.waits;
    if (!waits) return undefined;
    const prior = this.prior.get(path);
    const output = prior?.status === 'waiting' ? (prior.output as { throttled?: boolean; dueAt?: string } | undefined) : undefined;
    return {
      afterMs: waits.durableAfterMs ?? DEFAULT_DURABLE_AFTER_MS,
      parked: output?.throttled && output.dueAt ? { since: Date.parse(prior!.startedAt), dueAt: output.dueAt } : undefined,
      reach: (dueAt) => waits.reach({ path, stepId: step.id, kind: 'duration', dueAt, message: RATE_LIMIT_WAIT }),
    };
  }

  /** After a succeeded v1 `core.condition` (run now or recorded before): the later steps its action's `skips` names are skipped. */
  private applySkips(step: ActionStepDefinition, output: unknown, scope: Scope): void {
    const action = findAction(this.deps.findConnector(step.connector), step);
    const skips = action?.skips?.({ output, stepInput: step.input, stepId: step.id });
    for (const id of skips?.stepIds ?? []) scope.skip.set(id, skips!.reason);
  }

  // ---- blocks ------------------------------------------------------------------------------

  private async condition(step: ConditionBlock, path: string, scope: Scope, t0: number, startedAt: string, warnings: string[]): Promise<Outcome> {
    let taken: 'then' | 'else';
    try {
      const ctx = buildContext(this.req.payload, this.req.executionId, scope.outputs, path, scope.vars, this.req.variables);
      taken = isTruthy(renderValue(step.if, ctx, warnings)) ? 'then' : 'else';
    } catch (err) {
      return this.ended(step, path, this.blockResult(step, path, 'condition', 'failed', t0, startedAt, warnings, { error: `if: ${errorMessage(err)}` }));
    }
    // The branch shares the scope: its steps' outputs stay visible after the block.
    const inner = await this.sequence(step[taken], { ...scope, skip: new Map(), top: false });
    return this.closeBlock(step, path, 'condition', inner, t0, startedAt, warnings, { branch: taken }, (o) => o);
  }

  private async loop(step: LoopBlock, path: string, scope: Scope, t0: number, startedAt: string, warnings: string[]): Promise<Outcome> {
    let items: unknown;
    try {
      const ctx = buildContext(this.req.payload, this.req.executionId, scope.outputs, path, scope.vars, this.req.variables);
      items = renderValue(step.items, ctx, warnings);
      if (typeof items === 'string' && items.trim().startsWith('[')) items = JSON.parse(items);
    } catch (err) {
      return this.ended(step, path, this.blockResult(step, path, 'loop', 'failed', t0, startedAt, warnings, { error: `items: ${errorMessage(err)}` }));
    }
    const fail = (error: string) => this.ended(step, path, this.blockResult(step, path, 'loop', 'failed', t0, startedAt, warnings, { error }));
    if (!Array.isArray(items)) return fail(`items must give an array; "${step.items}" gave ${items === '' || items === undefined ? 'nothing' : typeof items}`);
    if (items.length > LOOP_MAX_ITEMS) return fail(`items gave ${items.length} items; a loop takes at most ${LOOP_MAX_ITEMS}`);
    const list = items as unknown[];
    const outputs: unknown[] = new Array(list.length).fill(null);
    const ends: Outcome[] = [];
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (!stop && next < list.length) {
        const i = next++;
        const iteration: Scope = { prefix: `${path}[${i}].`, outputs: { ...scope.outputs }, vars: { ...scope.vars, item: list[i], $index: i }, skip: new Map(), top: false };
        const end = await this.sequence(step.steps, iteration);
        if (end.status === 'succeeded') outputs[i] = end.output ?? null;
        else if (end.status !== 'skipped') {
          ends.push(end);
          // A failure or a wait: no new iteration starts; the ones running finish.
          stop = true;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(step.concurrency, Math.max(1, list.length)) }, worker));
    const inner: Outcome = ends.find((e) => e.status === 'cancelled') ?? ends.find((e) => e.status === 'failed') ?? ends.find((e) => e.status === 'waiting') ?? { status: 'succeeded', output: outputs };
    return this.closeBlock(step, path, 'loop', inner, t0, startedAt, warnings, { items: list.length }, () => outputs);
  }

  private async parallel(step: ParallelBlock, path: string, scope: Scope, t0: number, startedAt: string, warnings: string[]): Promise<Outcome> {
    const branchScopes = step.branches.map((_, b): Scope => ({ prefix: `${path}[${b}].`, outputs: { ...scope.outputs }, vars: scope.vars, skip: new Map(), top: false }));
    const ends = await Promise.all(step.branches.map((branch, b) => this.sequence(branch, branchScopes[b])));
    // Every branch's steps are visible after the block (ids are unique across the workflow).
    for (const s of branchScopes) for (const [id, v] of Object.entries(s.outputs)) if (!(id in scope.outputs)) scope.outputs[id] = v;
    const outputs = ends.map((e) => (e.status === 'succeeded' ? (e.output ?? null) : null));
    const inner: Outcome = ends.find((e) => e.status === 'cancelled') ?? ends.find((e) => e.status === 'failed') ?? ends.find((e) => e.status === 'waiting') ?? { status: 'succeeded', output: outputs };
    return this.closeBlock(step, path, 'parallel', inner, t0, startedAt, warnings, { branches: step.branches.length }, () => outputs);
  }

  /** A block's own result once its steps ended: succeeded with its output, failed, or waiting with them. */
  private async closeBlock(
    step: StepDefinition,
    path: string,
    kind: StepKind,
    inner: Outcome,
    t0: number,
    startedAt: string,
    warnings: string[],
    input: unknown,
    output: (o: unknown) => unknown,
  ): Promise<Outcome> {
    switch (inner.status) {
      case 'cancelled':
        return inner;
      case 'waiting':
        await this.record(this.blockResult(step, path, kind, 'waiting', t0, startedAt, warnings, { input }));
        return inner;
      case 'failed': {
        const result = this.blockResult(step, path, kind, 'failed', t0, startedAt, warnings, { input, error: inner.error });
        if (step.onError === 'continue') return this.ended(step, path, result);
        await this.record(result);
        return inner;
      }
      case 'skipped':
        return this.record(this.blockResult(step, path, kind, 'succeeded', t0, startedAt, warnings, { input, output: output(null) ?? null }));
      case 'succeeded':
        return this.record(this.blockResult(step, path, kind, 'succeeded', t0, startedAt, warnings, { input, output: output(inner.output) ?? null }));
    }
  }

  // ---- waits ---------------------------------------------------------------------------------

  private waitRequest(step: WaitBlock, scope: Scope, path: string, warnings: string[]): WaitPlan | { error: string } {
    const now = Date.now();
    switch (step.for) {
      case 'duration':
        return { kind: 'duration', dueAt: new Date(now + step.seconds * 1000) };
      case 'until': {
        const ctx = buildContext(this.req.payload, this.req.executionId, scope.outputs, path, scope.vars, this.req.variables);
        const at = renderValue(step.at, ctx, warnings);
        const due = new Date(typeof at === 'number' ? at : String(at));
        if (Number.isNaN(due.getTime())) return { error: `at: "${String(at)}" is not a date and time (ISO 8601)` };
        return { kind: 'until', dueAt: due };
      }
      case 'webhook':
        return { kind: 'webhook', dueAt: step.timeoutSeconds ? new Date(now + step.timeoutSeconds * 1000) : null };
      case 'approval':
        return { kind: 'approval', dueAt: step.timeoutSeconds ? new Date(now + step.timeoutSeconds * 1000) : null, message: step.message };
    }
  }

  private async wait(step: StepDefinition, path: string, scope: Scope, t0: number, startedAt: string, warnings: string[], plan: WaitPlan | { error: string }): Promise<Outcome> {
    const kind = stepKind(step);
    const result = (status: StepResult['status'], extra: Partial<StepResult>) => this.blockResult(step, path, kind, status, t0, startedAt, warnings, extra);
    if ('error' in plan) return this.ended(step, path, result('failed', { error: plan.error }));
    const input = { for: plan.kind, dueAt: plan.dueAt?.toISOString() ?? null, ...(plan.message ? { message: plan.message } : {}) };
    const waits = this.deps.waits;
    const shortMs = plan.dueAt ? plan.dueAt.getTime() - Date.now() : Infinity;
    const durableAfter = waits?.durableAfterMs ?? DEFAULT_DURABLE_AFTER_MS;
    if ((plan.kind === 'duration' || plan.kind === 'until') && shortMs <= durableAfter) {
      // Short enough to sleep here (and a time already past does not wait at all).
      try {
        if (shortMs > 0) await this.sleep(shortMs, this.req.cancellation?.signal);
      } catch {
        return { status: 'cancelled' };
      }
      return this.ended(step, path, result('succeeded', { input, output: { waitedMs: Math.max(0, Math.round(shortMs)) }, attempts: 1 }));
    }
    if (!waits) {
      // A test run records nothing, so it cannot park: the wait is passed over, and says so.
      return this.ended(step, path, result('skipped', { input, warnings: [...warnings, `a ${plan.kind} wait is not held in a test run`] }));
    }
    const outcome = await waits.reach({ path, stepId: step.id, kind: plan.kind, dueAt: plan.dueAt, message: plan.message });
    if (outcome.status === 'pending') {
      const resumeUrl = plan.kind === 'webhook' ? waits.resumeUrl(path) : undefined;
      const dueAt = outcome.dueAt?.toISOString() ?? null;
      this.waits.push({ path, dueAt, kind: plan.kind });
      return this.record(result('waiting', { input, output: { for: plan.kind, dueAt, ...(resumeUrl ? { resumeUrl } : {}), ...(plan.message ? { message: plan.message } : {}) } }));
    }
    if (outcome.status === 'resumed') return this.ended(step, path, result('succeeded', { input, output: outcome.output ?? null, attempts: 1 }));
    return this.ended(step, path, result('failed', { input, error: outcome.error, output: outcome.output, attempts: 1 }));
  }

  // ---- sub-workflows -------------------------------------------------------------------------

  private async call(step: CallBlock, path: string, scope: Scope, t0: number, startedAt: string, warnings: string[]): Promise<Outcome> {
    const result = (status: StepResult['status'], extra: Partial<StepResult>) => this.blockResult(step, path, 'call', status, t0, startedAt, warnings, { idempotencyKey: stepIdempotencyKey(this.req.executionId, path), ...extra });
    let input: Record<string, unknown>;
    try {
      const ctx = buildContext(this.req.payload, this.req.executionId, scope.outputs, path, scope.vars, this.req.variables);
      input = renderValue(step.input, ctx, warnings) as Record<string, unknown>;
    } catch (err) {
      return this.ended(step, path, result('failed', { error: `Template error: ${errorMessage(err)}` }));
    }
    const recorded = { workflowId: step.workflowId, wait: step.wait, input };
    if (!this.deps.calls) {
      return this.ended(step, path, result('skipped', { input: recorded, warnings: [...warnings, 'a sub-workflow is not started by a test run'] }));
    }
    let outcome;
    try {
      outcome = await this.deps.calls.call({ path, stepId: step.id, workflowId: step.workflowId, input, wait: step.wait, idempotencyKey: stepIdempotencyKey(this.req.executionId, path) });
    } catch (err) {
      return this.ended(step, path, result('failed', { input: recorded, error: errorMessage(err), attempts: 1 }));
    }
    const child = { executionId: outcome.executionId };
    // The child's id stays on the step's input, whatever its output becomes.
    const called = { ...recorded, ...child };
    if (outcome.status === 'pending') {
      this.waits.push({ path, dueAt: null, kind: 'call' });
      return this.record(result('waiting', { input: called, output: { for: 'call', ...child } }));
    }
    if (outcome.status === 'failed') return this.ended(step, path, result('failed', { input: called, error: outcome.error, output: child, attempts: 1 }));
    const out = await this.ended(step, path, result('succeeded', { input: called, output: outcome.status === 'started' ? child : (outcome.output ?? null), attempts: 1 }));
    // Starting a child is an effect outside the run: on record before anything else.
    await this.checkpoint();
    return out;
  }

  // ---- agents --------------------------------------------------------------------------------

  /**
   * An action run on the agent's behalf at its own path (a model turn, an MCP call, a tool listing),
   * its input as given (not templated): recorded, and on record before anything else when it called
   * out. Recorded as succeeded before (a resumed run): it stands and is not run again.
   */
  private async subAction(step: ActionStepDefinition, subPath: string, scope: Scope): Promise<StepResult> {
    const prior = this.prior.get(subPath);
    if (prior?.status === 'succeeded') {
      this.results.push(prior);
      return prior;
    }
    let calledOut = false;
    const result = await runAction(step, subPath, this.req, this.deps, scope, this.sleep, () => (calledOut = true), true);
    await this.record(result);
    if (calledOut) await this.checkpoint();
    return this.results[this.results.length - 1];
  }

  /**
   * An LLM loop with tools (SPEC "AI steps"): each turn the model answers or asks for tool calls; each
   * model call (`<path>[i].model`) and each tool call (`<path>[i].tools[k]`, after an approval at
   * `<path>[i].approve[k]` when the tool asks for one) is recorded at its own path, so a resumed run
   * replays the conversation from the record and repeats no call that finished.
   */
  private async agent(step: AgentBlock, path: string, scope: Scope, t0: number, startedAt: string, warnings: string[]): Promise<Outcome> {
    // (t0 and startedAt are moved back to the first recorded call when the run resumes.)
    let system: string | undefined;
    let prompt: string;
    try {
      const ctx = buildContext(this.req.payload, this.req.executionId, scope.outputs, path, scope.vars, this.req.variables);
      system = step.system !== undefined ? asText(renderValue(step.system, ctx, warnings)) : undefined;
      prompt = asText(renderValue(step.prompt, ctx, warnings));
    } catch (err) {
      return this.ended(step, path, this.blockResult(step, path, 'agent', 'failed', t0, startedAt, warnings, { error: `Template error: ${errorMessage(err)}` }));
    }
    const input = { ...(system !== undefined ? { system } : {}), prompt, model: step.model, tools: step.tools.map(agentToolName), maxIterations: step.maxIterations };
    // Resumed (after an approval, a workflow tool, a crash): the agent started with its first recorded call, not with this pass.
    const first = this.prior.get(`${path}[0].model`) ?? this.prior.get(`${path}.servers[0]`);
    if (first) {
      startedAt = first.startedAt;
      t0 = Math.min(t0, performance.now() - (Date.now() - Date.parse(first.startedAt)));
    }
    let usage: TokenUsage = NO_USAGE;
    const conversation: ChatMessage[] = [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: prompt }];
    const summary = (iterations: number) => ({ iterations, usage, conversation: conversation.map(shownMessage) });
    const fail = (error: string, iterations: number) =>
      this.ended(step, path, this.blockResult(step, path, 'agent', 'failed', t0, startedAt, warnings, { input, error, output: summary(iterations), usage, attempts: 1 }));

    const tools = await this.agentTools(step, path, scope);
    if ('error' in tools) return fail(tools.error, 0);
    const chatTools: ChatTool[] = tools.list.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
    const model: ActionStepDefinition = { id: step.id, connector: 'llm', action: 'complete', credentialId: step.credentialId, input: {} };

    for (let i = 0; i < step.maxIterations; i++) {
      if (this.cancelled) return { status: 'cancelled' };
      const at = `${path}[${i}]`;
      const turn = await this.subAction({ ...model, input: { messages: conversation, ...(chatTools.length ? { tools: chatTools } : {}), model: step.model, temperature: step.temperature, responseSchema: step.outputSchema } }, `${at}.model`, scope);
      if (turn.status !== 'succeeded') {
        if (this.cancelled) return { status: 'cancelled' };
        return fail(`model call ${i + 1}: ${turn.error ?? 'failed'}`, i + 1);
      }
      const answer = turn.output as Completion;
      usage = addUsage(usage, answer.usage);
      conversation.push({ role: 'assistant', content: answer.content, ...(answer.toolCalls.length ? { tool_calls: answer.toolCalls.map(wireCall) } : {}) });
      if (step.maxTokens !== undefined && usage.totalTokens > step.maxTokens) return fail(`the agent used ${usage.totalTokens} tokens, more than its maxTokens (${step.maxTokens})`, i + 1);
      if (!answer.toolCalls.length) {
        let json: unknown;
        if (step.outputSchema) {
          const parsed = structuredOutput(answer.content, step.outputSchema);
          if ('error' in parsed) {
            // Refused: the model is told why and answers again (it costs an iteration).
            conversation.push({ role: 'user', content: `Your answer does not match the required JSON schema (${parsed.error}). Answer again with JSON only, matching the schema.` });
            continue;
          }
          json = parsed.value;
        }
        const output = { answer: answer.content ?? '', ...(step.outputSchema ? { json } : {}), ...summary(i + 1) };
        return this.ended(step, path, this.blockResult(step, path, 'agent', 'succeeded', t0, startedAt, warnings, { input, output, usage, attempts: 1 }));
      }
      for (const [k, call] of answer.toolCalls.entries()) {
        const done = await this.agentToolCall(step, tools.list, call, at, k, scope);
        if (done.status !== 'done') return done;
        conversation.push({ role: 'tool', tool_call_id: call.id, content: done.content });
      }
    }
    return fail(`the agent stopped after ${step.maxIterations} iterations without a final answer (raise maxIterations, or tell it when to stop)`, step.maxIterations);
  }

  /** The agent's tools as the model sees them: workflows (their input schemas) and MCP tools (listed from each server once, recorded). */
  private async agentTools(step: AgentBlock, path: string, scope: Scope): Promise<{ list: AgentToolSpec[] } | { error: string }> {
    const list: AgentToolSpec[] = [];
    const servers = [...new Set(step.tools.flatMap((t) => (t.kind === 'mcp' ? [t.credentialId] : [])))];
    const listed = new Map<string, { name: string; description?: string; inputSchema: Record<string, unknown> }[]>();
    for (const [n, credentialId] of servers.entries()) {
      const r = await this.subAction({ id: step.id, connector: 'mcp', action: 'listTools', credentialId, input: {} }, `${path}.servers[${n}]`, scope);
      if (r.status !== 'succeeded') return { error: `listing the tools of MCP connection ${credentialId}: ${r.error ?? 'failed'}` };
      listed.set(credentialId, (r.output as { tools: { name: string; description?: string; inputSchema: Record<string, unknown> }[] }).tools);
    }
    for (const t of step.tools) {
      const name = agentToolName(t);
      if (t.kind === 'mcp') {
        const found = listed.get(t.credentialId)?.find((x) => x.name === t.tool);
        if (!found) return { error: `tool "${name}": the MCP server has no tool "${t.tool}" (it has ${(listed.get(t.credentialId) ?? []).map((x) => x.name).join(', ') || 'none'})` };
        list.push({ name, def: t, description: t.description ?? found.description ?? t.tool, parameters: found.inputSchema });
      } else {
        const d = this.deps.calls?.describe ? await this.deps.calls.describe(t.workflowId) : { description: `Runs workflow ${t.workflowId}`, inputSchema: null };
        if (!d) return { error: `tool "${name}": workflow ${t.workflowId} not found in this workspace` };
        list.push({ name, def: t, description: t.description ?? d.description, parameters: d.inputSchema ?? { type: 'object', properties: {} } });
      }
    }
    return { list };
  }

  /** One tool call of the model: its result (or its error, which the model reads and may recover from), or the run parks (an approval, a sub-workflow). */
  private async agentToolCall(step: AgentBlock, tools: AgentToolSpec[], call: ToolCall, at: string, k: number, scope: Scope): Promise<{ status: 'done'; content: string } | { status: 'waiting' } | { status: 'cancelled' }> {
    const toolPath = `${at}.tools[${k}]`;
    const prior = this.prior.get(toolPath);
    if (prior && prior.status !== 'waiting') {
      this.results.push(prior);
      return { status: 'done', content: toolContent(prior) };
    }
    const t0 = performance.now();
    const startedAt = new Date().toISOString();
    const tool = tools.find((t) => t.name === call.name);
    const input = { tool: call.name, arguments: call.arguments };
    const result = (status: StepResult['status'], extra: Partial<StepResult>) =>
      this.blockResult({ id: step.id, connector: tool?.def.kind === 'mcp' ? 'mcp' : 'core', action: tool?.def.kind === 'mcp' ? 'callTool' : 'call', input: {} }, toolPath, 'action', status, t0, startedAt, [], { input, attempts: 1, ...extra });
    const answered = async (r: StepResult) => {
      await this.record(r);
      return { status: 'done' as const, content: toolContent(r) };
    };
    if (!tool) return answered(result('failed', { error: `There is no tool "${call.name}"; the tools are: ${tools.map((t) => t.name).join(', ') || 'none'}` }));
    if (!call.arguments || typeof call.arguments !== 'object' || Array.isArray(call.arguments)) return answered(result('failed', { error: 'The arguments must be a JSON object' }));
    const args = call.arguments as Record<string, unknown>;
    if (tool.def.approval) {
      const decision = await this.agentApproval(step, `${at}.approve[${k}]`, tool.name, args);
      if (decision.status === 'waiting') return decision;
      if (decision.status === 'rejected') return answered(result('skipped', { warnings: [`not called: ${decision.reason}`], output: { rejected: true, reason: decision.reason } }));
    }
    if (tool.def.kind === 'mcp') {
      const r = await this.subAction({ id: step.id, connector: 'mcp', action: 'callTool', credentialId: tool.def.credentialId, input: { tool: tool.def.tool, arguments: args } }, toolPath, scope);
      if (this.cancelled) return { status: 'cancelled' };
      return { status: 'done', content: toolContent(r) };
    }
    if (!this.deps.calls) return answered(result('skipped', { warnings: ['a sub-workflow is not started by a test run'], output: { error: 'This tool does not run in a test run' } }));
    let outcome;
    try {
      outcome = await this.deps.calls.call({ path: toolPath, stepId: step.id, workflowId: tool.def.workflowId, input: args, wait: true, idempotencyKey: stepIdempotencyKey(this.req.executionId, toolPath) });
    } catch (err) {
      return answered(result('failed', { error: errorMessage(err) }));
    }
    const child = { executionId: outcome.executionId };
    if (outcome.status === 'pending') {
      this.waits.push({ path: toolPath, dueAt: null, kind: 'call' });
      await this.record(result('waiting', { input: { ...input, ...child }, output: { for: 'call', ...child } }));
      return { status: 'waiting' };
    }
    const r = outcome.status === 'failed' ? result('failed', { input: { ...input, ...child }, error: outcome.error, output: child }) : result('succeeded', { input: { ...input, ...child }, output: outcome.status === 'succeeded' ? (outcome.output ?? null) : child });
    const done = await answered(r);
    // Starting a child is an effect outside the run: on record before anything else.
    await this.checkpoint();
    return done;
  }

  /** A person approves (or rejects) a tool call before it runs: the engine's approval wait at its own path. */
  private async agentApproval(step: AgentBlock, approvePath: string, toolName: string, args: Record<string, unknown>): Promise<{ status: 'approved' } | { status: 'rejected'; reason: string } | { status: 'waiting' }> {
    const prior = this.prior.get(approvePath);
    if (prior && prior.status !== 'waiting') {
      this.results.push(prior);
      return prior.status === 'succeeded' ? { status: 'approved' } : { status: 'rejected', reason: prior.error ?? 'rejected' };
    }
    const t0 = performance.now();
    const startedAt = new Date().toISOString();
    const message = `The agent "${step.name ?? step.id}" asks to call ${toolName} with ${JSON.stringify(args).slice(0, 1500)}`;
    const wait: StepDefinition = { id: step.id, type: 'wait', for: 'approval', message };
    const input = { for: 'approval', tool: toolName, arguments: args, message };
    const result = (status: StepResult['status'], extra: Partial<StepResult>) => this.blockResult(wait, approvePath, 'wait', status, t0, startedAt, [], { input, ...extra });
    if (!this.deps.waits) {
      await this.record(result('skipped', { warnings: ['an approval is not held in a test run: the tool was not called'] }));
      return { status: 'rejected', reason: 'a test run does not hold approvals' };
    }
    const outcome = await this.deps.waits.reach({ path: approvePath, stepId: step.id, kind: 'approval', dueAt: null, message });
    if (outcome.status === 'pending') {
      this.waits.push({ path: approvePath, dueAt: null, kind: 'approval' });
      await this.record(result('waiting', { output: { for: 'approval', dueAt: null, message } }));
      return { status: 'waiting' };
    }
    if (outcome.status === 'resumed') {
      await this.record(result('succeeded', { output: outcome.output ?? null, attempts: 1 }));
      return { status: 'approved' };
    }
    await this.record(result('failed', { error: outcome.error, output: outcome.output, attempts: 1 }));
    return { status: 'rejected', reason: outcome.error };
  }
}

/** A tool of an agent as the model sees it. */
interface AgentToolSpec {
  name: string;
  def: AgentTool;
  description: string;
  parameters: Record<string, unknown>;
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A tool call as the provider wants it back in the conversation (arguments as JSON text). */
function wireCall(c: ToolCall): NonNullable<ChatMessage['tool_calls']>[number] {
  return { id: c.id, type: 'function', function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) } };
}

/** A message as the agent's output shows it (the execution page's conversation). */
function shownMessage(m: ChatMessage): Record<string, unknown> {
  return {
    role: m.role,
    content: m.content,
    ...(m.tool_calls ? { toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: parseJson(c.function.arguments) })) } : {}),
    ...(m.tool_call_id ? { toolCallId: m.tool_call_id } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What the model reads of a tool call's result: its text, its output as JSON, or its error. */
function toolContent(r: StepResult): string {
  if (r.status === 'failed') return `Error: ${r.error ?? 'the tool failed'}`;
  if (r.status === 'skipped') {
    const reason = (r.output as { reason?: string } | undefined)?.reason;
    return reason ? `Not called: ${reason}` : `Not called: ${r.warnings.join('; ') || 'skipped'}`;
  }
  const out = r.output as { text?: unknown; structuredContent?: unknown } | null | undefined;
  if (r.connector === 'mcp' && out && typeof out.text === 'string') return out.text || JSON.stringify(out.structuredContent ?? null);
  return typeof r.output === 'string' ? r.output : JSON.stringify(r.output ?? null);
}

/** A wait as the engine plans it before asking the store (which keeps the first due time it was given). */
interface WaitPlan {
  kind: 'duration' | 'until' | 'webhook' | 'approval';
  dueAt: Date | null;
  message?: string;
}

/** A step's input rendered, except the action's verbatim fields (a code step's `code` is code, not a template). */
function renderInput(input: Record<string, unknown>, verbatim: readonly string[] | undefined, render: (v: unknown) => unknown): unknown {
  if (!verbatim?.length || !input || typeof input !== 'object') return render(input);
  const rendered = render(Object.fromEntries(Object.entries(input).filter(([k]) => !verbatim.includes(k)))) as Record<string, unknown>;
  for (const k of verbatim) if (k in input) rendered[k] = input[k];
  return rendered;
}

/** The action a step names, of the connector it names (undefined when either is unknown). */
function findAction(connector: ReturnType<RunDeps['findConnector']>, step: ActionStepDefinition): ActionDefinition<unknown, unknown, unknown> | undefined {
  return connector?.actions.find((a) => a.key === step.action) as ActionDefinition<unknown, unknown, unknown> | undefined;
}

/**
 * How an action step waits for its connection's rate limit when the run can park (a durable wait):
 * a turn further off than `afterMs` is a `duration` wait at the step's own path.
 */
export interface SlotParking {
  afterMs: number;
  /** The step parked for its turn before: when it did (its slot is reserved), and when the turn is. */
  parked?: { since: number; dueAt: string };
  /** The wait store's answer for the step's wait (a new one is recorded pending). */
  reach(dueAt: Date): Promise<WaitOutcome>;
}

/** The message of a rate-limit wait (what the execution's pending waits show). */
export const RATE_LIMIT_WAIT = "Waiting for its turn on the connection's rate limit";

/** The first attempt's turn on a rate-limited connection: taken (after any wait), or parked until it. */
async function takeTurn(
  limiter: RateLimiter,
  key: string,
  limit: { requests: number; perMs: number },
  parking: SlotParking,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<{ status: 'taken'; waitedMs: number } | { status: 'parked'; dueAt: string; since: number }> {
  if (parking.parked) {
    const { since, dueAt } = parking.parked;
    const outcome = await parking.reach(new Date(dueAt));
    // Resumed before its turn (another wait of the run resolved): still parked.
    if (outcome.status === 'pending') return { status: 'parked', dueAt, since };
    await limiter.take(key, limit, signal, { reserved: true });
    return { status: 'taken', waitedMs: Date.now() - since };
  }
  const started = Date.now();
  const wait = await limiter.reserve!(key, limit);
  if (wait > parking.afterMs) {
    const dueAt = new Date(started + wait);
    const outcome = await parking.reach(dueAt);
    if (outcome.status === 'pending') return { status: 'parked', dueAt: dueAt.toISOString(), since: started };
    // A wait at this path answered already (an earlier attempt of the run parked here): the turn is slept here.
  }
  if (wait > 0) await sleep(wait, signal);
  await limiter.take(key, limit, signal, { reserved: true });
  return { status: 'taken', waitedMs: Date.now() - started };
}

async function runAction(
  step: ActionStepDefinition,
  path: string,
  req: RunRequest,
  deps: RunDeps,
  scope: Scope,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  onCallOut: () => void,
  /** The input is data, not templates (what an agent sends: a conversation, a tool's arguments). */
  asGiven = false,
  /** How a long wait for the connection's rate limit parks the run (asked only on a rate-limited connection; absent or undefined: the step sleeps its turn here). */
  parkingFor?: () => SlotParking | undefined,
): Promise<StepResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const warnings: string[] = [];
  const idempotencyKey = stepIdempotencyKey(req.executionId, path);
  const base = { stepId: step.id, ...(path !== step.id ? { path } : {}), connector: step.connector, action: step.action, startedAt: startedAt.toISOString() };
  // Replaced once the step's credential is known: its secret values never reach the result (secret-redaction.ts).
  let redact = (r: StepResult): StepResult => r;
  const done = (r: Partial<StepResult> & Pick<StepResult, 'status'>): StepResult =>
    redact({
      ...base,
      warnings,
      attempts: 0,
      ...r,
      durationMs: Math.round(performance.now() - t0),
      finishedAt: new Date().toISOString(),
    });

  const ctx = buildContext(req.payload, req.executionId, scope.outputs, path, scope.vars, req.variables);
  const connector = deps.findConnector(step.connector);
  const action = findAction(connector, step);
  let input: unknown;
  try {
    input = asGiven ? step.input : renderInput(step.input, action?.verbatim, (v) => renderValue(v, ctx, warnings));
  } catch (err) {
    return done({ status: 'failed', error: `Template error: ${errorMessage(err)}` });
  }
  if (!connector || !action) return done({ status: 'failed', input, error: `Unknown connector action ${step.connector}.${step.action}` });

  const parsedInput = action.input.safeParse(input);
  if (!parsedInput.success) {
    const fields = parsedInput.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    return done({ status: 'failed', input, error: `Invalid input after rendering templates: ${fields}` });
  }

  let credentials: unknown = undefined;
  let resolved: ResolvedCredential | undefined;
  /** An OAuth2 connection's access token in use (what a refresh replaces when the provider refuses it). */
  let tokenInUse: string | undefined;
  const useFields = (data: Record<string, unknown>) => {
    const parsed = connector.credentials!.safeParse(data);
    if (!parsed.success) throw new Error(`Stored credential does not match the connector's fields: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    credentials = parsed.data;
    redact = stepRedactor(data) ?? redact;
  };
  // An OAuth2 connection's fields are built by its connector (oauth2.toCredentials), not typed by a user: used as they are.
  const useTokenFields = (data: Record<string, unknown>) => {
    credentials = data;
    redact = stepRedactor(data) ?? redact;
  };
  if (connector.credentials) {
    if (!step.credentialId) {
      // Connectors whose credential is optional (generic HTTP: auth "none") default it.
      const empty = connector.credentials.safeParse(undefined);
      if (!empty.success) return done({ status: 'failed', input, error: `Connector "${connector.key}" needs a credential; choose one for this step` });
      credentials = empty.data;
    } else {
      try {
        resolved = await deps.resolveCredential(step.credentialId);
        if (resolved.connector !== connector.key) throw new Error(`Credential is for "${resolved.connector}", not "${connector.key}"`);
        if (resolved.current) {
          const now = await resolved.current();
          tokenInUse = now.token;
          useTokenFields(now.data);
        } else {
          useFields(resolved.data);
        }
      } catch (err) {
        return done({ status: 'failed', input, error: `Credential: ${errorMessage(err)}` });
      }
    }
  }

  if (!action.pure) onCallOut();
  // The provider's rate limit for this connection (a shared token bucket): the step waits its turn.
  const limit = resolved?.credentialId && deps.rateLimiter ? connector.rateLimit?.(credentials, (d) => deps.baseUrl(connector.key, d)) : undefined;
  let throttledMs = 0;
  let refreshed = false;
  let maxAttempts = step.retry?.attempts ?? DEFAULT_ATTEMPTS;
  const backoff = step.retry?.backoffMs ?? DEFAULT_BACKOFF_MS;
  const timeoutMs = step.timeoutMs ?? deps.defaultStepTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const keyed = action.pure ? {} : { idempotencyKey };
  let attempt = 0;
  const outcome = (r: StepResult): StepResult => {
    if (resolved?.credentialId) deps.credentialOutcome?.(resolved.credentialId, r.status === 'succeeded', r.error);
    return r;
  };
  for (;;) {
    attempt++;
    if (limit) {
      try {
        const key = resolved!.credentialId!;
        const limiter = deps.rateLimiter!;
        const parking = attempt === 1 && limiter.reserve ? parkingFor?.() : undefined;
        if (parking) {
          // The first attempt's turn: parked for it when it is far off (the worker slot is freed), and
          // on resume the slot reserved then is used (a new reservation would go to the back again).
          const turn = await takeTurn(limiter, key, limit, parking, sleep, req.cancellation?.signal);
          if (turn.status === 'parked') {
            // Its start stays the first one's: the turn's whole wait shows as throttledMs once it goes.
            return done({ status: 'waiting', input, output: { for: 'duration', dueAt: turn.dueAt, throttled: true }, attempts: 0, startedAt: new Date(turn.since).toISOString() });
          }
          throttledMs += turn.waitedMs;
        } else {
          throttledMs += await limiter.take(key, limit, req.cancellation?.signal);
        }
      } catch (err) {
        if (req.cancellation?.cancelled) return done({ status: 'failed', input, error: 'Execution was cancelled', attempts: attempt - 1, throttledMs, ...keyed });
        // The shared limiter is unreachable (Redis away): call anyway; a provider's 429 is still retried after its Retry-After.
        warnings.push(`rate limit not applied: ${errorMessage(err)}`);
      }
    }
    const throttled = throttledMs ? { throttledMs } : {};
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
      const usage = action.usage?.(output);
      return outcome(done({ status: 'succeeded', input, output: output ?? null, attempts: attempt, ...throttled, ...keyed, ...(usage ? { usage } : {}) }));
    } catch (err) {
      // The provider refused an OAuth2 connection's token (a 401, or its own "expired" signal): refresh
      // it once and try again at once; that attempt does not count against the step's retries.
      if (resolved?.refresh && !refreshed && err instanceof ConnectorError && err.authExpired && !req.cancellation?.cancelled) {
        refreshed = true;
        try {
          const next = await resolved.refresh(tokenInUse ?? '');
          tokenInUse = next.token;
          useTokenFields(next.data);
        } catch (refreshErr) {
          return outcome(done({ status: 'failed', input, error: errorMessage(refreshErr), attempts: attempt, ...throttled, ...keyed }));
        }
        warnings.push(`attempt ${attempt}: the provider refused the access token (${errorMessage(err)}); refreshed it and tried again`);
        maxAttempts++;
        continue;
      }
      if (req.cancellation?.cancelled || attempt >= maxAttempts || !isRetryable(err)) {
        return outcome(done({ status: 'failed', input, error: errorMessage(err), attempts: attempt, ...throttled, ...keyed }));
      }
      // A rate-limited connection's 429: the provider's Retry-After holds back every run on it, not just this one.
      const retryAfter = retryAfterOf(err);
      if (limit && retryAfter) await deps.rateLimiter!.defer?.(resolved!.credentialId!, Math.min(retryAfter, MAX_RETRY_AFTER_MS)).catch(() => undefined);
      // The provider's Retry-After, when it gave one, is the least we wait (capped).
      const delay = Math.max(backoff * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4), Math.min(retryAfterOf(err) ?? 0, MAX_RETRY_AFTER_MS));
      warnings.push(`attempt ${attempt} failed (${errorMessage(err)}); retrying in ${Math.round(delay)} ms`);
      try {
        await sleep(delay, req.cancellation?.signal);
      } catch {
        return done({ status: 'failed', input, error: 'Execution was cancelled', attempts: attempt, ...throttled, ...keyed });
      }
    }
  }
}
