/**
 * Workspace variables and environments (`{{vars.NAME}}` in templates). A variable has a value per
 * environment (`staging`, `production`…) and an optional default used where an environment has none;
 * a secret variable's values are sealed at rest, never answered (only a masked hint), and masked in
 * recorded step inputs and outputs. A workflow runs in one environment; promoting it copies its
 * definition to its counterpart in another environment as a new version (audited).
 */
import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';

/** A variable's name, read as `vars.<NAME>` in templates. */
export const VARIABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const VARIABLE_NAME_MESSAGE = 'Letters, digits and _ only, not starting with a digit, at most 64 characters (e.g. API_BASE)';
/** An environment's name. */
export const ENVIRONMENT_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const ENVIRONMENT_MESSAGE = 'Lowercase letters, digits and -, starting with a letter, at most 32 characters (e.g. staging)';
/** Where a workflow runs unless it says otherwise (and the environment every workspace has). */
export const DEFAULT_ENVIRONMENT = 'production';
/** The longest value a variable holds. */
export const VARIABLE_VALUE_MAX_LENGTH = 10_000;

/** Why `name` is not a valid variable name, or null when it is one (the dashboard's check before sending). */
export function variableNameError(name: string): string | null {
  if (!name) return 'Give the variable a name';
  return VARIABLE_NAME_PATTERN.test(name) ? null : VARIABLE_NAME_MESSAGE;
}
/** Why `name` is not a valid environment name, or null when it is one. */
export function environmentError(name: string): string | null {
  if (!name) return 'Give the environment a name';
  return ENVIRONMENT_PATTERN.test(name) ? null : ENVIRONMENT_MESSAGE;
}

export const variableNameSchema = z.string().regex(VARIABLE_NAME_PATTERN, VARIABLE_NAME_MESSAGE);
export const environmentSchema = z.string().regex(ENVIRONMENT_PATTERN, ENVIRONMENT_MESSAGE);
const valueSchema = z.string().max(VARIABLE_VALUE_MAX_LENGTH);
/** Values per environment: a string sets the value, null removes it (PUT: an environment left out stays as it is). */
const valuesSchema = z.record(z.string(), valueSchema.nullable()).superRefine((values, ctx) => {
  for (const env of Object.keys(values)) {
    if (!ENVIRONMENT_PATTERN.test(env)) ctx.addIssue({ code: 'custom', path: [env], message: `Environment "${env}": ${ENVIRONMENT_MESSAGE}` });
  }
});

/** `POST /variables`. */
export const variableInputSchema = z.strictObject({
  name: variableNameSchema,
  description: z.string().max(1000).default(''),
  /** Sealed at rest, never answered, masked in recorded step inputs and outputs. */
  secret: z.boolean().default(false),
  /** Used in an environment without its own value; null or absent: none. */
  defaultValue: valueSchema.nullable().optional(),
  values: valuesSchema.default({}),
});
export type VariableInput = z.output<typeof variableInputSchema>;
export type VariableDraft = z.input<typeof variableInputSchema>;

/**
 * `PUT /variables/:id`: what it leaves out stays. `values` replaces the environments it names (null
 * deletes that environment's value). A plain variable may become secret (its values are sealed then);
 * a secret one stays secret. The name is fixed: workflows read it.
 */
export const variableUpdateSchema = z.strictObject({
  description: z.string().max(1000).optional(),
  secret: z.boolean().optional(),
  defaultValue: valueSchema.nullable().optional(),
  values: valuesSchema.optional(),
});
export type VariableUpdate = z.output<typeof variableUpdateSchema>;

/** One value as answered: a plain variable's text, or a secret's masked hint (`••••abcd`), never its text. */
export const variableValueSchema = z.strictObject({
  value: z.string().nullable(),
  hint: z.string().nullable(),
  updatedAt: timestampSchema,
});
export type VariableValue = z.output<typeof variableValueSchema>;

export const variableSchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  description: z.string(),
  secret: z.boolean(),
  defaultValue: variableValueSchema.nullable(),
  /** Environment name → its value. */
  values: z.record(z.string(), variableValueSchema),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Variable = z.output<typeof variableSchema>;

/** `GET /variables`: every variable of the workspace, by name. */
export const variableListSchema = z.strictObject({ items: z.array(variableSchema) });

/** `GET /environments`: the environments in use (by a value or a workflow), `production` always. */
export const environmentListSchema = z.strictObject({
  items: z.array(z.strictObject({ name: z.string(), workflows: z.number().int(), values: z.number().int() })),
});
export type EnvironmentList = z.output<typeof environmentListSchema>;

/** `POST /workflows/:id/promote`. */
export const workflowPromoteSchema = z.strictObject({ environment: environmentSchema });
export type WorkflowPromote = z.output<typeof workflowPromoteSchema>;

/** What a promotion did: the source as it was copied, and its counterpart's new version. */
export const workflowPromotionSchema = z.strictObject({
  source: z.strictObject({ workflowId: idSchema, environment: z.string(), version: z.number().int() }),
  target: z.strictObject({ workflowId: idSchema, environment: z.string(), version: z.number().int(), created: z.boolean() }),
  note: z.string(),
});
export type WorkflowPromotion = z.output<typeof workflowPromotionSchema>;
