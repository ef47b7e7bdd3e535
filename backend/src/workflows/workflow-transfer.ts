/**
 * Workflow export and import (docs/templates.md): a workflow as a portable document whose credential
 * and workflow ids are references (`cred:<n>`, `wf:<n>`) listed by connector and name (credentials)
 * or by name (workflows), never with a secret; and the way back, mapping each reference to this
 * workspace's credential or workflow, then creating the workflow through WorkflowsService.create so it
 * is validated exactly like a normal save. Templates (src/templates) are such documents.
 */
import {
  CREDENTIAL_REF_PATTERN,
  WORKFLOW_EXPORT_FORMAT,
  WORKFLOW_REF_PATTERN,
  workflowExportSchema,
  workflowInputSchema,
  type UnmappedRef,
  type WorkflowExport,
} from '@tributary/contracts';
import { ValidationError, type FieldError } from '../common/errors.js';
import { zodIssuesToFieldErrors } from '../common/zod.js';
import type { CredentialsService } from '../credentials/credentials.service.js';
import type { WorkflowsService, WorkflowView } from './workflows.service.js';

type Json = Record<string, unknown>;

/** How a credential or workflow id is found in a step, and how to replace it. */
interface IdSlot {
  kind: 'credential' | 'workflow';
  /** Credentials: the connector the id must belong to. */
  connector?: string;
  /** Where it is, as a field path (`steps.0.credentialId`). */
  path: string;
  get(): unknown;
  set(value: string): void;
}

const isRecord = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** Every credential and workflow id slot of the steps, blocks' nested steps included. */
export function idSlots(steps: unknown[], base = 'steps'): IdSlot[] {
  const out: IdSlot[] = [];
  const slot = (obj: Json, key: string, kind: IdSlot['kind'], path: string, connector?: string) => {
    if (obj[key] === undefined) return;
    out.push({ kind, connector, path: `${path}.${key}`, get: () => obj[key], set: (v) => (obj[key] = v) });
  };
  const list = (items: unknown, at: string) => {
    if (Array.isArray(items)) items.forEach((s, i) => one(s, `${at}.${i}`));
  };
  const one = (step: unknown, at: string) => {
    if (!isRecord(step)) return;
    switch (step.type) {
      case 'condition':
        list(step.then, `${at}.then`);
        list(step.else, `${at}.else`);
        return;
      case 'loop':
        list(step.steps, `${at}.steps`);
        return;
      case 'parallel':
        if (Array.isArray(step.branches)) step.branches.forEach((b, bi) => list(b, `${at}.branches.${bi}`));
        return;
      case 'call':
        slot(step, 'workflowId', 'workflow', at);
        return;
      case 'agent':
        slot(step, 'credentialId', 'credential', at, 'llm');
        if (Array.isArray(step.tools)) {
          step.tools.forEach((t, ti) => {
            if (!isRecord(t)) return;
            if (t.kind === 'mcp') slot(t, 'credentialId', 'credential', `${at}.tools.${ti}`, 'mcp');
            else if (t.kind === 'workflow') slot(t, 'workflowId', 'workflow', `${at}.tools.${ti}`);
          });
        }
        return;
      case 'wait':
        return;
      default:
        slot(step, 'credentialId', 'credential', at, typeof step.connector === 'string' ? step.connector : undefined);
    }
  };
  list(steps, base);
  return out;
}

/** A tenant's credentials as mapping needs them. */
interface CredentialRow {
  id: string;
  connector: string;
  name: string;
}
interface WorkflowRow {
  id: string;
  name: string;
}

export interface ImportOptions {
  credentials?: Record<string, string>;
  workflows?: Record<string, string>;
  name?: string;
}

export class WorkflowTransfer {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly credentials: CredentialsService,
  ) {}

  /** The portable document of one of the tenant's workflows (404 when it is not one). */
  async export(tenantId: string, id: string): Promise<WorkflowExport> {
    const w = await this.workflows.getEntityOrThrow(tenantId, id);
    const steps = structuredClone(w.steps) as unknown as Json[];
    const trigger = structuredClone(w.trigger) as Json;
    const notes: string[] = [];
    if (trigger.type === 'webhook' && trigger.secret !== undefined) {
      delete trigger.secret;
      notes.push("The webhook trigger's signing secret was not exported: set a new one after importing.");
    }
    if (w.errorWorkflowId) notes.push('The error workflow was not exported: choose one after importing.');
    notes.push('Credentials are referenced by connector and name only: their secrets never leave the workspace.');

    const credRefs = new Map<string, { ref: string; connector: string; name: string }>();
    const wfRefs = new Map<string, { ref: string; name: string }>();
    for (const s of idSlots(steps)) {
      const value = String(s.get());
      if (s.kind === 'credential') {
        let ref = credRefs.get(value);
        if (!ref) {
          const row = await this.credentials.row(tenantId, value).catch(() => null);
          ref = { ref: `cred:${credRefs.size}`, connector: row?.connector ?? s.connector ?? 'unknown', name: row?.name ?? '' };
          credRefs.set(value, ref);
        }
        s.set(ref.ref);
      } else {
        let ref = wfRefs.get(value);
        if (!ref) {
          const other = await this.workflows.getEntity(tenantId, value);
          ref = { ref: `wf:${wfRefs.size}`, name: other?.name ?? '' };
          wfRefs.set(value, ref);
        }
        s.set(ref.ref);
      }
    }
    return {
      format: WORKFLOW_EXPORT_FORMAT,
      exportedAt: new Date().toISOString(),
      workflow: {
        name: w.name,
        description: w.description,
        trigger,
        steps,
        inputSchema: w.inputSchema ?? null,
        tool: w.tool ?? null,
        priority: w.priority ?? 'normal',
        concurrency: w.concurrencyMax ? { max: w.concurrencyMax } : null,
        errorWorkflowId: null,
      },
      credentials: [...credRefs.values()],
      workflows: [...wfRefs.values()],
      notes,
    };
  }

  /** Parses a document (400 for another format, or a malformed one), fields at `document.…`. */
  static parseDocument(document: unknown): WorkflowExport {
    const format = isRecord(document) ? document.format : undefined;
    if (format !== WORKFLOW_EXPORT_FORMAT) {
      const message =
        typeof format === 'string'
          ? `Unsupported document format "${format}": this Tributary imports "${WORKFLOW_EXPORT_FORMAT}" documents`
          : `Not a Tributary workflow export: "format" must be "${WORKFLOW_EXPORT_FORMAT}"`;
      throw new ValidationError(message, [{ path: 'document.format', message }]);
    }
    const parsed = workflowExportSchema.safeParse(document);
    if (!parsed.success) throw new ValidationError('The document is invalid', zodIssuesToFieldErrors(parsed.error.issues, ['document']));
    return parsed.data;
  }

  /** Creates the document's workflow in the tenant, its references mapped (400 listing what cannot be). */
  async import(tenantId: string, userId: string | null, raw: unknown, opts: ImportOptions = {}): Promise<WorkflowView> {
    const doc = WorkflowTransfer.parseDocument(raw);
    return this.create(tenantId, userId, doc, opts);
  }

  /** Creates a parsed document's workflow (imports and templates). */
  async create(tenantId: string, userId: string | null, doc: WorkflowExport, opts: ImportOptions = {}): Promise<WorkflowView> {
    const steps = structuredClone(doc.workflow.steps);
    const slots = idSlots(steps);
    const errors: FieldError[] = [];
    const unmapped: UnmappedRef[] = [];
    const declaredCreds = new Map(doc.credentials.map((c) => [c.ref, c]));
    const declaredWfs = new Map(doc.workflows.map((w) => [w.ref, w]));

    // Every reference a step holds must be declared by the document.
    for (const s of slots) {
      const v = s.get();
      if (s.kind === 'credential' && !(typeof v === 'string' && CREDENTIAL_REF_PATTERN.test(v) && declaredCreds.has(v))) {
        errors.push({ path: `document.workflow.${s.path}`, message: 'Not a credential reference the document lists (cred:<n> in "credentials")' });
      }
      if (s.kind === 'workflow' && !(typeof v === 'string' && WORKFLOW_REF_PATTERN.test(v) && declaredWfs.has(v))) {
        errors.push({ path: `document.workflow.${s.path}`, message: 'Not a workflow reference the document lists (wf:<n> in "workflows")' });
      }
    }
    if (errors.length) throw new ValidationError('The document is invalid', errors);

    const usedCreds = new Set(slots.filter((s) => s.kind === 'credential').map((s) => String(s.get())));
    const usedWfs = new Set(slots.filter((s) => s.kind === 'workflow').map((s) => String(s.get())));
    const credMap = new Map<string, string>();
    const wfMap = new Map<string, string>();

    if (usedCreds.size) {
      const rows = await this.allCredentials(tenantId);
      for (const ref of usedCreds) {
        const need = declaredCreds.get(ref)!;
        const ofConnector = rows.filter((r) => r.connector === need.connector);
        const explicit = opts.credentials?.[ref];
        if (explicit !== undefined) {
          const row = rows.find((r) => r.id === explicit);
          if (!row) errors.push({ path: `credentials.${ref}`, message: 'No credential with this id in this workspace' });
          else if (row.connector !== need.connector) errors.push({ path: `credentials.${ref}`, message: `Credential is for "${row.connector}", not "${need.connector}"` });
          else credMap.set(ref, row.id);
          continue;
        }
        const byName = ofConnector.filter((r) => r.name === need.name);
        const pick = byName.length === 1 ? byName[0] : ofConnector.length === 1 ? ofConnector[0] : undefined;
        if (pick) {
          credMap.set(ref, pick.id);
          continue;
        }
        const message = ofConnector.length
          ? `Choose which "${need.connector}" credential to use for "${need.name}" (this workspace has ${ofConnector.length})`
          : `Needs a "${need.connector}" credential ("${need.name}"): create one on the Connections page, then map it`;
        unmapped.push({ path: `credentials.${ref}`, message, ref, kind: 'credential', connector: need.connector, name: need.name, candidates: ofConnector.map((r) => ({ id: r.id, name: r.name })) });
      }
    }
    if (usedWfs.size) {
      const rows = await this.allWorkflows(tenantId);
      for (const ref of usedWfs) {
        const need = declaredWfs.get(ref)!;
        const explicit = opts.workflows?.[ref];
        if (explicit !== undefined) {
          const row = rows.find((r) => r.id === explicit);
          if (!row) errors.push({ path: `workflows.${ref}`, message: 'No workflow with this id in this workspace' });
          else wfMap.set(ref, row.id);
          continue;
        }
        const byName = rows.filter((r) => r.name === need.name);
        if (byName.length === 1) {
          wfMap.set(ref, byName[0].id);
          continue;
        }
        const message = byName.length
          ? `Choose which workflow named "${need.name}" to use (this workspace has ${byName.length})`
          : `Needs the workflow "${need.name}": import or create it first, or map another one`;
        unmapped.push({ path: `workflows.${ref}`, message, ref, kind: 'workflow', name: need.name, candidates: (byName.length ? byName : rows).map((r) => ({ id: r.id, name: r.name })) });
      }
    }
    if (errors.length || unmapped.length) {
      throw new ValidationError(
        unmapped.length ? 'Some references could not be mapped to this workspace: map them and try again' : 'The mapping is invalid',
        [...errors, ...unmapped],
      );
    }

    for (const s of slots) s.set(s.kind === 'credential' ? credMap.get(String(s.get()))! : wfMap.get(String(s.get()))!);
    const w = doc.workflow;
    const parsed = workflowInputSchema.safeParse({
      name: opts.name ?? w.name,
      description: w.description,
      // Created disabled: check its settings (and its connections) before it runs.
      enabled: false,
      trigger: w.trigger,
      steps,
      inputSchema: w.inputSchema ?? null,
      tool: w.tool ?? null,
      priority: w.priority,
      concurrency: w.concurrency ?? null,
      errorWorkflowId: null,
    });
    if (!parsed.success) throw new ValidationError('Request body is invalid', zodIssuesToFieldErrors(parsed.error.issues));
    return this.workflows.create(tenantId, userId, parsed.data);
  }

  private async allCredentials(tenantId: string): Promise<CredentialRow[]> {
    const out: CredentialRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.credentials.listRows(tenantId, { limit: 100, cursor });
      out.push(...page.items.map((c) => ({ id: c.id, connector: c.connector, name: c.name })));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < 10_000);
    return out;
  }

  private async allWorkflows(tenantId: string): Promise<WorkflowRow[]> {
    const out: WorkflowRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.workflows.list(tenantId, { limit: 100, cursor });
      out.push(...page.items.map((w) => ({ id: w.id, name: w.name })));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < 10_000);
    return out;
  }
}
