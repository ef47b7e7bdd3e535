/**
 * A workflow's `inputSchema` (JSON Schema of the payload of manual runs and sub-workflow calls),
 * checked with Ajv: draft 2020-12 by default (the draft of the schemas GET /connectors exports), and
 * draft-07 when the schema says so in `$schema`, with ajv-formats' formats. Compiled schemas are kept per schema object.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const draft2020 = new Ajv2020.default({ allErrors: true, strict: false });
const draft07 = new Ajv.default({ allErrors: true, strict: false });
// `format` (email, date-time, uri, uuid, …) is checked, not ignored.
for (const ajv of [draft2020, draft07]) addFormats.default(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

function compile(schema: Record<string, unknown>): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    const ajv = typeof schema.$schema === 'string' && schema.$schema.includes('draft-07') ? draft07 : draft2020;
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
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
