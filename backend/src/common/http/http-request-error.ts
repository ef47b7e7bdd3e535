/** The one error type the outbound HTTP client throws; connectors turn it into a ConnectorError. */

export type HttpErrorCode =
  /** The target answered with a status the caller does not accept (>= 400 by default). */
  | 'HTTP_STATUS'
  /** No complete answer within the request's timeout. */
  | 'TIMEOUT'
  /** The caller's signal aborted the request (step timeout, cancelled execution). */
  | 'ABORTED'
  /** DNS failure, refused or reset connection. */
  | 'NETWORK'
  /** The body grew past the size cap; the download was stopped. */
  | 'RESPONSE_TOO_LARGE'
  /** The target resolved to a private, loopback, link-local or metadata address. */
  | 'SSRF_BLOCKED'
  /** Not an absolute http(s) URL. */
  | 'INVALID_URL';

export interface HttpErrorResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the response is JSON, else the text (secrets redacted). */
  body: unknown;
}

export class HttpRequestError extends Error {
  readonly code: HttpErrorCode;
  readonly status?: number;
  /** Whether another attempt later may succeed (429, 5xx, timeouts, network errors). */
  readonly retryable: boolean;
  /** The first characters of the response body, secrets redacted. */
  readonly body?: string;
  readonly response?: HttpErrorResponse;
  /** How many attempts were made before giving up. */
  readonly attempts: number;

  constructor(
    message: string,
    opts: { code: HttpErrorCode; retryable: boolean; status?: number; body?: string; response?: HttpErrorResponse; attempts?: number },
  ) {
    super(message);
    this.name = 'HttpRequestError';
    this.code = opts.code;
    this.status = opts.status;
    this.retryable = opts.retryable;
    this.body = opts.body;
    this.response = opts.response;
    this.attempts = opts.attempts ?? 1;
  }
}

export function isHttpRequestError(err: unknown): err is HttpRequestError {
  return err instanceof HttpRequestError;
}
