import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { DomainError } from './errors.js';
import { isDependencyUnavailable, unavailable } from './unavailable.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message: string;
  validation?: unknown;
}

/** Fastify's own errors (body parsing, size, media type) carry a code and a status. */
function fromFastifyError(err: FastifyLikeError): ErrorBody | undefined {
  if (!err.code?.startsWith('FST_') || !err.statusCode) return undefined;
  const messages: Record<string, string> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is larger than the allowed maximum',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type; send application/json',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'Body is empty but Content-Type is application/json',
    FST_ERR_CTP_INVALID_JSON_BODY: 'Malformed JSON body',
  };
  const message = messages[err.code] ?? (err.statusCode === 400 && err.message.includes('JSON') ? 'Malformed JSON body' : err.message);
  return { statusCode: err.statusCode, error: STATUS_CODES[err.statusCode] ?? 'Error', message };
}

export function toErrorBody(exception: unknown): ErrorBody {
  if (!(exception instanceof DomainError) && isDependencyUnavailable(exception)) return toErrorBody(unavailable(exception));
  if (exception instanceof DomainError) {
    return {
      statusCode: exception.statusCode,
      error: STATUS_CODES[exception.statusCode] ?? 'Error',
      message: exception.message,
      ...(exception.details !== undefined ? { details: exception.details } : {}),
    };
  }
  if (exception instanceof HttpException) {
    // Fastify's own errors (body parsing, size, media type) arrive wrapped, the original as the cause.
    const cause = exception.cause as FastifyLikeError | undefined;
    const fst = cause && typeof cause === 'object' ? fromFastifyError(cause) : undefined;
    if (fst) return fst;
    const status = exception.getStatus();
    const res = exception.getResponse();
    let message = exception.message;
    let details: unknown;
    if (typeof res === 'object' && res !== null) {
      const r = res as { message?: unknown; details?: unknown };
      if (typeof r.message === 'string') message = r.message;
      else if (Array.isArray(r.message)) {
        message = 'Validation failed';
        details = r.message;
      }
      if (r.details !== undefined) details = r.details;
    }
    if (status === 404 && /^Cannot (GET|POST|PUT|DELETE|PATCH)/.test(message)) message = 'Route not found';
    return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...(details !== undefined ? { details } : {}) };
  }
  if (exception && typeof exception === 'object' && 'message' in exception) {
    const fst = fromFastifyError(exception as FastifyLikeError);
    if (fst) return fst;
  }
  return { statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong; the request id identifies it in the logs' };
}

/**
 * Answers an error in the API's shape; errors that are not the caller's fault are logged (500s). Used
 * by the exception filter and by routes outside Nest's pipeline (webhook ingress).
 */
export function sendError(
  reply: FastifyReply,
  exception: unknown,
  log: { error: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void },
  reqId?: string,
): ErrorBody {
  const known = exception instanceof DomainError ? exception : isDependencyUnavailable(exception) ? unavailable(exception) : undefined;
  const body = toErrorBody(known ?? exception);
  if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) log.warn({ err: (known?.cause as Error | undefined)?.message ?? body.message, reqId }, 'dependency unavailable');
  else if (body.statusCode >= HttpStatus.INTERNAL_SERVER_ERROR) log.error({ err: exception, reqId }, 'unhandled error');
  if (known?.retryAfterSeconds !== undefined) void reply.header('retry-after', String(known.retryAfterSeconds));
  void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  return body;
}

/** The one place errors of Nest's routes become responses. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendError(ctx.getResponse<FastifyReply>(), exception, this.logger, ctx.getRequest<FastifyRequest>()?.id);
  }
}
