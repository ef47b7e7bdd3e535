/**
 * Checks a workflow's steps beyond their shape: known connector and action, required inputs present,
 * every template parses (with the step and position), credentials exist in the tenant and match.
 */
import type { FieldError } from '../common/errors.js';
import { toJsonSchema } from '../connectors/sdk.js';
import type { ConnectorLookup } from '../engine/connectors.js';
import { checkTemplateSyntax, findTemplates } from '../engine/templates.js';
import type { StepDefinition } from '@tributary/contracts';

function templateErrors(value: unknown, path: string[], stepId: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const t of findTemplates(value, path)) {
    const err = checkTemplateSyntax(t.template);
    if (err) {
      errors.push({ path: t.path.join('.'), message: `Template error in step "${stepId}" at line ${err.line}, column ${err.column}: ${err.message}` });
    }
  }
  return errors;
}

const requiredCache = new WeakMap<object, string[]>();
function requiredInputs(schema: object & { safeParse: unknown }): string[] {
  let r = requiredCache.get(schema);
  if (!r) {
    const json = toJsonSchema(schema as Parameters<typeof toJsonSchema>[0]) as { required?: string[] };
    r = json.required ?? [];
    requiredCache.set(schema, r);
  }
  return r;
}

export function validateSteps(steps: StepDefinition[], findConnector: ConnectorLookup, credentialConnectors: Map<string, string>): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  steps.forEach((step, i) => {
    const at = (...p: string[]) => ['steps', String(i), ...p].join('.');
    if (seen.has(step.id)) errors.push({ path: at('id'), message: `Duplicate step id "${step.id}"` });
    seen.add(step.id);

    const connector = findConnector(step.connector);
    if (!connector) {
      errors.push({ path: at('connector'), message: `Unknown connector "${step.connector}"` });
    } else {
      const action = connector.actions.find((a) => a.key === step.action);
      if (!action) {
        errors.push({
          path: at('action'),
          message: `Unknown action "${step.action}" for connector "${connector.key}" (available: ${connector.actions.map((a) => a.key).join(', ')})`,
        });
      } else {
        for (const field of requiredInputs(action.input)) {
          if (step.input[field] === undefined) errors.push({ path: at('input', field), message: `Required input "${field}" is missing` });
        }
      }
      if (step.credentialId) {
        const owner = credentialConnectors.get(step.credentialId);
        if (!owner) errors.push({ path: at('credentialId'), message: 'Credential not found' });
        else if (owner !== connector.key) errors.push({ path: at('credentialId'), message: `Credential is for "${owner}", not "${connector.key}"` });
      }
      if (step.connector === 'core' && step.action === 'condition') {
        for (const branch of ['then', 'else'] as const) {
          const ids = step.input[branch];
          if (ids !== undefined && (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))) {
            errors.push({ path: at('input', branch), message: 'A list of step ids' });
          } else if (Array.isArray(ids)) {
            for (const id of ids as string[]) {
              const target = steps.findIndex((s) => s.id === id);
              if (target <= i) errors.push({ path: at('input', branch), message: `"${id}" is not a later step` });
            }
          }
        }
      }
    }
    errors.push(...templateErrors(step.input, ['steps', String(i), 'input'], step.id));
    if (step.when !== undefined) errors.push(...templateErrors(step.when, ['steps', String(i), 'when'], step.id));
  });
  return errors;
}
