/** A small client of the Tributary api (fetch): bearer auth, JSON both ways, errors that say what the api said. */
import type { Execution, ExecutionStarted, Workflow } from '@tributary/contracts';
import type { Connection } from './config.js';
import { CliError } from './output.js';

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends CliError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly apiMessage: string,
    readonly details: FieldError[],
  ) {
    super(`${method} ${path}: ${status} ${apiMessage}${details.length ? `\n${details.map((d) => `  ${d.path}: ${d.message}`).join('\n')}` : ''}`);
    this.name = 'ApiError';
  }
}

/** The body of POST /workflows and PUT /workflows/:id as the CLI sends it (a file's definition). */
export type WorkflowBody = Record<string, unknown> & { name: string };

const RETRYABLE = new Set([429, 502, 503, 504]);

export class Api {
  constructor(private readonly conn: Connection) {}

  get baseUrl(): string {
    return this.conn.apiUrl;
  }

  get key(): string {
    return this.conn.apiKey;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.conn.apiUrl}${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.conn.apiKey}`, accept: 'application/json', 'user-agent': 'tributary-cli' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new CliError(`cannot reach the api at ${this.conn.apiUrl} (${method} ${path}): ${cause?.code ?? cause?.message ?? (e as Error).message}`);
      }
      const text = await res.text();
      let json: unknown = undefined;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: reported below with the text */
      }
      if (res.ok) return json as T;
      // Rate limited or the api's dependency is away: wait as told (Retry-After), a few times.
      if (RETRYABLE.has(res.status) && attempt < 4) {
        const after = Number(res.headers.get('retry-after'));
        await new Promise((r) => setTimeout(r, Math.min(Number.isFinite(after) && after > 0 ? after * 1000 : 500 * attempt, 10_000)));
        continue;
      }
      const e = (json ?? {}) as { message?: unknown; details?: unknown };
      const message = Array.isArray(e.message) ? e.message.join('; ') : typeof e.message === 'string' ? e.message : text.slice(0, 300) || res.statusText;
      const details = Array.isArray(e.details)
        ? e.details.filter((d): d is FieldError => !!d && typeof d === 'object' && typeof (d as FieldError).path === 'string').map((d) => ({ path: d.path, message: String(d.message) }))
        : [];
      throw new ApiError(method, path, res.status, message, details);
    }
  }

  me(): Promise<{ user: { id: string; email: string; name: string | null; tenantId: string; role: string } }> {
    return this.request('GET', '/api/auth/me');
  }

  /** The API key this client authenticates with (404 for a session token). */
  currentKey(): Promise<{ id: string; name: string; kind: string; scope: string; prefix: string; expiresAt: string | null }> {
    return this.request('GET', '/api/api-keys/current');
  }

  /** Every workflow of the workspace (all pages of 100). */
  async listWorkflows(): Promise<Workflow[]> {
    const all: Workflow[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Workflow[]; nextCursor: string | null } = await this.request('GET', `/api/workflows?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  getWorkflow(id: string): Promise<Workflow> {
    return this.request('GET', `/api/workflows/${encodeURIComponent(id)}`);
  }

  createWorkflow(body: WorkflowBody): Promise<Workflow> {
    return this.request('POST', '/api/workflows', body);
  }

  updateWorkflow(id: string, body: WorkflowBody): Promise<Workflow> {
    return this.request('PUT', `/api/workflows/${encodeURIComponent(id)}`, body);
  }

  deleteWorkflow(id: string): Promise<void> {
    return this.request('DELETE', `/api/workflows/${encodeURIComponent(id)}`);
  }

  run(id: string, payload: unknown): Promise<ExecutionStarted> {
    return this.request('POST', `/api/workflows/${encodeURIComponent(id)}/run`, { payload });
  }

  execution(id: string): Promise<Execution> {
    return this.request('GET', `/api/executions/${encodeURIComponent(id)}`);
  }
}
