/**
 * Reading the connectors' JSON Schemas (zod 4 `z.toJSONSchema` output) into form fields, converting
 * between api values and form values, and listing the template paths an output schema offers.
 */
import type { JsonSchema } from './api/types';

/** `code`: a string the schema marks as source code (`contentMediaType` JavaScript), edited in a code editor. */
export type FieldKind = 'string' | 'code' | 'number' | 'boolean' | 'enum' | 'object' | 'json';

/** The `contentMediaType`s of JavaScript source (RFC 9239 names text/javascript; the older names too). */
const JAVASCRIPT_MEDIA_TYPES = new Set(['text/javascript', 'application/javascript', 'application/ecmascript', 'text/ecmascript']);

/** True when a string schema holds JavaScript source (JSON Schema `contentMediaType`). */
export function isJavaScriptSchema(s: JsonSchema): boolean {
  return typeof s.contentMediaType === 'string' && JAVASCRIPT_MEDIA_TYPES.has(s.contentMediaType.split(';')[0].trim().toLowerCase());
}

export interface SchemaField {
  name: string;
  label: string;
  description?: string;
  required: boolean;
  kind: FieldKind;
  schema: JsonSchema;
  options?: string[];
  defaultValue?: unknown;
  format?: string;
  /** Child fields for objects with known properties. */
  children?: SchemaField[];
}

/** Form-side value: strings for text/code/number/json (code kept exactly as written: no trimming), booleans for checkboxes, nested records for objects. */
export type FormValue = string | boolean | { [key: string]: FormValue };

function typesOf(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type;
  return s.type ? [s.type] : [];
}

/** Drops `null` alternatives (nullable) so `anyOf: [X, {type: null}]` reads as X. */
export function unwrap(s: JsonSchema): JsonSchema {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const nonNull = alts.filter((a) => !typesOf(a).includes('null') || typesOf(a).length > 1);
    if (nonNull.length === 1) return { ...nonNull[0], description: s.description ?? nonNull[0].description, default: s.default ?? nonNull[0].default };
    // A union of literals is an enum.
    if (nonNull.every((a) => a.const !== undefined)) return { type: 'string', enum: nonNull.map((a) => a.const), description: s.description, default: s.default };
  }
  const types = typesOf(s).filter((t) => t !== 'null');
  if (types.length === 1 && typesOf(s).length > 1) return { ...s, type: types[0] };
  return s;
}

export function fieldKind(raw: JsonSchema): FieldKind {
  const s = unwrap(raw);
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string')) return 'enum';
  const types = typesOf(s);
  if (types.length !== 1) return 'json';
  switch (types[0]) {
    case 'string':
      return isJavaScriptSchema(s) ? 'code' : 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return s.properties && Object.keys(s.properties).length > 0 ? 'object' : 'json';
    default:
      return 'json';
  }
}

export function humanize(name: string): string {
  const spaced = name.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The fields of an object schema, in declaration order; unknown shapes give no fields. */
export function schemaFields(schema: JsonSchema | null | undefined): SchemaField[] {
  if (!schema) return [];
  const s = unwrap(schema);
  if (!s.properties) return [];
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties).map(([name, propRaw]) => {
    const prop = unwrap(propRaw);
    const kind = fieldKind(propRaw);
    return {
      name,
      label: typeof prop.title === 'string' ? prop.title : humanize(name),
      description: typeof prop.description === 'string' ? prop.description : undefined,
      // zod's input schemas list defaulted fields as not required already.
      required: required.has(name) && prop.default === undefined,
      kind,
      schema: prop,
      options: kind === 'enum' ? (prop.enum as string[]) : undefined,
      defaultValue: prop.default,
      format: typeof prop.format === 'string' ? prop.format : undefined,
      children: kind === 'object' ? schemaFields(prop) : undefined,
    };
  });
}

/** True when the schema is an object we cannot describe field by field (edit it as one JSON value). */
export function isOpaqueSchema(schema: JsonSchema | null | undefined): boolean {
  return !!schema && schemaFields(schema).length === 0;
}

export function toFormValue(field: SchemaField, value: unknown): FormValue {
  const v = value === undefined ? field.defaultValue : value;
  switch (field.kind) {
    case 'boolean':
      return typeof v === 'boolean' ? v : v === 'true';
    case 'object': {
      const obj = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
      return Object.fromEntries((field.children ?? []).map((c) => [c.name, toFormValue(c, obj[c.name])]));
    }
    case 'json':
      if (v === undefined || v === null) return '';
      return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
    default:
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v);
  }
}

export function formValues(fields: SchemaField[], values: Record<string, unknown> | undefined): Record<string, FormValue> {
  return Object.fromEntries(fields.map((f) => [f.name, toFormValue(f, values?.[f.name])]));
}

/**
 * Form value back to what the api expects. Empty optional values are left out; numbers stay
 * templates when they are not numeric; JSON fields parse when they are JSON and stay templates
 * (strings) otherwise.
 */
export function fromFormValue(field: SchemaField, value: FormValue | undefined): unknown {
  switch (field.kind) {
    case 'boolean': {
      // An untouched optional checkbox is left out rather than sent as false.
      const v = value === true;
      return field.required || v !== (field.defaultValue === true) ? v : undefined;
    }
    case 'object': {
      const obj = (value && typeof value === 'object' ? value : {}) as Record<string, FormValue>;
      const out = apiValues(field.children ?? [], obj);
      return Object.keys(out).length || field.required ? out : undefined;
    }
    case 'number': {
      const s = typeof value === 'string' ? value.trim() : '';
      if (s === '') return undefined;
      const n = Number(s);
      return Number.isFinite(n) ? n : s;
    }
    case 'json': {
      const s = typeof value === 'string' ? value.trim() : '';
      if (s === '') return undefined;
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return s;
      }
    }
    default: {
      const s = typeof value === 'string' ? value : '';
      return s === '' ? undefined : s;
    }
  }
}

export function apiValues(fields: SchemaField[], values: Record<string, FormValue> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = fromFormValue(f, values?.[f.name]);
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

/** Field names that hold secrets are shown as password inputs. */
export function isSecretField(field: SchemaField): boolean {
  return field.schema.writeOnly === true || field.format === 'password' || /(secret|password|token|api_?key|apikey|auth|webhook|private)/i.test(field.name);
}

const MAX_PATHS = 400;

/** Template paths from an output JSON Schema: `prefix.a`, `prefix.a.b`, `prefix.items.[0].c` … */
export function schemaPaths(schema: JsonSchema | undefined, prefix: string, depth = 0, out: string[] = []): string[] {
  if (!schema || depth > 6 || out.length > MAX_PATHS) return out;
  const s = unwrap(schema);
  if (s.properties) {
    for (const [k, child] of Object.entries(s.properties)) {
      const p = `${prefix}.${k}`;
      out.push(p);
      schemaPaths(child, p, depth + 1, out);
    }
  } else if (typesOf(s).includes('array') && s.items && !Array.isArray(s.items)) {
    schemaPaths(s.items, `${prefix}.[0]`, depth + 1, out);
  }
  return out;
}

/** Template paths from a sample JSON value (the trigger payload). */
export function valuePaths(value: unknown, prefix = '', depth = 0, out: string[] = []): string[] {
  if (depth > 6 || out.length > MAX_PATHS || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    if (value.length > 0) valuePaths(value[0], prefix ? `${prefix}.[0]` : '[0]', depth + 1, out);
    return out;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.push(p);
    valuePaths(v, p, depth + 1, out);
  }
  return out;
}
