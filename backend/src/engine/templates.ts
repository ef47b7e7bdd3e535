/**
 * Handlebars templates as SPEC.md describes them: the root context is the trigger payload, earlier
 * outputs live at `steps.<id>`, plus `$execution` and `$now`. No HTML escaping (outputs are data),
 * prototype access off, each template compiled once and cached. A template that is exactly one
 * expression (`{{steps.fetch.body}}`) keeps the value's type instead of becoming a string.
 *
 * Rendering writes nothing to the process's output: templates are written by workflow editors and
 * rendered in the api and the workers, whose stdout is the JSON log. Handlebars' `log` helper (which
 * wrote its arguments to the console: a forged log line) is removed and refused at save time like
 * any unknown helper, and denied prototype access is not reported on the console either. The other
 * built-ins (if, unless, each, with, lookup, helperMissing, blockHelperMissing) only compute output.
 */
import Handlebars from 'handlebars';

type Hbs = typeof Handlebars;
type Node = hbs.AST.Node;

const hbs: Hbs = Handlebars.create();
hbs.unregisterHelper('log');
/** Still denied (own properties only), but silently: an unset default makes Handlebars console.error each denied name. */
const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

function isOptions(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'hash' in v && 'data' in v;
}
function args(list: unknown[]): unknown[] {
  return isOptions(list[list.length - 1]) ? list.slice(0, -1) : list;
}
function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

hbs.registerHelper('json', (value: unknown, ...rest: unknown[]) => JSON.stringify(value ?? null, null, args(rest)[0] ? 2 : 0));
hbs.registerHelper('default', (value: unknown, fallback: unknown) =>
  value === undefined || value === null || value === '' ? fallback : value,
);
hbs.registerHelper('upper', (v: unknown) => (v == null ? '' : String(v).toUpperCase()));
hbs.registerHelper('lower', (v: unknown) => (v == null ? '' : String(v).toLowerCase()));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b || (a != null && b != null && String(a) === String(b)));
hbs.registerHelper('and', (...list: unknown[]) => args(list).every(Boolean));
hbs.registerHelper('or', (...list: unknown[]) => args(list).some(Boolean));
hbs.registerHelper('not', (v: unknown) => !v);
hbs.registerHelper('date', (value: unknown, ...rest: unknown[]) => {
  const [format] = args(rest);
  const d = value === undefined || isOptions(value) ? new Date() : new Date(value as string | number);
  if (Number.isNaN(d.getTime())) return '';
  if (typeof format !== 'string' || format === 'iso') return d.toISOString();
  if (format === 'unix') return String(Math.floor(d.getTime() / 1000));
  return format
    .replace(/YYYY/g, String(d.getUTCFullYear()))
    .replace(/MM/g, pad(d.getUTCMonth() + 1))
    .replace(/DD/g, pad(d.getUTCDate()))
    .replace(/HH/g, pad(d.getUTCHours()))
    .replace(/mm/g, pad(d.getUTCMinutes()))
    .replace(/ss/g, pad(d.getUTCSeconds()));
});

export const TEMPLATE_HELPERS = ['json', 'default', 'upper', 'lower', 'date', 'eq', 'and', 'or', 'not'] as const;
const BUILTIN_BLOCKS = new Set(['if', 'unless', 'each', 'with', 'lookup', ...TEMPLATE_HELPERS]);

export interface TemplateSyntaxError {
  message: string;
  line: number;
  column: number;
}

interface Compiled {
  render: (ctx: Record<string, unknown>) => string;
  /** Set when the whole template is one path expression: render returns the raw value. */
  singlePath?: string[];
  /** Paths read outside of block scopes: each must resolve, or it becomes a warning. */
  paths: string[][];
}

const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 10_000;

function collectPaths(node: Node | undefined, out: string[][], depth: number): void {
  if (!node) return;
  const n = node as Node & Record<string, unknown>;
  switch (node.type) {
    case 'Program':
      for (const s of (n as unknown as hbs.AST.Program).body) collectPaths(s, out, depth);
      return;
    case 'MustacheStatement':
    case 'SubExpression': {
      const m = n as unknown as hbs.AST.MustacheStatement;
      if (m.path.type === 'PathExpression' && m.params.length === 0 && !m.hash) {
        collectPaths(m.path, out, depth);
      }
      for (const p of m.params) collectPaths(p, out, depth);
      return;
    }
    case 'BlockStatement': {
      const b = n as unknown as hbs.AST.BlockStatement;
      for (const p of b.params) collectPaths(p, out, depth);
      const name = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : '';
      // `each` and `with` change the context: paths inside them are relative, not checked.
      const inner = name === 'each' || name === 'with' ? depth + 1 : depth;
      collectPaths(b.program, out, inner);
      collectPaths(b.inverse, out, inner);
      return;
    }
    case 'PathExpression': {
      const p = n as unknown as hbs.AST.PathExpression;
      if (depth === 0 && !p.data && p.depth === 0 && p.parts.length && !BUILTIN_BLOCKS.has(p.original)) out.push(p.parts);
      return;
    }
    default:
      return;
  }
}

function parse(template: string): hbs.AST.Program {
  return hbs.parse(template);
}

/**
 * Handlebars' parser reports `Parse error on line N:` then an excerpt (newlines removed, past input
 * cut to 20 characters) and a caret under the failing position; map that back to line and column.
 */
function locateParseError(template: string, message: string): { line: number; column: number } {
  const lines = message.split('\n');
  const line = Number(/line (\d+)/.exec(lines[0])?.[1] ?? 1);
  const excerpt = lines[1] ?? '';
  const caret = (lines[2] ?? '').indexOf('^');
  if (caret < 0) return { line, column: 1 };
  const past = excerpt.slice(0, caret).replace(/^\.\.\./, '');
  const flat = template.replace(/\n/g, '');
  const start = flat.indexOf(past);
  if (start < 0) return { line, column: 1 };
  let offset = start + past.length; // offset in the flattened template
  for (let i = 0, l = 1, col = 1; i < template.length; i++) {
    if (template[i] === '\n') {
      l++;
      col = 1;
      continue;
    }
    if (offset === 0) return { line: l, column: col };
    offset--;
    col++;
    if (offset === 0 && i === template.length - 1) return { line: l, column: col };
  }
  return { line, column: 1 };
}

/** A call (with arguments, or a block with arguments) of a helper that does not exist, such as the removed `log`. */
function findUnknownHelper(node: Node | undefined): TemplateSyntaxError | null {
  if (!node) return null;
  // The statements that can call a helper, and every node holding others (programs, arguments).
  const n = node as unknown as { type: string; path?: Node; params?: Node[]; hash?: hbs.AST.Hash; body?: Node[]; program?: Node; inverse?: Node };
  const children: (Node | undefined)[] = [...(n.body ?? []), ...(n.params ?? []), ...(n.hash?.pairs.map((p) => p.value) ?? []), n.program, n.inverse];
  const isCall = (n.type === 'MustacheStatement' || n.type === 'SubExpression' || n.type === 'BlockStatement') && ((n.params?.length ?? 0) > 0 || !!n.hash);
  if (isCall && n.path?.type === 'PathExpression') {
    const path = n.path as hbs.AST.PathExpression;
    if (!Object.prototype.hasOwnProperty.call(hbs.helpers, path.original)) {
      const known = Object.keys(hbs.helpers).filter((h) => !h.endsWith('Missing'));
      return { message: `Unknown helper "${path.original}" (helpers: ${known.join(', ')})`, line: path.loc.start.line, column: path.loc.start.column + 1 };
    }
  }
  for (const child of children) {
    const found = findUnknownHelper(child);
    if (found) return found;
  }
  return null;
}

/** Null when the template parses and calls only known helpers; else the problem with its line and column (1-based). */
export function checkTemplateSyntax(template: string): TemplateSyntaxError | null {
  try {
    const ast = parse(template);
    hbs.precompile(ast);
    return findUnknownHelper(ast);
  } catch (err) {
    const message = String((err as Error).message ?? 'invalid template');
    const { line, column } = locateParseError(template, message);
    const expected = /got '([^']+)'/.exec(message)?.[1];
    const summary = message.startsWith('Parse error')
      ? `Parse error: unexpected ${expected === 'EOF' ? 'end of template (unclosed block?)' : (expected ?? 'token')}`
      : message.split('\n')[0];
    return { message: summary, line, column };
  }
}

function compile(template: string): Compiled {
  let c = cache.get(template);
  if (c) return c;
  const ast = parse(template);
  const paths: string[][] = [];
  collectPaths(ast, paths, 0);
  const body = ast.body;
  let singlePath: string[] | undefined;
  if (body.length === 1 && body[0].type === 'MustacheStatement') {
    const m = body[0] as hbs.AST.MustacheStatement;
    if (m.path.type === 'PathExpression' && m.params.length === 0 && !m.hash) {
      const p = m.path as hbs.AST.PathExpression;
      if (!p.data && p.depth === 0) singlePath = p.parts;
    }
  }
  // The compiler inlines calls of its built-ins: `log` must go through helperMissing ("Missing helper").
  const fn = hbs.compile(ast, { noEscape: true, strict: false, knownHelpers: { log: false } });
  c = { render: (ctx) => fn(ctx, RUNTIME_OPTIONS), singlePath, paths };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(template, c);
  return c;
}

function resolve(ctx: unknown, parts: string[]): unknown {
  let cur: unknown = ctx;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    // Own properties only: no prototype access.
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * The environment of each set of workspace variables given to a context (a run's values object is
 * one per environment, shared by every context of the run): a `vars` that is one of them is strict.
 * Kept aside rather than on each context, so building a context stays two property writes.
 */
const variablesEnvironment = new WeakMap<object, string>();

/** Gives a context the workspace variables as `vars`: from then on a `vars.NAME` without a value is an error, not a warning. */
export function withVariables(ctx: Record<string, unknown>, values: Readonly<Record<string, string>>, environment: string): Record<string, unknown> {
  ctx.vars = values;
  if (variablesEnvironment.get(values) !== environment) variablesEnvironment.set(values, environment);
  return ctx;
}

/** A template read `vars.NAME` and the run's environment has no value for it (nor a default). */
export class MissingVariableError extends Error {
  constructor(
    readonly variable: string,
    readonly environment: string,
  ) {
    super(`variable "${variable}" has no value in environment "${environment}" (give it one, or a default, on the Variables page)`);
    this.name = 'MissingVariableError';
  }
}

export interface RenderResult {
  value: unknown;
  warnings: string[];
}

export function renderTemplate(template: string, ctx: Record<string, unknown>): RenderResult {
  if (!template.includes('{{')) return { value: template, warnings: [] };
  const c = compile(template);
  const warnings: string[] = [];
  for (const p of c.paths) {
    if (resolve(ctx, p) === undefined) {
      const environment = p[0] === 'vars' && p.length > 1 && ctx.vars && typeof ctx.vars === 'object' ? variablesEnvironment.get(ctx.vars) : undefined;
      if (environment !== undefined && resolve(ctx, p.slice(0, 2)) === undefined) throw new MissingVariableError(p[1], environment);
      warnings.push(`missing path: ${p.join('.')}`);
    }
  }
  if (c.singlePath) {
    const v = resolve(ctx, c.singlePath);
    return { value: v === undefined ? '' : v, warnings };
  }
  return { value: c.render(ctx), warnings };
}

/** Renders every string inside a value (objects and arrays recursively). */
export function renderValue(value: unknown, ctx: Record<string, unknown>, warnings: string[] = []): unknown {
  if (typeof value === 'string') {
    const r = renderTemplate(value, ctx);
    for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(w);
    return r.value;
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, ctx, warnings));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, ctx, warnings);
    return out;
  }
  return value;
}

/** Each template string inside a value with its JSON-ish path, for validation at save time. */
export function findTemplates(value: unknown, path: string[] = []): { path: string[]; template: string }[] {
  if (typeof value === 'string') return value.includes('{{') ? [{ path, template: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => findTemplates(v, [...path, String(i)]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => findTemplates(v, [...path, k]));
  return [];
}

/** The step ids a (syntactically valid) template reads as `steps.<id>…`, for save-time checks. */
export function referencedStepIds(template: string): string[] {
  if (!template.includes('{{')) return [];
  const c = compile(template);
  const ids = new Set<string>();
  for (const p of c.paths) if (p[0] === 'steps' && p.length > 1) ids.add(p[1]);
  return [...ids];
}

/** The workspace variables a (syntactically valid) template reads as `vars.<NAME>…`, for save-time checks and promotion. */
export function referencedVariables(template: string): string[] {
  if (!template.includes('{{')) return [];
  const c = compile(template);
  const names = new Set<string>();
  for (const p of c.paths) if (p[0] === 'vars' && p.length > 1) names.add(p[1]);
  return [...names];
}

/** Every workspace variable the templates inside a value read (objects and arrays walked; invalid templates passed over). */
export function variablesIn(value: unknown): string[] {
  const names = new Set<string>();
  for (const t of findTemplates(value)) {
    if (checkTemplateSyntax(t.template)) continue;
    for (const n of referencedVariables(t.template)) names.add(n);
  }
  return [...names];
}
