/** Request validation with zod: one pipe, field-level 400 errors, and the schema in OpenAPI. */
import { applyDecorators, ArgumentMetadata, Body, Injectable, Param, PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidationError, type FieldError } from './errors.js';

export function zodIssuesToFieldErrors(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): FieldError[] {
  return issues.map((i) => ({ path: [...prefix, ...i.path].map(String).join('.') || '(body)', message: i.message }));
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what = 'Request body', prefix: string[] = []): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`${what} is invalid`, zodIssuesToFieldErrors(result.error.issues, prefix));
  return result.data;
}

@Injectable()
export class ZodPipe<T extends z.ZodType> implements PipeTransform {
  constructor(
    private readonly schema: T,
    private readonly what: string,
    /** Where the value sits, for error paths: a path parameter's name. */
    private readonly prefix: string[] = [],
  ) {}
  transform(value: unknown, _meta: ArgumentMetadata): z.output<T> {
    return parseOrThrow(this.schema, value ?? {}, this.what, this.prefix);
  }
}

/** An IANA time zone name (e.g. Europe/Paris) that this runtime knows: one definition, in the contracts. */
export { timezoneSchema } from '@tributary/contracts';

/** An ISO date-time with an offset that PostgreSQL can store: zod's format accepts the year 0000, which PostgreSQL refuses (a 500). */
export const isoDateTime = z
  .string()
  .datetime({ offset: true })
  .refine((v) => !v.startsWith('0000'), 'There is no year 0000; years start at 0001');

/** A day (YYYY-MM-DD) of usage counts: from 1970, so no range computed back from it leaves PostgreSQL's calendar. */
export const usageDay = z.iso.date().refine((v) => v >= '1970-01-01', 'Must be 1970-01-01 or later');

const INT32_MAX = 2_147_483_647;

/**
 * A path parameter naming a row by a positive PostgreSQL integer (a workflow version): a larger
 * number failed the query as out of range (500) instead of answering 400.
 */
export const positiveIntParam = z
  .string()
  .refine((v) => /^[1-9]\d{0,9}$/.test(v) && Number(v) <= INT32_MAX, `must be a whole number from 1 to ${INT32_MAX}`)
  .transform(Number);

type JsonSchemaObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchemaObject {
  const s = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchemaObject;
  delete s.$schema;
  return s;
}

/** `@ZodBody(schema) body: T` validates the body and documents it. */
export function ZodBody(schema: z.ZodType): ParameterDecorator {
  return Body(new ZodPipe(schema, 'Request body'));
}

/** `@ZodQuery(schema) query: T` validates the query string. */
export function ZodQuery(schema: z.ZodType): ParameterDecorator {
  return Query(new ZodPipe(schema, 'Query'));
}

/** `@ZodParam('version', schema) version: T` validates one path parameter; a 400 names it. */
export function ZodParam(name: string, schema: z.ZodType): ParameterDecorator {
  return Param(name, new ZodPipe(schema, 'Path', [name]));
}

/** OpenAPI description of a path parameter validated with `positiveIntParam` (method decorator). */
export function ApiPositiveIntParam(name: string): MethodDecorator {
  return ApiParam({ name, required: true, schema: { type: 'integer', minimum: 1, maximum: INT32_MAX } });
}

/** OpenAPI description of a zod body schema (method decorator). */
export function ApiZodBody(schema: z.ZodType): MethodDecorator {
  return applyDecorators(ApiBody({ schema: jsonSchema(schema) as never }));
}

/** OpenAPI description of each field of a zod object query schema (method decorator). */
export function ApiZodQuery(schema: z.ZodObject): MethodDecorator {
  const decorators = Object.entries(schema.shape).map(([name, field]) =>
    ApiQuery({ name, required: !(field as z.ZodType).safeParse(undefined).success, schema: jsonSchema(field as z.ZodType) as never }),
  );
  return applyDecorators(...decorators);
}
