/**
 * A thin client for a DB-less Kong Admin API: POST /config replaces the whole configuration.
 * `flatten_errors=1` makes Kong list each refused entity with its tags (ours carry
 * `workflow:<id>`); `check_hash=1` answers 304 when the config is unchanged.
 */
import type { KongDeclarativeConfig } from './kong-types.js';

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{
  status: number;
  text(): Promise<string>;
  headers: { get(name: string): string | null };
}>;

export interface KongPushErrorDetail {
  /** e.g. `route wf-…-hooks` */
  entity?: string;
  /** From the entity's `workflow:<id>` tag, when it has one. */
  workflowId?: string;
  message: string;
}

export type KongPushResult =
  | { ok: true; status: number; unchanged: boolean }
  | { ok: false; status: number; error: string; details: KongPushErrorDetail[] };

export async function pushKongConfig(
  adminUrl: string,
  config: KongDeclarativeConfig,
  fetchImpl: FetchLike = fetch as unknown as FetchLike,
  options: { timeoutMs?: number } = {},
): Promise<KongPushResult> {
  const url = `${adminUrl.replace(/\/+$/, '')}/config?flatten_errors=1&check_hash=1`;
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      // Kong reads `config` as a YAML or JSON document.
      body: JSON.stringify({ config: JSON.stringify(config) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (err) {
    return { ok: false, status: 0, error: `Kong Admin API at ${adminUrl} is unreachable: ${failureReason(err)}`, details: [] };
  }
  if (response.status === 200 || response.status === 201 || response.status === 304) {
    return { ok: true, status: response.status, unchanged: response.status === 304 };
  }

  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const details = kongErrorDetails(body);
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const headline = typeof record.name === 'string' ? record.name : typeof record.message === 'string' ? record.message : text.slice(0, 200) || 'no body';
  const retry = response.status === 429 && response.headers.get('retry-after') ? ` (retry after ${response.headers.get('retry-after')} s)` : '';
  const listed = details.length ? `: ${details.map((d) => (d.entity ? `${d.entity}: ${d.message}` : d.message)).join('; ')}` : '';
  return { ok: false, status: response.status, error: `Kong refused the configuration (HTTP ${response.status} ${headline})${retry}${listed}`, details };
}

/** fetch hides the socket error in `cause` (checked by shape: errors may come from another realm). */
function failureReason(err: unknown): string {
  const message = (e: unknown) => (typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : undefined);
  const cause = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
  return message(cause) ?? message(err) ?? String(err);
}

/** Kong's 400: `flattened_errors` (3.x with flatten_errors=1) or the nested `fields` tree. */
export function kongErrorDetails(body: unknown): KongPushErrorDetail[] {
  if (typeof body !== 'object' || body === null) return [];
  const b = body as Record<string, unknown>;
  const details: KongPushErrorDetail[] = [];
  if (Array.isArray(b.flattened_errors)) {
    for (const item of b.flattened_errors as Record<string, unknown>[]) {
      const name = item.entity_name ?? item.entity_id;
      const entity = `${String(item.entity_type ?? 'entity')}${name ? ` ${String(name)}` : ''}`;
      const tags = Array.isArray(item.entity_tags) ? (item.entity_tags as unknown[]) : [];
      const tag = tags.find((t): t is string => typeof t === 'string' && t.startsWith('workflow:'));
      const workflowId = tag?.slice('workflow:'.length);
      const errors = Array.isArray(item.errors) ? (item.errors as Record<string, unknown>[]) : [];
      for (const e of errors) {
        const message = `${typeof e.field === 'string' ? `${e.field}: ` : ''}${String(e.message ?? 'invalid')}`;
        details.push(workflowId ? { entity, workflowId, message } : { entity, message });
      }
    }
  }
  if (details.length === 0 && typeof b.fields === 'object' && b.fields !== null) {
    flattenFields(b.fields, '', details);
  }
  return details;
}

function flattenFields(node: unknown, path: string, out: KongPushErrorDetail[]) {
  if (typeof node === 'string') {
    out.push({ entity: path || undefined, message: node });
  } else if (Array.isArray(node)) {
    node.forEach((child, i) => flattenFields(child, typeof child === 'string' ? path : `${path}[${i}]`, out));
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, child] of Object.entries(node)) {
      flattenFields(child, key === '@entity' ? path : path ? `${path}.${key}` : key, out);
    }
  }
}
