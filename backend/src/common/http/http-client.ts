/** Placeholder contract; the full client (undici, retries, SSRF guard, size cap) lives here. */
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
}
