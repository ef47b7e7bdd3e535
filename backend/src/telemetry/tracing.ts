/**
 * OpenTelemetry traces: one trace per execution, from the webhook (or whatever accepted it) through
 * the queue to each step and each outbound HTTP call. Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then nothing is registered, every hook is behind the
 * one boolean `TRACING.enabled`, and no span (not even a no-op one) is made.
 *
 * On: a BasicTracerProvider with a BatchSpanProcessor and the OTLP/HTTP (JSON) exporter, registered
 * globally, and a context manager on AsyncLocalStorage so that a step's span is the parent of the
 * HTTP calls its connector makes. The trace crosses the queue as a W3C `traceparent` stored on the
 * execution row (`executions.trace_context`); the worker continues it.
 *
 * Span attributes never carry payloads, URLs' paths or queries (webhook URLs and API keys live
 * there), or credentials: ids, names of connectors and actions, statuses, hosts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type ContextManager,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { HttpCallSpan } from '../common/http/http-client.js';
import type { StepResult, StepTracer } from '../engine/types.js';

/** The one switch every hook reads. */
export const TRACING = { enabled: false };

const TRACER_NAME = 'tributary';

/** Active context on AsyncLocalStorage (what @opentelemetry/context-async-hooks does, without the dependency). */
class AsyncLocalContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

interface Registration {
  provider: BasicTracerProvider;
  contextManager: AsyncLocalContextManager;
  tracer: Tracer;
  users: number;
}

let registration: Registration | undefined;

export interface TracingOptions {
  /** Where spans are POSTed (OTLP/HTTP JSON), e.g. http://collector:4318/v1/traces. */
  tracesUrl: string;
  serviceName: string;
  /** Instead of the OTLP exporter (tests). */
  exporter?: SpanExporter;
}

/**
 * Registers the tracer provider (once per process: an api and a worker in one process share it, the
 * first one's service name wins) and turns the hooks on. Answers the function that lets it go: the
 * last one flushes what is buffered and turns tracing off again.
 */
export function startTracing(opts: TracingOptions): () => Promise<void> {
  if (!registration) {
    const exporter = opts.exporter ?? new OTLPTraceExporter({ url: opts.tracesUrl });
    const provider = new BasicTracerProvider({
      resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName })),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const contextManager = new AsyncLocalContextManager();
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
    registration = { provider, contextManager, tracer: trace.getTracer(TRACER_NAME), users: 0 };
    TRACING.enabled = true;
  }
  const reg = registration;
  reg.users++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--reg.users > 0) return;
    TRACING.enabled = false;
    registration = undefined;
    await reg.provider.shutdown().catch(() => undefined);
    trace.disable();
    context.disable();
  };
}

/** Exports every span ended so far (tests; shutdown does it too). */
export async function flushTracing(): Promise<void> {
  await registration?.provider.forceFlush();
}

function tracer(): Tracer {
  return registration?.tracer ?? trace.getTracer(TRACER_NAME);
}

// --- W3C trace context: how a trace crosses the queue (executions.trace_context) ---

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `00-<trace id>-<span id>-<flags>` of a span. */
export function traceparentOf(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The remote parent a stored traceparent stands for (undefined: none, or unreadable). */
export function parseTraceparent(value: string | null | undefined): SpanContext | undefined {
  const m = value ? TRACEPARENT.exec(value) : null;
  if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return undefined;
  return { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & TraceFlags.SAMPLED, isRemote: true };
}

/** The trace id a stored traceparent belongs to. */
export function traceIdOf(value: string | null | undefined): string | null {
  return parseTraceparent(value)?.traceId ?? null;
}

function fail(span: Span, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  span.setAttribute(ATTR_ERROR_TYPE, e.name || 'Error');
}

// --- Hooks (call them only when TRACING.enabled) ---

/** The traceparent of the active span (a webhook's, a step's for a sub-workflow), if any. */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  return span && span.spanContext().traceId ? traceparentOf(span.spanContext()) : undefined;
}

/** A span around `fn`, active inside it (the parent of what `fn` starts), ended when it settles. */
export async function inSpan<T>(
  name: string,
  opts: { kind?: SpanKind; attributes?: Attributes; parent?: SpanContext },
  fn: (span: Span) => Promise<T>,
  after?: (span: Span, value: T) => void,
): Promise<T> {
  const parentCtx = opts.parent ? trace.setSpanContext(ROOT_CONTEXT, opts.parent) : context.active();
  const span = tracer().startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes }, parentCtx);
  try {
    const value = await context.with(trace.setSpan(parentCtx, span), () => fn(span));
    after?.(span, value);
    return value;
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * The trace an execution being accepted joins: the active span's (a webhook, the `call` step of a
 * parent execution), else a new `execution.accept` span of its own around `accept`. Answers what
 * `accept` answered; `traceparent` is given to it to store on the row.
 */
export function acceptTraced<T>(attributes: Attributes, accept: (traceparent: string) => Promise<T>): Promise<T> {
  const active = activeTraceparent();
  if (active) return accept(active);
  return inSpan('execution.accept', { kind: SpanKind.PRODUCER, attributes }, (span) => accept(traceparentOf(span.spanContext())));
}

/** The engine's step hook: a span per step or block, child of the run's (or of its block's). */
export const stepTracer: StepTracer = {
  step<T>(info: { path: string; kind: string; connector?: string; action?: string }, run: () => Promise<T>, result: () => StepResult | undefined): Promise<T> {
    const name = info.kind === 'action' ? `step ${info.connector}.${info.action}` : `step ${info.kind}`;
    const attributes: Attributes = { 'tributary.step.path': info.path, 'tributary.step.type': info.kind };
    if (info.connector) attributes['tributary.step.connector'] = info.connector;
    if (info.action) attributes['tributary.step.action'] = info.action;
    return inSpan(name, { attributes }, run, (span) => {
      const r = result();
      if (!r) return;
      span.setAttributes({ 'tributary.step.status': r.status, 'tributary.step.attempts': r.attempts });
      if (r.reused) span.setAttribute('tributary.step.reused', true);
      if (r.throttledMs) span.setAttribute('tributary.step.throttled_ms', r.throttledMs);
      if (r.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: r.error });
    });
  },
};

/** The HTTP client's hook: a CLIENT span per request (its retries included), child of the active step. */
export function traceHttpCall(rawMethod: string, rawUrl: string): HttpCallSpan | undefined {
  if (!TRACING.enabled) return undefined;
  // Only calls made within a trace (a step's): no lone spans for calls outside executions.
  const parent = context.active();
  if (!trace.getSpan(parent)) return undefined;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return undefined; // the client refuses it, saying why
  }
  const method = rawMethod.toUpperCase();
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const span = tracer().startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port, [ATTR_URL_SCHEME]: url.protocol.slice(0, -1) },
    },
    parent,
  );
  return {
    end({ status, error }) {
      if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (error !== undefined) fail(span, error);
      else if (status !== undefined && status >= 400) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
      }
      span.end();
    },
  };
}

export { SpanKind, SpanStatusCode };
