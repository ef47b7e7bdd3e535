/**
 * `POST /api/webhooks/:workflowId`, the api's hottest path, as a plain Fastify route. It skips Nest's
 * per-request pipeline (guards, interceptors, pipes, filters: about a fifth of the accept cost in a
 * profile) and keeps everything Fastify does for every route: request ids, security headers, body
 * limits and parsers, metrics. Errors answer in the API's one shape (common/http-exception.filter).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../common/http-exception.filter.js';
import { ValidationError } from '../common/errors.js';
import type { WebhooksService } from './webhooks.service.js';

export const WEBHOOK_PATH = '/api/webhooks/:workflowId';


function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function registerWebhookRoute(fastify: FastifyInstance, webhooks: WebhooksService): void {
  fastify.route<{ Params: { workflowId: string } }>({
    method: 'POST',
    url: WEBHOOK_PATH,
    errorHandler: (err, req, reply) => {
      sendError(reply, err, req.log);
    },
    handler: async (req, reply: FastifyReply) => {
      const idempotencyKey = header(req, 'idempotency-key');
      if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 255)) {
        throw new ValidationError('Idempotency-Key is invalid', [{ path: 'Idempotency-Key', message: '1 to 255 characters' }]);
      }
      const result = await webhooks.receive({
        workflowId: req.params.workflowId,
        payload: req.body ?? {},
        rawBody: (req as { rawBody?: Buffer }).rawBody,
        signature: header(req, 'x-tributary-signature'),
        idempotencyKey,
      });
      if (result.mode === 'sync') {
        void reply.status(result.status === 'succeeded' ? 200 : 502).header('x-execution-id', result.executionId);
        if (result.duplicate) void reply.header('idempotent-replayed', 'true');
        return result.status === 'succeeded'
          ? result.output
          : { statusCode: 502, error: 'Bad Gateway', message: result.error ?? 'The workflow failed', details: { executionId: result.executionId } };
      }
      if (result.duplicate) void reply.header('idempotent-replayed', 'true');
      void reply.status(202);
      return { executionId: result.executionId };
    },
  });
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** The route's OpenAPI operation (Nest's document builder sees only controllers). */
export const webhookOpenApi = {
  path: '/api/webhooks/{workflowId}',
  errorSchema: {
    type: 'object',
    required: ['statusCode', 'error', 'message'],
    properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' }, details: {} },
  },
  item: {
    post: {
      operationId: 'webhooks_receive',
      tags: ['webhooks'],
      summary: 'Trigger a workflow',
      description:
        'Records the execution (queued) and queues it, then answers 202 with its id: once answered, the run happens. ' +
        'A workflow in `sync` response mode runs at once and answers with its last step\'s output (504 past its timeout; the run still completes and is recorded). ' +
        'The body may nest objects and arrays at most `MAX_JSON_DEPTH` levels deep (default 64); a deeper body answers 400 with the limit in its message.',
      parameters: [
        { in: 'path', name: 'workflowId', required: true, schema: { type: 'string', format: 'uuid' } },
        { in: 'header', name: 'X-Tributary-Signature', required: false, description: 'sha256=<hex HMAC-SHA256 of the body>, when the workflow has a secret', schema: { type: 'string' } },
        { in: 'header', name: 'Idempotency-Key', required: false, description: 'A repeat answers the first execution id (1 to 255 characters)', schema: { type: 'string', minLength: 1, maxLength: 255 } },
      ],
      requestBody: { required: false, content: { 'application/json': { schema: { description: 'Any JSON: the run\'s payload (`{{…}}` in templates)' } } } },
      responses: {
        '200': { description: 'Sync mode: the last step\'s output', headers: { 'X-Execution-Id': { schema: { type: 'string', format: 'uuid' } } } },
        '202': {
          description: 'Accepted: recorded and queued',
          headers: { 'Idempotent-Replayed': { description: 'true when this answers a repeated Idempotency-Key', schema: { type: 'string' } } },
          content: { 'application/json': { schema: { type: 'object', required: ['executionId'], properties: { executionId: { type: 'string', format: 'uuid' } } } } },
        },
        '400': errorResponse('Malformed JSON, JSON nested deeper than MAX_JSON_DEPTH, a NUL character (\\u0000) in a string, or an invalid Idempotency-Key'),
        '401': errorResponse('Missing or wrong signature (workflows with a secret)'),
        '404': errorResponse('No enabled webhook workflow with this id'),
        '413': errorResponse('Body larger than MAX_BODY_BYTES'),
        '415': errorResponse('Not a JSON body'),
        '429': errorResponse('The workflow\'s rate limit; Retry-After says when to try again'),
        '502': errorResponse('Sync mode: the workflow failed'),
        '504': errorResponse('Sync mode: the workflow did not finish in time'),
      },
    },
  },
};
