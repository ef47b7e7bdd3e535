/**
 * The file format: `<folder>/<slug>.workflow.json`, one workflow per file, its definition with a
 * stable key order and 2-space indentation (a trailing newline), and a `_tributary` block of what
 * the server manages (id, version, updatedAt) as of the last pull or push.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workflowInputSchema, type Workflow } from '@tributary/contracts';

export const FILE_SUFFIX = '.workflow.json';
export const META_KEY = '_tributary';

/** What a workflow file holds besides its definition: the server's state it was last synced with. */
export interface FileMeta {
  id: string;
  version: number;
  updatedAt: string;
}

/**
 * A workflow's definition as a file holds it and the CLI sends it: the body of `POST /workflows`
 * after the contracts' schema (defaults applied). Generic over the schema's fields, so a field the
 * workflow language gains (e.g. `environment`) round-trips without a change here.
 */
export type Definition = Record<string, unknown> & { name: string };

export interface Problem {
  file: string;
  path: string;
  message: string;
}

export interface LoadedFile {
  file: string;
  /** The file's bytes as read. */
  text: string;
  definition: Definition;
  meta: FileMeta | null;
}

// ---- stable JSON ---------------------------------------------------------------------------------

const WORKFLOW_ORDER = ['name', 'description', 'enabled', 'environment', 'trigger', 'priority', 'concurrency', 'errorWorkflowId', 'inputSchema', 'tool', 'steps'];
const TRIGGER_ORDER = ['type'];
const STEP_ORDER = ['id', 'type', 'name', 'connector', 'action', 'credentialId', 'when', 'if', 'for', 'items', 'concurrency', 'workflowId', 'wait', 'onError', 'retry', 'timeoutMs', 'input'];
/** Nested step lists come last in a step, after its own fields. */
const STEP_TRAILING = ['then', 'else', 'steps', 'branches'];
const META_ORDER = ['id', 'version', 'updatedAt'];

type Kind = 'workflow' | 'trigger' | 'step' | 'steps' | 'branches' | 'meta' | 'data';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function orderedKeys(obj: Record<string, unknown>, first: string[], last: string[] = []): string[] {
  const keys = Object.keys(obj);
  const rest = keys.filter((k) => !first.includes(k) && !last.includes(k)).sort();
  return [...first.filter((k) => k in obj), ...rest, ...last.filter((k) => k in obj)];
}

/** A copy whose keys are in the file's order: conventional fields first, then the others sorted, at every depth. */
function arrange(value: unknown, kind: Kind): unknown {
  if (Array.isArray(value)) {
    if (kind === 'steps') return value.map((s) => arrange(s, 'step'));
    if (kind === 'branches') return value.map((b) => arrange(b, 'steps'));
    return value.map((v) => arrange(v, 'data'));
  }
  if (!isObject(value)) return value;
  let keys: string[];
  const child = (k: string): Kind => {
    if (kind === 'workflow') return k === 'trigger' ? 'trigger' : k === 'steps' ? 'steps' : k === META_KEY ? 'meta' : 'data';
    if (kind === 'step') return k === 'then' || k === 'else' || k === 'steps' ? 'steps' : k === 'branches' ? 'branches' : 'data';
    return 'data';
  };
  switch (kind) {
    case 'workflow':
      keys = orderedKeys(value, WORKFLOW_ORDER, [META_KEY]);
      break;
    case 'trigger':
      keys = orderedKeys(value, TRIGGER_ORDER);
      break;
    case 'step':
      keys = orderedKeys(value, STEP_ORDER, STEP_TRAILING);
      break;
    case 'meta':
      keys = orderedKeys(value, META_ORDER);
      break;
    default:
      keys = Object.keys(value).sort();
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) if (value[k] !== undefined) out[k] = arrange(value[k], child(k));
  return out;
}

/** The file's text: stable order, 2 spaces, trailing newline. */
export function formatFile(definition: Definition, meta: FileMeta | null): string {
  const doc: Record<string, unknown> = { ...definition };
  if (meta) doc[META_KEY] = meta;
  return `${JSON.stringify(arrange(doc, 'workflow'), null, 2)}\n`;
}

/** The definition in the stable order, as lines: what diffs are computed on. */
export function definitionLines(definition: Definition): string[] {
  return JSON.stringify(arrange(definition, 'workflow'), null, 2).split('\n');
}

/** A fully sorted serialisation: two definitions are the same workflow exactly when these are equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) if (value[k] !== undefined) out[k] = sortDeep(value[k]);
  return out;
}

// ---- definitions ---------------------------------------------------------------------------------

function clean(value: unknown): Definition {
  // Through JSON: undefined keys go, so that definitions compare by what a file or a request holds.
  return JSON.parse(JSON.stringify(value)) as Definition;
}

/**
 * A workflow as the api answers it, as a definition: through the same schema as a file (which
 * drops the server-managed fields: id, version, webhookUrl, nextRuns, createdAt, updatedAt…).
 */
export function definitionOfServer(w: Workflow): Definition {
  const parsed = workflowInputSchema.safeParse(w);
  if (parsed.success) return clean(parsed.data);
  // A workflow stored before a rule of today's schema: compared as stored, without the server's fields.
  const { id: _i, version: _v, webhookUrl: _w, nextRuns: _n, createdAt: _c, updatedAt: _u, ...rest } = w as Workflow & Record<string, unknown>;
  return clean(rest);
}

/**
 * What the server would hold after a PUT of this file: optional fields a file leaves out
 * (errorWorkflowId, concurrency, priority, inputSchema, environment…) stay as they are on the server,
 * as `PUT /workflows/:id` leaves them; fields with a default (description, enabled, steps) take it.
 */
export function effectiveDefinition(file: Definition, server: Definition): Definition {
  return { ...server, ...file };
}

export function metaOfServer(w: Workflow): FileMeta {
  return { id: w.id, version: w.version, updatedAt: w.updatedAt };
}

/** `steps.2.input.url` / ['steps', 2, 'input', 'url'] → `steps[2].input.url`. */
export function fieldPath(path: readonly PropertyKey[] | string): string {
  const parts = typeof path === 'string' ? (path ? path.split('.') : []) : path.map(String);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** JSON.parse's message with the position as line and column. */
function jsonError(text: string, e: Error): string {
  const m = /(?:at )?position (\d+)/.exec(e.message);
  let message = e.message.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
  if (message.length > 120) message = message.slice(0, 120);
  if (m) {
    const { line, column } = lineColumn(text, Number(m[1]));
    return `${message} at line ${line} column ${column}`;
  }
  if (/Unexpected end of JSON input/.test(e.message)) {
    const { line, column } = lineColumn(text, text.length);
    return `Unexpected end of JSON input at line ${line} column ${column}`;
  }
  return message;
}

/** Keys the schema dropped (it strips what it does not know): typos such as `inptu` would vanish silently otherwise. */
function unknownKeys(input: unknown, output: unknown, path: (string | number)[], found: { path: (string | number)[] }[]): void {
  if (Array.isArray(input) && Array.isArray(output)) {
    input.forEach((v, i) => unknownKeys(v, output[i], [...path, i], found));
    return;
  }
  if (!isObject(input) || !isObject(output)) return;
  for (const k of Object.keys(input)) {
    if (!(k in output)) found.push({ path: [...path, k] });
    else unknownKeys(input[k], output[k], [...path, k], found);
  }
}

/**
 * Parses and validates one file's text against the contracts' workflow schema, offline. Answers the
 * definition (defaults applied) and the `_tributary` block, or every problem with its field.
 */
export function parseWorkflowFile(file: string, text: string): { ok: true; value: LoadedFile } | { ok: false; problems: Problem[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ file, path: '', message: jsonError(text, e as Error) }] };
  }
  if (!isObject(doc)) return { ok: false, problems: [{ file, path: '', message: 'expected a JSON object (one workflow)' }] };
  const problems: Problem[] = [];
  const { [META_KEY]: rawMeta, ...fields } = doc;
  let meta: FileMeta | null = null;
  if (rawMeta !== undefined) {
    const m = rawMeta as Partial<FileMeta> | null;
    if (!isObject(m) || typeof m.id !== 'string' || !m.id) problems.push({ file, path: `${META_KEY}.id`, message: 'expected the workflow id (a string); remove the whole _tributary block to create the workflow anew' });
    else meta = { id: m.id, version: typeof m.version === 'number' ? m.version : 0, updatedAt: typeof m.updatedAt === 'string' ? m.updatedAt : '' };
  }
  const parsed = workflowInputSchema.safeParse(fields);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push({ file, path: fieldPath(issue.path), message: issue.message });
    return { ok: false, problems };
  }
  const extra: { path: (string | number)[] }[] = [];
  unknownKeys(fields, parsed.data, [], extra);
  for (const x of extra) problems.push({ file, path: fieldPath(x.path), message: 'unknown field (not part of the workflow language)' });
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { file, text, definition: clean(parsed.data), meta } };
}

/** The workflow files of a folder (`*.workflow.json`), sorted by name. */
export async function listWorkflowFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.filter((n) => n.endsWith(FILE_SUFFIX)).sort().map((n) => join(dir, n));
}

/** Reads and validates files; answers the good ones and every problem of the others. */
export async function loadWorkflowFiles(files: string[]): Promise<{ loaded: LoadedFile[]; problems: Problem[] }> {
  const loaded: LoadedFile[] = [];
  const problems: Problem[] = [];
  const texts = await Promise.all(
    files.map(async (f) => {
      try {
        return { f, text: await readFile(f, 'utf8') };
      } catch (e) {
        return { f, error: (e as Error).message };
      }
    }),
  );
  for (const t of texts) {
    if (t.text === undefined) {
      problems.push({ file: t.f, path: '', message: `cannot read: ${t.error}` });
      continue;
    }
    const r = parseWorkflowFile(t.f, t.text);
    if (r.ok) loaded.push(r.value);
    else problems.push(...r.problems);
  }
  // Two files claiming one server workflow (a copied file kept its _tributary block).
  const claimed = new Map<string, string>();
  for (const f of loaded) {
    if (!f.meta) continue;
    const other = claimed.get(f.meta.id);
    if (other) problems.push({ file: f.file, path: '_tributary.id', message: `the same workflow as ${other} (copy a file without its _tributary block to make a new workflow)` });
    else claimed.set(f.meta.id, f.file);
  }
  return { loaded, problems };
}

export function formatProblem(p: Problem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** `Order sync (EU)!` → `order-sync-eu`; empty names → `workflow`. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return slug || 'workflow';
}
