/** Request validation with zod: one pipe, field-level 400 errors, and the schema in OpenAPI. */
import { applyDecorators, ArgumentMetadata, Body, Injectable, PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidationError, type FieldError } from './errors.js';

export function zodIssuesToFieldErrors(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): FieldError[] {
  return issues.map((i) => ({ path: [...prefix, ...i.path].map(String).join('.') || '(body)', message: i.message }));
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what = 'Request body'): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`${what} is invalid`, zodIssuesToFieldErrors(result.error.issues));
  return result.data;
}

@Injectable()
export class ZodPipe<T extends z.ZodType> implements PipeTransform {
  constructor(
    private readonly schema: T,
    private readonly what: string,
  ) {}
  transform(value: unknown, _meta: ArgumentMetadata): z.output<T> {
    return parseOrThrow(this.schema, value ?? {}, this.what);
  }
}

/** An IANA time zone name (e.g. Europe/Paris) that this runtime knows. */
export const timezoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'Unknown time zone');

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
