/** Rows of the variables and variable_values tables (raw SQL: variables.repository.ts). */

/** The environment name under which a variable's default value is stored (not a valid environment name). */
export const DEFAULT_VALUE_KEY = '*';

export interface VariableRow {
  id: string;
  tenantId: string;
  name: string;
  secret: boolean;
  description: string;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A value as listed: a plain variable's text, or a secret's hint (never its sealed bytes). */
export interface ListedValue {
  variableId: string;
  /** An environment, or DEFAULT_VALUE_KEY for the default. */
  environment: string;
  value: string | null;
  hint: string | null;
  updatedAt: Date;
}

/** A value as written: plain text, or sealed with its hint. */
export type StoredValue =
  | { environment: string; value: string }
  | { environment: string; hint: string; keyId: string; iv: Buffer; authTag: Buffer; ciphertext: Buffer };

/** A value as a run reads it (the environment's own and the default, one query). */
export interface RunValueRow {
  variableId: string;
  name: string;
  secret: boolean;
  environment: string;
  value: string | null;
  keyId: string | null;
  iv: Buffer | null;
  authTag: Buffer | null;
  ciphertext: Buffer | null;
}

/** What a sealed value is bound to: it opens only as this tenant's variable's value in this environment. */
export function variableValueAad(v: { tenantId: string; variableId: string; environment: string }): string {
  return `variable:${v.tenantId}:${v.variableId}:${v.environment}`;
}
