import { Controller, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/decorators.js';
import { ValidationError } from '../common/errors.js';
import { WebhookRateLimitedError, WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** 202 `{ executionId }` once the run is recorded and queued; sync workflows answer their output. */
  @Public()
  @Post(':workflowId')
  @HttpCode(202)
  @ApiHeader({ name: 'X-Tributary-Signature', required: false, description: 'sha256=<hex HMAC-SHA256 of the body>, when the workflow has a secret' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeat answers the first execution id' })
  async receive(
    @Param('workflowId') workflowId: string,
    @Req() req: RawBodyRequest<FastifyRequest>,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('x-tributary-signature') signature?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 255)) {
      throw new ValidationError('Idempotency-Key is invalid', [{ path: 'Idempotency-Key', message: '1 to 255 characters' }]);
    }
    const result = await this.webhooks.receive({ workflowId, payload: req.body ?? {}, rawBody: req.rawBody, signature, idempotencyKey }).catch((err: unknown) => {
      if (err instanceof WebhookRateLimitedError) void reply.header('retry-after', String(Math.ceil(err.retryAfterMs / 1000)));
      throw err;
    });
    if (result.mode === 'sync') {
      void reply.status(result.status === 'succeeded' ? 200 : 502).header('x-execution-id', result.executionId);
      return result.status === 'succeeded' ? result.output : { statusCode: 502, error: 'Bad Gateway', message: result.error ?? 'The workflow failed', details: { executionId: result.executionId } };
    }
    if (result.duplicate) void reply.header('idempotent-replayed', 'true');
    return { executionId: result.executionId };
  }
}
