/** Types for server.js, so the backend's TypeScript tests can import the mock. */
export interface RecordedRequest {
  id: number;
  time: string;
  /** The provider whose prefix matched (e.g. "slack"), or null. */
  provider: string | null;
  method: string;
  /** The decoded path, e.g. /openweather/data/2.5/weather. */
  path: string;
  /** Path and raw query string as sent. */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  query: Record<string, string>;
  bodyText: string;
  /** JSON or form bodies parsed; other bodies as text; null when empty. */
  body: unknown;
}

export interface MockApis {
  /** e.g. http://127.0.0.1:4010 */
  url: string;
  port: number;
  /** Every request received, oldest first (live array). */
  requests: RecordedRequest[];
  /** Forgets requests, once-only failures and everything created. */
  reset(): void;
  close(): Promise<void>;
}

export const OVERSIZE_BYTES: number;

export function startMockApis(opts?: { port?: number; host?: string }): Promise<MockApis>;
