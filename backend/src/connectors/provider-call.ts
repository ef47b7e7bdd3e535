/**
 * How connectors call a provider: through the context's HTTP client (with the step's abort signal)
 * and with every failure turned into a ConnectorError a user can act on: "Slack rejected the
 * webhook URL (403 invalid_token)", never a stack trace, never a secret.
 */
import { isHttpRequestError, parseRetryAfter, type HttpRequest, type HttpResponse } from '../common/http/http-client.js';
import { ConnectorError, type ActionContext } from './sdk.js';

export interface ProviderInfo {
  /** The provider's display name, e.g. "Slack". */
  name: string;
  /** What to say per status instead of the default, e.g. `{ 403: 'rejected the webhook URL' }`. */
  messages?: Partial<Record<number, string>>;
  /** Extracts the provider's reason from an error body; the default understands common shapes. */
  reason?: (body: unknown) => string | undefined;
}

/** What a provider call needs of its context: an action's, or a connection test's (which has no run). */
export type ProviderCallContext = Pick<ActionContext<unknown, unknown>, 'http' | 'signal'>;

export async function callProvider(ctx: ProviderCallContext, provider: ProviderInfo, req: HttpRequest): Promise<HttpResponse> {
  try {
    return await ctx.http.request({ signal: ctx.signal, ...req });
  } catch (err) {
    throw toConnectorError(err, provider);
  }
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'refused the request',
  401: 'rejected the credentials',
  403: 'refused access with these credentials',
  404: 'found nothing at that address',
  409: 'reported a conflict',
  422: 'could not process the request',
  429: 'is rate limiting requests; try again later',
};

export function toConnectorError(err: unknown, provider: ProviderInfo): ConnectorError {
  if (err instanceof ConnectorError) return err;
  if (!isHttpRequestError(err)) {
    return new ConnectorError(`${provider.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const name = provider.name;
  switch (err.code) {
    case 'HTTP_STATUS': {
      const status = err.status ?? 0;
      const body = err.response?.body;
      const reason = (provider.reason ?? defaultReason)(body) ?? defaultReason(body);
      const verb = provider.messages?.[status] ?? DEFAULT_MESSAGES[status] ?? (status >= 500 ? 'had a server error' : 'refused the request');
      const hinted = err.response?.headers?.['retry-after'];
      return new ConnectorError(`${name} ${verb} (${status}${reason ? ` ${reason}` : ''})`, {
        status,
        retryable: err.retryable,
        details: { status, body: err.body },
        retryAfterMs: parseRetryAfter(Array.isArray(hinted) ? hinted[0] : hinted) ?? undefined,
      });
    }
    case 'TIMEOUT':
      return new ConnectorError(`${name} did not answer in time: ${err.message}`, { retryable: true });
    case 'NETWORK':
      return new ConnectorError(`${name} could not be reached: ${err.message}`, { retryable: true });
    case 'RESPONSE_TOO_LARGE':
      return new ConnectorError(`${name} sent too large a response: ${err.message}`);
    case 'ABORTED':
      return new ConnectorError(`The call to ${name} was cancelled`);
    case 'SSRF_BLOCKED':
    case 'INVALID_URL':
      return new ConnectorError(`${name}: ${err.message}`);
  }
}

/**
 * A short reason from the usual error shapes: `{ message }`, `{ error }`, `{ detail }`,
 * `[{ errorCode, message }]`, `{ code, message }`, plain text; HTML is reduced to its headline.
 */
export function defaultReason(body: unknown): string | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') {
    const headline = /<(?:title|h1)[^>]*>([^<]+)</i.exec(body)?.[1];
    const text = (headline ?? body.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
    return text ? clip(text) : undefined;
  }
  if (Array.isArray(body)) return defaultReason(body[0]);
  if (typeof body !== 'object') return clip(String(body));
  const o = body as Record<string, unknown>;
  const code = [o.errorCode, o.code].find((c) => typeof c === 'string' || typeof c === 'number');
  const nested = o.error && typeof o.error === 'object' ? defaultReason(o.error) : undefined;
  const message = [o.message, o.error_description, o.detail, o.msg, o.error].find((m) => typeof m === 'string') as string | undefined;
  if (message) return clip(code !== undefined && String(code) !== message && !/^\d{3}$/.test(String(code)) ? `${code}: ${message}` : message);
  if (nested) return nested;
  if (Array.isArray(o.errors)) return defaultReason(o.errors[0]);
  return clip(JSON.stringify(body));
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}…` : text;
}

/** Joins a base URL and a path without doubling or dropping slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The response's parsed JSON body; a clear error when the provider answered something else. */
export function jsonBody<T>(res: HttpResponse, provider: ProviderInfo): T {
  if (res.body === null || typeof res.body !== 'object') {
    const what = res.text.trim() ? `"${clip(res.text.replace(/\s+/g, ' ').trim()).slice(0, 80)}"` : 'an empty body';
    throw new ConnectorError(`${provider.name} answered ${res.status} with ${what} instead of JSON`, { status: res.status });
  }
  return res.body as T;
}
