/**
 * Checks a workflow's steps beyond their shape, blocks' nested steps included, each error with the
 * path of its field (`steps.2.steps.0.input.text`): ids unique across the whole workflow, known
 * connector and action, required inputs present, every template parses (with the step and position)
 * and reads only steps that exist, credentials exist in the tenant and match, a v1 condition's branch
 * lists name later steps, a `call` names a workflow of the tenant. Calls that form a cycle are the
 * service's check (it needs the other workflows).
 */
import type { FieldError } from '../common/errors.js';
import { toJsonSchema } from '../connectors/sdk.js';
import type { ConnectorLookup } from '../engine/connectors.js';
import { checkTemplateSyntax, findTemplates, referencedStepIds, referencedVariables } from '../engine/templates.js';
import { agentToolName, allSteps, type ActionStepDefinition, type AgentBlock, type StepDefinition } from '@tributary/contracts';
import { inputSchemaError } from '../common/json-schema.js';

function templateErrors(value: unknown, path: string[], stepId: string, knownIds: Set<string>, variables?: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  for (const t of findTemplates(value, path)) {
    const err = checkTemplateSyntax(t.template);
    if (err) {
      errors.push({ path: t.path.join('.'), message: `Template error in step "${stepId}" at line ${err.line}, column ${err.column}: ${err.message}` });
      continue;
    }
    for (const id of referencedStepIds(t.template)) {
      if (!knownIds.has(id)) errors.push({ path: t.path.join('.'), message: `Unknown step "${id}" in steps.${id} (step "${stepId}")` });
    }
    if (variables) {
      for (const name of referencedVariables(t.template)) {
        if (!variables.has(name)) errors.push({ path: t.path.join('.'), message: `Unknown variable "${name}" in vars.${name} (step "${stepId}"): create it on the Variables page first` });
      }
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

export interface StepContext {
  findConnector: ConnectorLookup;
  /** Credential id → its connector, for the credentials of this tenant the steps name. */
  credentialConnectors: Map<string, string>;
  /** The tenant's workflows among those `call` steps name (absent: not checked here). */
  workflowIds?: Set<string>;
  /** The names of the tenant's variables: a template reading another `vars.NAME` is refused (absent: not checked here). */
  variableNames?: Set<string>;
}

/** The workflow ids `call` steps and agents' workflow tools name, blocks included. */
export function calledWorkflowIds(steps: StepDefinition[]): string[] {
  return [...new Set(allSteps(steps).flatMap((s) => (s.type === 'call' ? [s.workflowId] : s.type === 'agent' ? s.tools.flatMap((t) => (t.kind === 'workflow' ? [t.workflowId] : [])) : [])))];
}

export function validateSteps(steps: StepDefinition[], findConnectorOrCtx: ConnectorLookup | StepContext, credentialConnectors?: Map<string, string>): FieldError[] {
  const ctx: StepContext = typeof findConnectorOrCtx === 'function' ? { findConnector: findConnectorOrCtx, credentialConnectors: credentialConnectors ?? new Map() } : findConnectorOrCtx;
  const knownIds = new Set(allSteps(steps).map((s) => s.id));
  const errors: FieldError[] = [];
  const seen = new Set<string>();

  const list = (items: StepDefinition[], at: string) => {
    items.forEach((step, i) => one(step, items, i, `${at}.${i}`));
  };

  const one = (step: StepDefinition, siblings: StepDefinition[], i: number, base: string) => {
    const at = (...p: string[]) => [base, ...p].join('.');
    if (seen.has(step.id)) errors.push({ path: at('id'), message: `Duplicate step id "${step.id}" (ids are unique across the whole workflow, blocks included)` });
    seen.add(step.id);
    if (step.when !== undefined) errors.push(...templateErrors(step.when, [base, 'when'], step.id, knownIds, ctx.variableNames));
    switch (step.type) {
      case 'condition':
        errors.push(...templateErrors(step.if, [base, 'if'], step.id, knownIds, ctx.variableNames));
        list(step.then, at('then'));
        list(step.else, at('else'));
        return;
      case 'loop':
        errors.push(...templateErrors(step.items, [base, 'items'], step.id, knownIds, ctx.variableNames));
        list(step.steps, at('steps'));
        return;
      case 'parallel':
        step.branches.forEach((b, bi) => list(b, at('branches', String(bi))));
        return;
      case 'wait':
        if (step.for === 'until') errors.push(...templateErrors(step.at, [base, 'at'], step.id, knownIds, ctx.variableNames));
        return;
      case 'call':
        if (ctx.workflowIds && !ctx.workflowIds.has(step.workflowId)) errors.push({ path: at('workflowId'), message: 'No workflow with this id in this workspace' });
        errors.push(...templateErrors(step.input, [base, 'input'], step.id, knownIds, ctx.variableNames));
        return;
      case 'agent':
        agent(step, base, at);
        return;
      default:
        action(step, siblings, i, base, at);
    }
  };

  const agent = (step: AgentBlock, base: string, at: (...p: string[]) => string) => {
    const owner = ctx.credentialConnectors.get(step.credentialId);
    if (!owner) errors.push({ path: at('credentialId'), message: 'Credential not found' });
    else if (owner !== 'llm') errors.push({ path: at('credentialId'), message: `Credential is for "${owner}", not "llm"` });
    for (const field of ['system', 'prompt'] as const) if (step[field] !== undefined) errors.push(...templateErrors(step[field], [base, field], step.id, knownIds, ctx.variableNames));
    if (step.outputSchema) {
      const err = inputSchemaError(step.outputSchema);
      if (err) errors.push({ path: at('outputSchema'), message: err });
    }
    const names = new Set<string>();
    step.tools.forEach((t, ti) => {
      const name = agentToolName(t);
      if (names.has(name)) errors.push({ path: at('tools', String(ti), 'name'), message: `Two tools are named "${name}": name one of them` });
      names.add(name);
      if (t.kind === 'workflow') {
        if (ctx.workflowIds && !ctx.workflowIds.has(t.workflowId)) errors.push({ path: at('tools', String(ti), 'workflowId'), message: 'No workflow with this id in this workspace' });
      } else {
        const mcpOwner = ctx.credentialConnectors.get(t.credentialId);
        if (!mcpOwner) errors.push({ path: at('tools', String(ti), 'credentialId'), message: 'Credential not found' });
        else if (mcpOwner !== 'mcp') errors.push({ path: at('tools', String(ti), 'credentialId'), message: `Credential is for "${mcpOwner}", not "mcp"` });
      }
    });
  };

  const action = (step: ActionStepDefinition, siblings: StepDefinition[], i: number, base: string, at: (...p: string[]) => string) => {
    const connector = ctx.findConnector(step.connector);
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
        const owner = ctx.credentialConnectors.get(step.credentialId);
        if (!owner) errors.push({ path: at('credentialId'), message: 'Credential not found' });
        else if (owner !== connector.key) errors.push({ path: at('credentialId'), message: `Credential is for "${owner}", not "${connector.key}"` });
      }
      if (step.connector === 'core' && step.action === 'condition') {
        // v1 conditions name later steps of the same list by id.
        for (const branch of ['then', 'else'] as const) {
          const ids = step.input[branch];
          if (ids !== undefined && (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))) {
            errors.push({ path: at('input', branch), message: 'A list of step ids' });
          } else if (Array.isArray(ids)) {
            for (const id of ids as string[]) {
              const target = siblings.findIndex((s) => s.id === id);
              if (target < 0 && !knownIds.has(id)) errors.push({ path: at('input', branch), message: `Unknown step id "${id}"` });
              else if (target <= i) errors.push({ path: at('input', branch), message: `"${id}" is not a later step of the same list` });
            }
          }
        }
      }
    }
    // An action's verbatim fields (a code step's `code`) are not templates.
    const verbatim = connector?.actions.find((a) => a.key === step.action)?.verbatim ?? [];
    const templated = verbatim.length ? Object.fromEntries(Object.entries(step.input).filter(([k]) => !verbatim.includes(k))) : step.input;
    errors.push(...templateErrors(templated, [base, 'input'], step.id, knownIds, ctx.variableNames));
  };

  list(steps, 'steps');
  return errors;
}
