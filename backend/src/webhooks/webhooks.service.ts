import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DomainError, NotFoundError, RateLimitedError, UnauthorizedError } from '../common/errors.js';
import { REDIS } from '../common/redis.module.js';
import { WindowRateLimiter } from '../common/window-rate-limiter.js';
import { CONFIG, type Config } from '../config/config.js';
import { withTimeout } from '../common/timeout.js';
import { ExecutionRunner } from '../executions/execution-runner.js';
import { ExecutionsService, flowOf } from '../executions/executions.service.js';
import type { Workflow } from '../workflows/workflow.entity.js';
import { inSpan, SpanKind, TRACING } from '../telemetry/tracing.js';
import { WorkflowCache } from './workflow-cache.js';

export class GatewayTimeoutError extends DomainError {
  constructor(message: string, executionId: string) {
    super(504, message, { executionId });
  }
}

export interface WebhookRequest {
  workflowId: string;
  payload: unknown;
  rawBody?: Buffer;
  signature?: string;
  idempotencyKey?: string;
}

export type WebhookResult =
  | { mode: 'async'; executionId: string; duplicate: boolean }
  | { mode: 'sync'; executionId: string; status: 'succeeded' | 'failed' | 'cancelled'; output: unknown; error?: string; duplicate?: boolean };

/** How often a repeated sync webhook looks whether the first execution has finished. */

/** `X-Tributary-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const given = header.startsWith('sha256=') ? header.slice(7) : header;
  const expected = createHmac('sha256', secret).update(body).digest('hex');
  const a = Buffer.from(given, 'hex');
  const b = Buffer.from(expected, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export class WebhookRateLimitedError extends RateLimitedError {
  constructor(
    limit: number,
    readonly retryAfterMs: number,
  ) {
    super(`Rate limit exceeded: ${limit} requests per minute for this workflow; retry in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs / 1000);
  }
}

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');
  private readonly limiter: WindowRateLimiter;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly cache: WorkflowCache,
    private readonly executions: ExecutionsService,
    private readonly runner: ExecutionRunner,
    @Inject(REDIS) redis: Redis | undefined,
  ) {
    // Per workflow, shared by every api process; a count Redis cannot give in time lets the webhook in.
    this.limiter = new WindowRateLimiter(redis, { keyPrefix: `${config.redisPrefix}:rl:webhook:`, windowMs: 60_000, timeoutMs: 250 });
  }

  /** Tracing on: inside a `webhook.accept` span, the root of the trace its execution continues. */
  receive(req: WebhookRequest): Promise<WebhookResult> {
    if (!TRACING.enabled) return this.accept(req);
    return inSpan('webhook.accept', { kind: SpanKind.SERVER, attributes: { 'tributary.workflow.id': req.workflowId } }, () => this.accept(req), (span, r) => {
      span.setAttributes({ 'tributary.execution.id': r.executionId, 'tributary.webhook.mode': r.mode, 'tributary.webhook.duplicate': Boolean(r.duplicate) });
    });
  }

  private async accept(req: WebhookRequest): Promise<WebhookResult> {
    const wf = await this.cache.get(req.workflowId);
    if (!wf || !wf.enabled || wf.trigger.type !== 'webhook') throw new NotFoundError('Workflow');
    if (wf.trigger.secret && !verifySignature(wf.trigger.secret, req.rawBody ?? Buffer.alloc(0), req.signature)) {
      throw new UnauthorizedError('Missing or wrong X-Tributary-Signature (expected sha256=<hex HMAC-SHA256 of the body>)');
    }
    const limit = wf.trigger.rateLimitPerMinute ?? this.config.rateLimits.webhookPerMinute;
    const decision = await this.limiter.hit(wf.id, limit);
    if (decision && !decision.allowed) throw new WebhookRateLimitedError(limit, decision.resetMs);
    if (wf.trigger.responseMode === 'sync') return this.runSync(wf, req.payload, req.idempotencyKey);
    this.executions.assertAcceptingWork();
    const r = await this.executions.start({
      tenantId: wf.tenantId,
      workflowId: wf.id,
      workflowVersion: wf.version,
      triggerType: 'webhook',
      payload: req.payload,
      idempotencyKey: req.idempotencyKey,
      flow: flowOf(wf),
    });
    return { mode: 'async', executionId: r.executionId, duplicate: r.duplicate };
  }

  /**
   * Sync mode (protocol bridging): runs in this process and answers with the last step's output.
   * Past the timeout the caller gets 504, and the run goes on and is recorded all the same. A repeated
   * Idempotency-Key answers the first execution's result (waiting for it within the same timeout).
   */
  private async runSync(wf: Workflow, payload: unknown, idempotencyKey: string | undefined): Promise<WebhookResult> {
    const timeoutMs = (wf.trigger.type === 'webhook' ? wf.trigger.timeoutMs : undefined) ?? this.config.syncWebhookTimeoutMs;
    const timedOut = (id: string) => () => new GatewayTimeoutError(`The workflow did not finish within ${timeoutMs} ms; it goes on as execution ${id}`, id);
    if (wf.concurrencyMax !== null) {
      // A limited workflow's run waits for its turn like every other: queued, and answered once it ends.
      this.executions.assertAcceptingWork();
      const r = await this.executions.start({ tenantId: wf.tenantId, workflowId: wf.id, workflowVersion: wf.version, triggerType: 'webhook', payload, idempotencyKey, flow: flowOf(wf) });
      return this.firstResult(wf.tenantId, r.executionId, timeoutMs, timedOut(r.executionId), r.duplicate);
    }
    const started = await this.executions.startHere({ tenantId: wf.tenantId, workflowId: wf.id, workflowVersion: wf.version, triggerType: 'webhook', payload, idempotencyKey });
    if ('existingId' in started) return this.firstResult(wf.tenantId, started.existingId, timeoutMs, timedOut(started.existingId));
    const { claimed } = started;
    const executionId = claimed.id;
    const run = this.runner.run(claimed, wf.steps);
    run.catch((err) => this.logger.error({ msg: 'sync execution failed to record', executionId, err }));
    const outcome = await withTimeout(run, timeoutMs, timedOut(executionId));
    // This process lost the run (cut off from the database past its lease): another worker finishes it.
    if (outcome.status === 'abandoned') throw new GatewayTimeoutError(`The run moved to another worker; it goes on as execution ${executionId}`, executionId);
    const r = outcome.result;
    // Parked on a durable wait: it goes on later, as an accepted (202) run does.
    if (r.status === 'waiting') return { mode: 'async', executionId, duplicate: false };
    return { mode: 'sync', executionId, status: r.status, output: r.output ?? null, ...(r.error ? { error: r.error } : {}) };
  }

  /** The result of an earlier sync execution (a repeated Idempotency-Key), once it has finished, within the timeout. */
  private async firstResult(tenantId: string, id: string, timeoutMs: number, timedOut: () => Error, duplicate = true): Promise<WebhookResult> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const e = await this.executions.whenFinished(tenantId, id, deadline).catch((err: unknown) => {
      throw deadline.aborted ? timedOut() : err;
    });
    return { mode: 'sync', executionId: id, status: e.status, output: e.output ?? null, ...(e.error ? { error: e.error } : {}), duplicate };
  }
}
