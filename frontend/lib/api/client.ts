import { env } from '../env';
import { sessionStore } from '../auth/session-store';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An API error in the shape `{ statusCode, error, message, details? }`; status 0 is a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly error: string;
  readonly details: ErrorDetail[];

  constructor(status: number, error: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.error = error;
    this.details = details;
  }

  get isNetwork() {
    return this.status === 0;
  }
}

function normaliseDetails(details: unknown): ErrorDetail[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d): ErrorDetail[] => {
    if (typeof d === 'string') return [{ path: '', message: d }];
    if (d && typeof d === 'object') {
      const { path, message } = d as { path?: unknown; message?: unknown };
      const p = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
      return [{ path: p, message: typeof message === 'string' ? message : JSON.stringify(d) }];
    }
    return [];
  });
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** Send the bearer token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
}

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const url = new URL(`${env.apiUrl}/api${path}`);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  return url.toString();
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, query, auth = true, signal } = opts;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = auth ? sessionStore.token() : null;
  if (token) headers.authorization = `Bearer ${token}`;

  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'Network Error', `Cannot reach the API at ${env.apiUrl}. Is it running?`);
  }

  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const b = (data && typeof data === 'object' ? data : {}) as { error?: unknown; message?: unknown; details?: unknown };
    const message = typeof b.message === 'string' ? b.message : Array.isArray(b.message) ? 'Validation failed' : res.statusText || `HTTP ${res.status}`;
    const error = new ApiError(res.status, typeof b.error === 'string' ? b.error : res.statusText, message, normaliseDetails(b.details ?? (Array.isArray(b.message) ? b.message : undefined)));
    // A rejected token ends the session; the guard sends the user to the login page.
    if (res.status === 401 && token) sessionStore.signOut('Your session ended. Please sign in again.');
    throw error;
  }
  return data as T;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong';
}
