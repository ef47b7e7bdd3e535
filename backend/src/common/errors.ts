/**
 * Domain errors thrown by services; one exception filter maps them to the API's error shape
 * `{ statusCode, error, message, details? }`.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class DomainError extends Error {
  /** Sent as `Retry-After` (seconds) when set: the caller may try again after that long. */
  retryAfterSeconds?: number;

  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details: FieldError[] = []) {
    super(400, message, details);
  }
}
export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication required') {
    super(401, message);
  }
}
export class ForbiddenError extends DomainError {
  constructor(message = 'Your role does not allow this') {
    super(403, message);
  }
}
export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(404, `${what} not found`);
  }
}
export class ConflictError extends DomainError {
  constructor(message: string) {
    super(409, message);
  }
}
export class RateLimitedError extends DomainError {
  constructor(message: string, retryAfterSeconds?: number) {
    super(429, message);
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
export class ServiceUnavailableError extends DomainError {
  constructor(message: string, retryAfterSeconds = 5) {
    super(503, message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
