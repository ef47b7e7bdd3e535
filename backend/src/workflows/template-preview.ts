/**
 * The builder's template preview (`POST /workflows/template-preview`): a template rendered exactly as
 * the engine renders it in a run (engine/templates.ts over engine/runner.ts's context), against test
 * data the builder sends (the sample payload, earlier steps' outputs from the last run, a loop's item).
 * Secret workspace variables render masked: a preview never shows a secret's value.
 */
import type { RunVariables } from '../engine/types.js';
import { buildContext } from '../engine/runner.js';
import { checkTemplateSyntax, findTemplates, MissingVariableError, renderValue } from '../engine/templates.js';
import { ValidationError } from '../common/errors.js';
import { z } from 'zod';
import { environmentSchema } from '@tributary/contracts';

export const SECRET_MASK = '••••••';

export const templatePreviewSchema = z.object({
  /** A template string, or an object or array of them (an action's input). */
  template: z.unknown().refine((v) => v !== undefined, 'template is required'),
  payload: z.unknown().optional(),
  /** Earlier steps' outputs by step id (`steps.<id>`). */
  steps: z.record(z.string(), z.unknown()).optional(),
  /** Inside a loop: `{{item}}` and `{{$index}}`. */
  item: z.unknown().optional(),
  index: z.number().int().min(0).optional(),
  /** Whose variable values `{{vars.NAME}}` reads (default production). */
  environment: environmentSchema.optional(),
});
export type TemplatePreviewRequest = z.output<typeof templatePreviewSchema>;

export const templatePreviewResultSchema = z.strictObject({ value: z.unknown(), warnings: z.array(z.string()) });

/** Renders the request's template; a syntax error or a variable without a value is a 400 naming where. */
export function previewTemplate(req: TemplatePreviewRequest, variables: RunVariables): z.output<typeof templatePreviewResultSchema> {
  const details = findTemplates(req.template).flatMap(({ path, template }) => {
    const e = checkTemplateSyntax(template);
    return e ? [{ path: ['template', ...path].join('.'), message: `${e.message} (line ${e.line}, column ${e.column})` }] : [];
  });
  if (details.length) throw new ValidationError(details[0].message, details);
  const masked = variables.secrets.length ? maskSecrets(variables) : variables;
  const vars = req.item !== undefined || req.index !== undefined ? { item: req.item, $index: req.index ?? 0 } : undefined;
  const ctx = buildContext(req.payload ?? {}, 'preview', { ...(req.steps ?? {}) }, 'preview', vars, masked);
  const warnings: string[] = [];
  try {
    return { value: renderValue(req.template, ctx, warnings), warnings };
  } catch (err) {
    if (err instanceof MissingVariableError) throw new ValidationError(err.message, [{ path: 'template', message: err.message }]);
    throw new ValidationError(`The template does not render: ${(err as Error).message}`, [{ path: 'template', message: (err as Error).message }]);
  }
}

function maskSecrets(v: RunVariables): RunVariables {
  const secret = new Set(v.secrets);
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(v.values)) values[name] = secret.has(value) ? SECRET_MASK : value;
  return { environment: v.environment, values, secrets: [] };
}
