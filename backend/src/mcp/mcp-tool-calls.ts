/**
 * What `tools/list` and `tools/call` answer. A call of a workflow tool runs the workflow as a normal,
 * logged execution (trigger `mcp`, the arguments as its payload, checked against its `inputSchema` as
 * a manual run's is) and waits for it up to MCP_TOOL_WAIT_MS (or the call's `_meta["tributary/waitMs"]`,
 * when shorter): a succeeded run answers its output, a failed or cancelled one a tool error; one still
 * running, or parked on a wait that does not end in time (an approval, a webhook), answers a handle
 * `{ executionId, status, message }`, to be followed with the built-in tool `tributary_execution`.
 *
 * Errors a model can act on (bad arguments, a key that may not run workflows, a failed run, the
 * platform shedding load) are tool results with `isError: true`, which the model reads; an unknown
 * tool is a JSON-RPC error (-32602), as the MCP specification shows.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { AuthUser } from '../access/auth.types.js';
import { API_KEY_SCOPES, roleAtLeast, SCOPE_ROLE } from '../access/roles.js';
import { DomainError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { payloadErrors } from '../common/json-schema.js';
import { isDependencyUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../common/unavailable.js';
import { CONFIG, type Config } from '../config/config.js';
import type { StoredExecution } from '../executions/executions.repository.js';
import { ExecutionsService, flowOf } from '../executions/executions.service.js';
import { ExecutionWaiter, type WaitOutcome } from './execution-waiter.js';
import { EXECUTION_TOOL, McpTools } from './mcp-tools.js';

/** `_meta` key of a `tools/call` asking for a shorter wait than MCP_TOOL_WAIT_MS (milliseconds; 0 answers the handle at once). */
export const WAIT_META = 'tributary/waitMs';
/** `_meta` key of every result of a run: its execution's id (in the dashboard, GET /api/executions/:id). */
export const EXECUTION_META = 'tributary/executionId';

interface CallParams {
  name: string;
  arguments?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
}

const text = (s: string) => ({ type: 'text' as const, text: s });
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function toolError(message: string, structured?: Record<string, unknown>): CallToolResult {
  return { isError: true, content: [text(message)], ...(structured ? { structuredContent: structured } : {}) };
}

/** Why this key may not run workflows (read scope, or a personal key capped by its user's role). */
function cannotRun(user: AuthUser): string {
  const key = user.apiKey;
  const needs = API_KEY_SCOPES.filter((s) => roleAtLeast(SCOPE_ROLE[s], 'editor')).join(' or ');
  if (key?.cappedBy) return `This API key has scope ${key.scope}, but its user's role is now ${key.cappedBy}, which may not run workflows; calling a tool needs scope ${needs}`;
  return `This API key's scope (${key?.scope ?? user.role}) may list tools but not call them: calling a tool runs a workflow, which needs scope ${needs}`;
}

@Injectable()
export class McpToolCalls {
  private readonly logger = new Logger('Mcp');
  private readonly waitMs: number;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly tools: McpTools,
    private readonly executions: ExecutionsService,
    private readonly waiter: ExecutionWaiter,
  ) {
    this.waitMs = config.mcp.toolWaitMs;
  }

  /** The tenant's workflow tools, then the built-in one. */
  async list(user: AuthUser): Promise<Tool[]> {
    const tools = await this.tools.list(user.tenantId).catch((err: unknown) => {
      throw this.internal(err, 'tools/list');
    });
    return [
      ...tools.map((t): Tool => ({ name: t.name, title: t.workflow.name, description: t.description, inputSchema: t.inputSchema, annotations: { openWorldHint: true } })),
      {
        name: EXECUTION_TOOL,
        title: 'Execution status',
        description:
          'The status of a workflow run that a tool call answered with a handle ({ executionId, status }) because it was still running or waiting ' +
          '(for an approval, a webhook, a timer): answers its status and, once it has finished, its output (or its error). ' +
          `waitMs (0 to ${this.waitMs}) waits up to that long for it to finish before answering.`,
        inputSchema: {
          type: 'object',
          properties: {
            executionId: { type: 'string', format: 'uuid', description: 'The executionId of the handle' },
            waitMs: { type: 'integer', minimum: 0, maximum: this.waitMs, description: 'Wait up to this long for the run to finish (default 0: answer at once)' },
          },
          required: ['executionId'],
          additionalProperties: false,
        },
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      },
    ];
  }

  async call(user: AuthUser, params: CallParams, signal: AbortSignal): Promise<CallToolResult> {
    try {
      return await this.callTool(user, params, signal);
    } catch (err) {
      if (err instanceof McpError || signal.aborted) throw err;
      if (isDependencyUnavailable(err)) return toolError(`A service Tributary depends on (database or queue) is unavailable; retry in ${UNAVAILABLE_RETRY_AFTER_SECONDS} s`);
      throw this.internal(err, 'tools/call');
    }
  }

  /** An unexpected error: logged, and answered without its details (a database error's text is not the client's business). */
  private internal(err: unknown, what: string): McpError {
    if (err instanceof McpError) return err;
    this.logger.error({ msg: `MCP ${what} failed`, err });
    return new McpError(ErrorCode.InternalError, 'Internal error; the api\'s log has the details');
  }

  private async callTool(user: AuthUser, params: CallParams, signal: AbortSignal): Promise<CallToolResult> {
    const args = params.arguments ?? {};
    if (params.name === EXECUTION_TOOL) return this.status(user, args, signal);
    const tool = await this.tools.find(user.tenantId, params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${params.name}`);
    if (!roleAtLeast(user.role, 'editor')) return toolError(cannotRun(user));
    const wf = tool.workflow;
    if (wf.inputSchema) {
      let errors: { path: string; message: string }[];
      try {
        errors = payloadErrors(wf.inputSchema, args).map((e) => ({ path: e.path.replace(/^payload/, 'arguments'), message: e.message }));
      } catch (err) {
        this.logger.warn({ msg: 'a tool\'s inputSchema could not be compiled', workflowId: wf.id, err: (err as Error).message });
        return toolError(`This tool's inputSchema cannot be checked (${(err as Error).message}); fix the workflow's inputSchema`);
      }
      if (errors.length) {
        return toolError(`The arguments do not match the tool's inputSchema:\n${errors.map((e) => `- ${e.path}: ${e.message}`).join('\n')}`, { errors });
      }
    }
    let executionId: string;
    try {
      this.executions.assertAcceptingWork();
      ({ executionId } = await this.executions.start({ tenantId: user.tenantId, workflowId: wf.id, workflowVersion: wf.version, triggerType: 'mcp', payload: args, flow: flowOf(wf) }));
    } catch (err) {
      // Shedding load (503), a payload PostgreSQL cannot store (400), the workflow deleted meanwhile (404).
      if (err instanceof DomainError) return toolError(err.retryAfterSeconds ? `${err.message} (retry in ${err.retryAfterSeconds} s)` : err.message);
      throw err;
    }
    let outcome: WaitOutcome;
    try {
      outcome = await this.waiter.wait(user.tenantId, executionId, Date.now() + this.callWaitMs(params._meta), signal, true);
    } catch (err) {
      if (!isDependencyUnavailable(err)) throw err;
      // Accepted (it will run), but not readable now: the handle, so the run is not lost to the client.
      const body = {
        executionId,
        status: 'unknown',
        message: `The workflow run was accepted, but its status cannot be read now (a service Tributary depends on is unavailable). Call the tool ${EXECUTION_TOOL} with {"executionId": "${executionId}"} in a few seconds.`,
      };
      return { content: [text(JSON.stringify(body))], structuredContent: body, _meta: { [EXECUTION_META]: executionId } };
    }
    return this.answer(outcome.execution, outcome.timedOut, false);
  }

  /** MCP_TOOL_WAIT_MS, or the shorter wait the call asks for. */
  private callWaitMs(meta: Record<string, unknown> | undefined): number {
    const asked = meta?.[WAIT_META];
    return typeof asked === 'number' && Number.isFinite(asked) && asked >= 0 ? Math.min(asked, this.waitMs) : this.waitMs;
  }

  /** `tributary_execution`: any execution of the key's tenant (reading needs only `read`). */
  private async status(user: AuthUser, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const { executionId, waitMs } = args;
    if (typeof executionId !== 'string' || !isUuid(executionId)) return toolError('executionId must be the id (a UUID) of an execution, as a tool call\'s handle gave it');
    if (waitMs !== undefined && (typeof waitMs !== 'number' || !Number.isInteger(waitMs) || waitMs < 0)) return toolError(`waitMs must be an integer from 0 to ${this.waitMs}`);
    const wait = Math.min(waitMs ?? 0, this.waitMs);
    try {
      const { execution, timedOut } = await this.waiter.wait(user.tenantId, executionId, Date.now() + wait, signal);
      return this.answer(execution, timedOut, true);
    } catch (err) {
      if (err instanceof NotFoundError) return toolError(`No execution ${executionId} in this workspace`);
      throw err;
    }
  }

  /**
   * A finished run: its output (structuredContent when it is an object; the text is the JSON, or the
   * string itself), or a tool error. Still going: the handle. `report` (tributary_execution): the
   * output comes with the execution's id and status.
   */
  private async answer(e: StoredExecution, timedOut: boolean, report: boolean): Promise<CallToolResult> {
    return { ...(await this.result(e, timedOut, report)), _meta: { [EXECUTION_META]: e.id } };
  }

  private async result(e: StoredExecution, timedOut: boolean, report: boolean): Promise<CallToolResult> {
    if (e.status === 'succeeded') {
      const output = e.output ?? null;
      if (report) {
        const body = { executionId: e.id, status: e.status, output };
        return { content: [text(JSON.stringify(body))], structuredContent: body };
      }
      return { content: [text(typeof output === 'string' ? output : JSON.stringify(output))], ...(isPlainObject(output) ? { structuredContent: output } : {}) };
    }
    if (e.status === 'failed' || e.status === 'cancelled') {
      const error = e.error ?? (e.status === 'cancelled' ? 'Cancelled' : 'The workflow failed');
      return toolError(`The workflow run ${e.status === 'cancelled' ? 'was cancelled' : 'failed'}: ${error} (execution ${e.id})`, { executionId: e.id, status: e.status, error });
    }
    const body = { executionId: e.id, status: e.status, message: await this.pendingMessage(e, timedOut) };
    return { content: [text(JSON.stringify(body))], structuredContent: body };
  }

  private async pendingMessage(e: StoredExecution, timedOut: boolean): Promise<string> {
    const follow = `Call the tool ${EXECUTION_TOOL} with {"executionId": "${e.id}"} to get its status and, once it has finished, its output.`;
    if (e.status !== 'waiting') return `The workflow run is still ${e.status}${timedOut ? ' after the wait of this call' : ''}. ${follow}`;
    const waits = await this.executions.pendingWaits(e.id).catch((err: Error) => {
      this.logger.warn({ msg: 'could not read the waits of a parked execution', executionId: e.id, err: err.message });
      return [];
    });
    const what = waits.map((w) =>
      w.kind === 'approval'
        ? `an approval${w.message ? ` ("${w.message}")` : ''}, given in Tributary (POST /api/executions/${e.id}/approve)`
        : w.kind === 'webhook'
          ? 'a webhook call'
          : w.kind === 'call'
            ? 'a sub-workflow'
            : `a timer${w.dueAt ? ` due ${w.dueAt}` : ''}`,
    );
    return `The workflow run is waiting${what.length ? ` for ${[...new Set(what)].join(' and ')}` : ''}. ${follow}`;
  }
}
