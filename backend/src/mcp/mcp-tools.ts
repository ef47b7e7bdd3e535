/**
 * The tools a tenant offers MCP clients: its enabled workflows whose `tool` is enabled, each named and
 * described by `tool`, with the workflow's `inputSchema` as the tool's (an object schema with no
 * properties when it has none), plus the built-in `tributary_execution`.
 *
 * Read from PostgreSQL once per tenant and kept per api process: a `tools/list` or `tools/call` costs
 * no query. A save, toggle or delete of a workflow drops the tenant's entry at once in the process
 * that made it (WorkflowEvents) and, through the live-event bus (`workflow.updated`), in every other
 * api process that has sessions of the tenant; CACHE_TTL_MS bounds what a lost event could leave
 * stale. Each reload compares the list with the one before it: when it changed, the tenant's open
 * sessions here are told (`notifications/tools/list_changed`).
 */
import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Workflow } from '../workflows/workflow.entity.js';
import { WorkflowEvents } from '../workflows/workflow-events.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { McpEventFeed } from './mcp-event-feed.js';

/** The built-in tool: an execution's status and, once finished, its output. */
export const EXECUTION_TOOL = 'tributary_execution';
/** A lost `workflow.updated` leaves a tenant's tool list stale at most this long. */
export const CACHE_TTL_MS = 30_000;
const CACHE_MAX_TENANTS = 10_000;
const SCHEMAS_MAX = 10_000;

export interface WorkflowTool {
  name: string;
  description: string;
  /** What `tools/list` shows: always an object schema. */
  inputSchema: { type: 'object'; [k: string]: unknown };
  workflow: Workflow;
}

export interface ToolListListener {
  /** Whether this process has sessions of the tenant (no session: nothing to read again, nobody to tell). */
  follows(tenantId: string): boolean;
  changed(tenantId: string): void;
}

interface Entry {
  at: number;
  tools: Promise<WorkflowTool[]>;
}

/** The schema a client sees: the workflow's own when it describes an object, `{type: 'object'}` added when it says no type. */
export function toolInputSchema(schema: Record<string, unknown> | null): WorkflowTool['inputSchema'] | null {
  if (!schema) return { type: 'object' };
  if (schema.type === undefined) return { ...schema, type: 'object' };
  // Arguments are a JSON object: a workflow whose payload must be something else cannot be a tool.
  return schema.type === 'object' ? (schema as WorkflowTool['inputSchema']) : null;
}

function fingerprint(tools: WorkflowTool[]): string {
  return createHash('sha256')
    .update(JSON.stringify(tools.map((t) => [t.name, t.description, t.inputSchema])))
    .digest('base64url');
}

@Injectable()
export class McpTools {
  private readonly logger = new Logger('Mcp');
  private readonly cache = new Map<string, Entry>();
  /** Tenant → the fingerprint of the list last read (what the sessions were last told about). */
  private readonly known = new Map<string, string>();
  /** Tenants whose change is being looked at (one reload per tick and tenant). */
  private readonly changing = new Set<string>();
  private listener?: ToolListListener;
  /**
   * One object per distinct inputSchema (by its JSON): each reload reads new objects, and the schema
   * validator (common/json-schema.ts) compiles, and keeps, one validator per object.
   */
  private readonly schemas = new Map<string, Record<string, unknown>>();

  constructor(
    private readonly workflows: WorkflowsService,
    workflowEvents: WorkflowEvents,
    feed: McpEventFeed,
  ) {
    // This process's saves: at once, before the API answers the save.
    workflowEvents.subscribe(({ workflow }) => this.changed(workflow.tenantId));
    // Any process's (this one's too, a moment later: then nothing changed and nobody is told twice).
    feed.onEvent((e) => {
      if (e.event === 'workflow.updated') this.changed(e.tenantId);
    });
  }

  /** The sessions: which tenants they follow here, and whom to tell of a change. */
  setListener(listener: ToolListListener): void {
    this.listener = listener;
  }

  private onChange(tenantId: string): void {
    this.listener?.changed(tenantId);
  }

  /** The tenant's workflow tools, by name. */
  list(tenantId: string): Promise<WorkflowTool[]> {
    const e = this.cache.get(tenantId);
    if (e && Date.now() - e.at < CACHE_TTL_MS) return e.tools;
    return this.load(tenantId);
  }

  async find(tenantId: string, name: string): Promise<WorkflowTool | undefined> {
    return (await this.list(tenantId)).find((t) => t.name === name);
  }

  /** The tenant's list as stored now; tells the listener when it differs from the one before. */
  private load(tenantId: string): Promise<WorkflowTool[]> {
    const tools = this.read(tenantId);
    if (this.cache.size >= CACHE_MAX_TENANTS) this.cache.clear();
    const entry = { at: Date.now(), tools };
    this.cache.set(tenantId, entry);
    tools.then(
      (list) => {
        const fp = fingerprint(list);
        const before = this.known.get(tenantId);
        if (this.known.size >= CACHE_MAX_TENANTS) this.known.clear();
        this.known.set(tenantId, fp);
        if (before !== undefined && before !== fp) this.onChange(tenantId);
      },
      // A failed read is not kept: the next request reads again.
      () => {
        if (this.cache.get(tenantId) === entry) this.cache.delete(tenantId);
      },
    );
    return tools;
  }

  private async read(tenantId: string): Promise<WorkflowTool[]> {
    const rows = await this.workflows.tools(tenantId);
    const tools: WorkflowTool[] = [];
    for (const w of rows) {
      if (!w.enabled || !w.tool?.enabled) continue;
      if (w.inputSchema) w.inputSchema = this.intern(w.inputSchema);
      const inputSchema = toolInputSchema(w.inputSchema);
      if (!inputSchema) {
        this.logger.warn({ msg: 'a workflow tool whose inputSchema is not an object schema is not offered', tenantId, workflowId: w.id, tool: w.tool.name });
        continue;
      }
      tools.push({ name: w.tool.name, description: w.tool.description, inputSchema, workflow: w });
    }
    return tools;
  }

  /**
   * A workflow of the tenant was saved, toggled or deleted (here or elsewhere): read its list again
   * (once per tick) and, when it differs, the listener tells the sessions. A tenant whose list was
   * never read here is told at once: nothing to compare with.
   */
  private changed(tenantId: string): void {
    this.cache.delete(tenantId);
    if (!this.listener?.follows(tenantId)) {
      this.known.delete(tenantId);
      return;
    }
    if (this.changing.has(tenantId)) return;
    this.changing.add(tenantId);
    setImmediate(() => {
      this.changing.delete(tenantId);
      if (!this.known.has(tenantId)) {
        this.onChange(tenantId);
        return;
      }
      this.load(tenantId).catch((err: Error) => {
        this.logger.warn({ msg: 'could not read a tenant\'s tools after a change; telling its sessions anyway', tenantId, err: err.message });
        this.known.delete(tenantId);
        this.onChange(tenantId);
      });
    });
  }

  private intern(schema: Record<string, unknown>): Record<string, unknown> {
    const key = JSON.stringify(schema);
    const known = this.schemas.get(key);
    if (known) return known;
    if (this.schemas.size >= SCHEMAS_MAX) this.schemas.clear();
    this.schemas.set(key, schema);
    return schema;
  }

  /** The tenant has no session here any more: forget what it was told. */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
    this.known.delete(tenantId);
  }
}
