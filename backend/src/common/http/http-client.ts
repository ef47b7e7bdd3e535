/**
 * The shared outbound HTTP client every connector uses: undici with a keep-alive agent, a timeout
 * per attempt, retries on 429/5xx/network errors (exponential backoff with jitter, `Retry-After`
 * honoured), a response-size cap, an SSRF guard applied after DNS resolution, and secrets redacted
 * from every error. Redirects are not followed, so a redirect cannot lead past the SSRF guard.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { HttpRequestError, type HttpErrorCode } from './http-request-error.js';
import { createRedactor, secretsFromHeaders } from './redact.js';
import { blockedAddressReason, guardedLookup, SsrfBlockedError } from './ssrf-guard.js';

export { HttpRequestError, isHttpRequestError, type HttpErrorCode } from './http-request-error.js';

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body (serialised, content-type set). */
  json?: unknown;
  /** Raw body (string) with the caller's content-type header. */
  body?: string;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Values to redact from any error message (tokens, passwords). */
  secrets?: string[];
  /** Overrides the client's retry count for this request (0: a single attempt). */
  retries?: number;
  /**
   * Statuses answered as a response instead of retried or thrown; default: below 400. SOAP, for
   * instance, accepts 500 because a SOAP 1.1 fault arrives with it.
   */
  acceptStatus?: (status: number) => boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the response is JSON, else the text. */
  body: unknown;
  text: string;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  /**
   * A WHATWG fetch through the same agent and SSRF guard, for SDKs that take a fetch (the MCP client's
   * streaming transport): no retries, size cap or redaction; the caller handles its errors.
   */
  fetch?(input: string | URL, init?: RequestInit): Promise<Response>;
}

export interface HttpClientOptions {
  /** Let requests reach private, loopback and link-local addresses (tests, on-premise targets). */
  allowPrivateTargets: boolean;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Extra attempts after the first on 429, 5xx and network errors. */
  retries?: number;
  userAgent?: string;
  /** First backoff delay; doubles each attempt, with jitter. */
  retryBaseMs?: number;
  /** Upper bound on a `Retry-After` wait (and on any backoff). */
  maxRetryDelayMs?: number;
  /** Tracing: a span per request, retries included (undefined from it: this request is not traced, at no cost). */
  trace?: (method: string, url: string) => HttpCallSpan | undefined;
}

/** A traced request, ended with the status it answered or the error it threw. */
export interface HttpCallSpan {
  end(outcome: { status?: number; error?: unknown }): void;
}

export interface ClosableHttpClient extends HttpClient {
  /** Closes the keep-alive connections. */
  close(): Promise<void>;
}

const EXCERPT_CHARS = 300;

export function createHttpClient(opts: HttpClientOptions): ClosableHttpClient {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxResponseBytes ?? 5 * 1024 * 1024;
  const defaultRetries = opts.retries ?? 2;
  const retryBaseMs = opts.retryBaseMs ?? 300;
  const maxRetryDelayMs = opts.maxRetryDelayMs ?? 30_000;
  const userAgent = opts.userAgent ?? 'Tributary/0.1 (+https://github.com/tributary)';
  const agent = new Agent({
    keepAliveTimeout: 4_000,
    connections: 64,
    connect: opts.allowPrivateTargets ? { timeout: timeoutMs } : { timeout: timeoutMs, lookup: guardedLookup },
  });

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { 'user-agent': userAgent };
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    const secrets = [...(req.secrets ?? [])];

    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new HttpRequestError(`Invalid URL: ${createRedactor(secrets)(req.url)}`, { code: 'INVALID_URL', retryable: false });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new HttpRequestError(`Only http and https URLs may be called, not ${url.protocol}`, { code: 'INVALID_URL', retryable: false });
    }
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      headers.authorization ??= `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      secrets.push(pass);
      url.username = '';
      url.password = '';
    }
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.append(k, String(v));
    secrets.push(...secretsFromHeaders(headers));
    // Built on the first error only: most requests never need them.
    let redactor: ((text: string) => string) | undefined;
    const redact = (text: string) => (redactor ??= createRedactor(secrets))(text);
    const target = url.origin + url.pathname + url.search;
    let whereText: string | undefined;
    const where = () => (whereText ??= `${method} ${redact(target)}`);
    const fail = (code: HttpErrorCode, message: string, retryable: boolean, attempts: number) =>
      new HttpRequestError(redact(message), { code, retryable, attempts });

    if (!opts.allowPrivateTargets) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const reason = net.isIP(host) ? blockedAddressReason(host) : null;
      if (reason) throw fail('SSRF_BLOCKED', new SsrfBlockedError(host, host, reason).message, false, 0);
    }

    let body: string | undefined = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    } else if (req.form) {
      body = new URLSearchParams(req.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }

    const accept = req.acceptStatus ?? ((s: number) => s < 400);
    const retries = req.retries ?? defaultRetries;
    const perAttemptMs = req.timeoutMs ?? timeoutMs;

    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw fail('ABORTED', `${where()} was cancelled`, false, attempt - 1);
      // One controller per attempt, aborted by the timeout or by the caller's signal (AbortSignal.any
      // costs more and keeps its sources alive longer).
      const controller = new AbortController();
      let timedOut = false;
      const timeout = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, perAttemptMs);
      const onCallerAbort = () => controller.abort(req.signal?.reason);
      req.signal?.addEventListener('abort', onCallerAbort, { once: true });
      const signal = controller.signal;
      let res: HttpResponse;
      try {
        const raw = await undiciRequest(url, { method, headers, body, signal, dispatcher: agent });
        const declared = Number(raw.headers['content-length'] ?? 0);
        if (declared > maxBytes) {
          raw.body.destroy();
          throw new ResponseTooLarge();
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of raw.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) {
            raw.body.destroy();
            throw new ResponseTooLarge();
          }
          chunks.push(chunk);
        }
        const text = Buffer.concat(chunks).toString('utf8');
        res = { status: raw.statusCode, headers: raw.headers, text, body: parseBody(raw.headers['content-type'], text) };
      } catch (err) {
        if (err instanceof ResponseTooLarge) {
          throw fail('RESPONSE_TOO_LARGE', `${where()}: the response is larger than the ${maxBytes}-byte limit`, false, attempt);
        }
        if (req.signal?.aborted) throw fail('ABORTED', `${where()} was cancelled`, false, attempt);
        if (timedOut) throw fail('TIMEOUT', `${where()} timed out after ${perAttemptMs} ms`, true, attempt);
        const blocked = findCause(err, (e): e is SsrfBlockedError => e instanceof SsrfBlockedError);
        if (blocked) throw fail('SSRF_BLOCKED', blocked.message, false, attempt);
        if (attempt <= retries) {
          await backoff(attempt, null);
          continue;
        }
        throw fail('NETWORK', `${where()} failed: ${describeNetworkError(err)}`, true, attempt);
      } finally {
        clearTimeout(timeout);
        req.signal?.removeEventListener('abort', onCallerAbort);
      }

      if (accept(res.status)) return res;
      const retryable = res.status === 429 || res.status === 408 || res.status >= 500;
      if (retryable && attempt <= retries) {
        await backoff(attempt, res.headers['retry-after']);
        continue;
      }
      const excerpt = redact(res.text.replace(/\s+/g, ' ').trim().slice(0, EXCERPT_CHARS));
      throw new HttpRequestError(`${where()} answered ${res.status}${excerpt ? `: ${excerpt}` : ''}`, {
        code: 'HTTP_STATUS',
        status: res.status,
        retryable,
        body: excerpt,
        response: { status: res.status, headers: res.headers, body: redactBody(res, redact) },
        attempts: attempt,
      });
    }

    async function backoff(attempt: number, retryAfter: string | string[] | undefined | null): Promise<void> {
      const hinted = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
      const exp = retryBaseMs * 2 ** (attempt - 1);
      const jittered = exp / 2 + Math.random() * (exp / 2);
      const delay = Math.min(hinted ?? jittered, maxRetryDelayMs);
      try {
        await sleep(delay, undefined, { signal: req.signal });
      } catch {
        throw fail('ABORTED', `${where()} was cancelled`, false, attempt);
      }
    }
  }

  /** Redirects are not followed here either: a redirect could lead past the SSRF guard. */
  const fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpRequestError(`Only http and https URLs may be called, not ${url.protocol}`, { code: 'INVALID_URL', retryable: false });
    if (!opts.allowPrivateTargets) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const reason = net.isIP(host) ? blockedAddressReason(host) : null;
      if (reason) throw new HttpRequestError(new SsrfBlockedError(host, host, reason).message, { code: 'SSRF_BLOCKED', retryable: false });
    }
    const headers = new Headers(init?.headers);
    if (!headers.has('user-agent')) headers.set('user-agent', userAgent);
    return (await undiciFetch(url, { ...(init as object), headers, redirect: 'manual', dispatcher: agent } as unknown as Parameters<typeof undiciFetch>[1])) as unknown as Response;
  };
  const close = () => agent.close();
  const trace = opts.trace;
  if (!trace) return { request, fetch, close };
  return {
    fetch,
    async request(req: HttpRequest): Promise<HttpResponse> {
      const span = trace(req.method ?? 'GET', req.url);
      if (!span) return request(req);
      try {
        const res = await request(req);
        span.end({ status: res.status });
        return res;
      } catch (err) {
        span.end({ status: err instanceof HttpRequestError ? err.status : undefined, error: err });
        throw err;
      }
    },
    close,
  };
}

class ResponseTooLarge extends Error {}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function parseBody(contentType: string | string[] | undefined, text: string): unknown {
  const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
  if (!/[/+]json\b/i.test(type)) return text;
  if (!text.trim()) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function redactBody(res: HttpResponse, redact: (s: string) => string): unknown {
  const clean = redact(res.text);
  return clean === res.text ? res.body : parseBody(res.headers['content-type'], clean);
}

function findCause<T extends Error>(err: unknown, match: (e: unknown) => e is T): T | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (match(e)) return e;
  }
  return null;
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code && e.code !== 'UND_ERR_SOCKET' ? e.code : e.cause?.code;
  const message = e.cause?.message ?? e.message ?? String(err);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
