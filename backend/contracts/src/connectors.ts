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
  /** The credential can be an OAuth2 connection: its grants, default scopes, and whether the user gives the endpoints (generic HTTP). */
  oauth2: z
    .strictObject({ grants: z.array(z.enum(['authorization_code', 'client_credentials'])), defaultScopes: z.array(z.string()), userEndpoints: z.boolean() })
    .optional(),
  /** "Test connection" makes a real call (else it only checks the stored fields, or the token for OAuth2). */
  testable: z.boolean().optional(),
});
export type Connector = z.output<typeof connectorSchema>;
