/**
 * A workflow's `inputSchema` (JSON Schema of the payload of manual runs and sub-workflow calls),
 * checked with Ajv: draft 2020-12 by default (the draft of the schemas GET /connectors exports), and
 * draft-07 when the schema says so in `$schema`, with ajv-formats' formats. Compiled schemas are kept per schema object and per schema text (bounded).
 */
import Ajv2020 from 'ajv/dist/2020.js';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

// addUsedSchema false: a schema with an `$id` compiles again (a fresh copy of it, next request) instead of "already exists".
const draft2020 = new Ajv2020.default({ allErrors: true, strict: false, addUsedSchema: false });
const draft07 = new Ajv.default({ allErrors: true, strict: false, addUsedSchema: false });
// `format` (email, date-time, uri, uuid, …) is checked, not ignored.
for (const ajv of [draft2020, draft07]) addFormats.default(ajv);

/** Compiled schemas by object (the same stored schema object, again) and by their JSON (the same schema parsed afresh). */
const byObject = new WeakMap<object, ValidateFunction>();
const byText = new Map<string, ValidateFunction>();
/** Distinct schemas kept compiled at most (least recently used dropped first): a compile costs ~1 ms and ~17 KB. */
const MAX_COMPILED = 500;

function compile(schema: Record<string, unknown>): ValidateFunction {
  let fn = byObject.get(schema);
  if (fn) return fn;
  const text = JSON.stringify(schema);
  fn = byText.get(text);
  if (fn) {
    // Most recently used last.
    byText.delete(text);
  } else {
    const ajv = typeof schema.$schema === 'string' && schema.$schema.includes('draft-07') ? draft07 : draft2020;
    fn = ajv.compile(schema);
    if (byText.size >= MAX_COMPILED) byText.delete(byText.keys().next().value!);
  }
  byText.set(text, fn);
  byObject.set(schema, fn);
  return fn;
}

/** Why this is not a usable JSON Schema, or null when it is one. */
export function inputSchemaError(schema: Record<string, unknown>): string | null {
  try {
    compile(schema);
    return null;
  } catch (err) {
    return `Not a valid JSON Schema: ${(err as Error).message}`;
  }
}

/** The payload's mismatches with the schema (`path: message`), empty when it matches. */
export function payloadErrors(schema: Record<string, unknown>, payload: unknown): { path: string; message: string }[] {
  const validate = compile(schema);
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((e) => ({
    path: ['payload', ...e.instancePath.split('/').filter(Boolean)].join('.'),
    message: `${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`,
  }));
}
