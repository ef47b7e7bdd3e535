/**
 * Workflow export/import and templates (docs/templates.md): a workflow as a portable document, with
 * references (`cred:<n>`, `wf:<n>`) in place of this workspace's credential and workflow ids, and the
 * template gallery built from such documents.
 */
import { z } from 'zod';
import { idSchema } from './common.js';
import { workflowToolSchema, WORKFLOW_PRIORITIES } from './workflow.js';

export const WORKFLOW_EXPORT_FORMAT = 'tributary.workflow/v1';
/** A credential reference in an export document. */
export const CREDENTIAL_REF_PATTERN = /^cred:\d{1,4}$/;
/** A workflow reference in an export document. */
export const WORKFLOW_REF_PATTERN = /^wf:\d{1,4}$/;

/** A credential the document needs: its connector and the name it had where it was exported. */
export const exportCredentialRefSchema = z.strictObject({
  ref: z.string().regex(CREDENTIAL_REF_PATTERN, 'A credential reference: cred:<n>'),
  connector: z.string().min(1).max(100),
  name: z.string().max(200),
});
/** A workflow the document names (`call` steps, agents' workflow tools), by name. */
export const exportWorkflowRefSchema = z.strictObject({
  ref: z.string().regex(WORKFLOW_REF_PATTERN, 'A workflow reference: wf:<n>'),
  name: z.string().max(200),
});

/**
 * The exported workflow: its definition with references instead of ids. Steps are kept as JSON here
 * (a `credentialId` holds `cred:<n>`, not a uuid); they are validated as a workflow once mapped.
 */
export const exportedWorkflowSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  trigger: z.record(z.string(), z.unknown()),
  steps: z.array(z.record(z.string(), z.unknown())).max(100),
  inputSchema: z.record(z.string(), z.unknown()).nullable().optional(),
  tool: workflowToolSchema.nullable().optional(),
  priority: z.enum(WORKFLOW_PRIORITIES).optional(),
  concurrency: z.strictObject({ max: z.number().int().min(1).max(10_000) }).nullable().optional(),
  errorWorkflowId: z.null().optional(),
});

/** `GET /workflows/:id/export`, the body of `POST /workflows/import`'s `document`, and a template's content. */
export const workflowExportSchema = z.object({
  format: z.string(),
  exportedAt: z.string().optional(),
  workflow: exportedWorkflowSchema,
  credentials: z.array(exportCredentialRefSchema).max(200).default([]),
  workflows: z.array(exportWorkflowRefSchema).max(200).default([]),
  /** What the export left out (a webhook's secret) and other things to know. */
  notes: z.array(z.string()).default([]),
});

/** Reference → this workspace's credential id. */
const credentialMappingSchema = z.record(z.string().regex(CREDENTIAL_REF_PATTERN, 'A credential reference: cred:<n>'), idSchema);
/** Reference → this workspace's workflow id. */
const workflowMappingSchema = z.record(z.string().regex(WORKFLOW_REF_PATTERN, 'A workflow reference: wf:<n>'), idSchema);

/** The body of `POST /workflows/import`. */
export const workflowImportSchema = z.object({
  document: z.unknown(),
  credentials: credentialMappingSchema.optional(),
  workflows: workflowMappingSchema.optional(),
  /** The new workflow's name; default: the document's. */
  name: z.string().trim().min(1).max(200).optional(),
});

/** The body of `POST /templates/:key/use`. */
export const templateUseSchema = z.object({
  credentials: credentialMappingSchema.optional(),
  workflows: workflowMappingSchema.optional(),
  name: z.string().trim().min(1).max(200).optional(),
});

/**
 * One entry of a 400's `details` when a reference could not be mapped: `path` is `credentials.cred:0`
 * (or `workflows.wf:0`), and the rest says what it needs, so a client can ask for it.
 */
export const unmappedRefSchema = z.object({
  path: z.string(),
  message: z.string(),
  ref: z.string(),
  kind: z.enum(['credential', 'workflow']),
  connector: z.string().optional(),
  name: z.string(),
  /** This workspace's credentials of that connector (or workflows) one could pick: ids and names. */
  candidates: z.array(z.strictObject({ id: idSchema, name: z.string() })),
});

export const templateSummarySchema = z.strictObject({
  key: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  /** Every connector its steps use (core included), sorted. */
  connectors: z.array(z.string()),
  /** The credentials it needs, to map with `POST /templates/:key/use`'s `credentials`. */
  credentials: z.array(exportCredentialRefSchema),
  triggerType: z.enum(['webhook', 'schedule', 'event', 'manual']),
});
export const templateListSchema = z.strictObject({ items: z.array(templateSummarySchema) });

export type WorkflowExport = z.output<typeof workflowExportSchema>;
export type WorkflowImport = z.output<typeof workflowImportSchema>;
export type TemplateUse = z.output<typeof templateUseSchema>;
export type UnmappedRef = z.output<typeof unmappedRefSchema>;
export type TemplateSummary = z.output<typeof templateSummarySchema>;
export type TemplateList = z.output<typeof templateListSchema>;
