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

/** What each common SQLSTATE of class 22 (data exception) means to a caller, without the statement or its values. */
const DATA_EXCEPTIONS: Record<string, string> = {
  '22001': 'a text is too long',
  '22003': 'a number is out of range',
  '22007': 'a date or time is malformed',
  '22008': 'a date or time is out of range',
  '22012': 'a division by zero',
  '22021': 'a text holds a character that cannot be stored',
  '22023': 'a parameter has an invalid value',
  '22P02': 'a value has the wrong format',
  '22P05': 'a text holds a character that cannot be stored',
};

/**
 * The SQLSTATE of an error PostgreSQL raised because of a value (class 22, data exception), or
 * undefined. pg's DatabaseError carries a severity, TypeORM's QueryFailedError the driver's error; an
 * error of Node or of a library never has both a five-character code of class 22 and either.
 */
export function dataExceptionCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const { code, severity, driverError } = err as { code?: unknown; severity?: unknown; driverError?: unknown };
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && (typeof severity === 'string' || driverError !== undefined) ? code : undefined;
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
  // Last line of defence: a value no validation caught reached PostgreSQL, which refused it. The
  // caller's mistake (400), told without the SQL; logged by sendError so the validation gets added.
  const sqlstate = dataExceptionCode(exception);
  if (sqlstate) {
    return { statusCode: 400, error: 'Bad Request', message: `A value in the request is not valid: ${DATA_EXCEPTIONS[sqlstate] ?? 'it cannot be stored or compared'} (SQLSTATE ${sqlstate})` };
  }
  if (exception && typeof exception === 'object' && 'message' in exception) {
    const fst = fromFastifyError(exception as FastifyLikeError);
    if (fst) return fst;
  }
  return { statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong; the request id identifies it in the logs' };
}

/**
 * Answers an error in the API's shape; errors that are not the caller's fault are logged (500s), and
 * so are values PostgreSQL refused (400s that a validation should have answered). Used
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
  else if (dataExceptionCode(exception)) log.error({ err: exception, reqId }, 'PostgreSQL refused a value of the request (answered 400); it needs validation');
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
