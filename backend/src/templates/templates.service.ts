import { Injectable } from '@nestjs/common';
import { allSteps, isActionStep, type StepDefinition, type TemplateList, type TemplateSummary } from '@tributary/contracts';
import { NotFoundError } from '../common/errors.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { WorkflowTransfer, type ImportOptions } from '../workflows/workflow-transfer.js';
import { WorkflowsService, type WorkflowView } from '../workflows/workflows.service.js';
import { TEMPLATES, type TemplateDefinition } from './template-definitions.js';

/** Every connector a template's steps use (agents use `llm`, their MCP tools `mcp`), sorted. */
function connectorsOf(t: TemplateDefinition): string[] {
  const keys = new Set<string>();
  for (const s of allSteps(t.document.workflow.steps as unknown as StepDefinition[])) {
    if (isActionStep(s)) keys.add(s.connector);
    else if (s.type === 'agent') {
      keys.add('llm');
      if (s.tools.some((tool) => tool.kind === 'mcp')) keys.add('mcp');
    }
  }
  return [...keys].sort();
}

export function summary(t: TemplateDefinition): TemplateSummary {
  const w = t.document.workflow;
  return {
    key: t.key,
    name: w.name,
    description: w.description,
    category: t.category,
    connectors: connectorsOf(t),
    credentials: t.document.credentials,
    triggerType: (w.trigger as { type: TemplateSummary['triggerType'] }).type,
  };
}

/** The template gallery: workflow export documents kept in code (template-definitions.ts). */
@Injectable()
export class TemplatesService {
  private readonly transfer: WorkflowTransfer;

  constructor(workflows: WorkflowsService, credentials: CredentialsService) {
    this.transfer = new WorkflowTransfer(workflows, credentials);
  }

  list(): TemplateList {
    return { items: TEMPLATES.map(summary) };
  }

  /** Creates the template's workflow in the tenant, mapping its credentials as an import does. */
  use(tenantId: string, userId: string | null, key: string, opts: ImportOptions): Promise<WorkflowView> {
    const t = TEMPLATES.find((x) => x.key === key);
    if (!t) throw new NotFoundError('Template');
    return this.transfer.create(tenantId, userId, WorkflowTransfer.parseDocument(t.document), opts);
  }
}
