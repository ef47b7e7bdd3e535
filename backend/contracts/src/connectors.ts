import { z } from 'zod';

/** A JSON Schema, as the catalogue describes connector inputs, outputs and credentials. */
export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  writeOnly?: boolean;
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
};

export const jsonSchemaSchema: z.ZodType<JsonSchema> = z.record(z.string(), z.unknown()) as unknown as z.ZodType<JsonSchema>;

export const connectorActionSchema = z.strictObject({
  key: z.string(),
  name: z.string(),
  description: z.string().optional(),
  input: jsonSchemaSchema,
  output: jsonSchemaSchema,
});
export type ConnectorAction = z.output<typeof connectorActionSchema>;

/** One entry of `GET /connectors`. */
export const connectorSchema = z.strictObject({
  key: z.string(),
  name: z.string(),
  icon: z.string(),
  description: z.string().optional(),
  credentials: jsonSchemaSchema.nullable(),
  actions: z.array(connectorActionSchema),
});
export type Connector = z.output<typeof connectorSchema>;
