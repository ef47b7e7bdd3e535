import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser } from '../access/decorators.js';
import { ApiZodBody, ZodBody } from '../common/zod.js';
import { environmentSchema, stepSchema, triggerSchema, type dryRunResultSchema, type ExecutionStarted, type StepDefinition } from '@tributary/contracts';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { ExecutionRunner } from './execution-runner.js';
import { ExecutionsService, flowOf } from './executions.service.js';
import { ValidationError } from '../common/errors.js';
import { payloadErrors } from '../common/json-schema.js';

const payloadSchema = z.object({ payload: z.unknown().default({}) });
const draftSchema = z.object({
  /** `environment`: whose variable values the test run reads (default production). */
  workflow: z.object({ trigger: triggerSchema.optional(), steps: z.array(stepSchema).max(100), environment: environmentSchema.optional() }),
  payload: z.unknown().default({}),
  /** Outputs pinned by step id (the saved workflow's `pinData`, or the builder's own): those steps do not run. */
  pinData: z.record(z.string(), z.unknown()).optional(),
});

/** Dry runs (real calls, nothing persisted) and manual runs of a workflow: both through ExecutionRunner's lifecycle. */
@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowRunsController {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly runner: ExecutionRunner,
    private readonly executions: ExecutionsService,
  ) {}

  /** A draft that is not saved yet: validated like a save, then run. */
  @Post('dry-run')
  @HttpCode(200)
  @ApiZodBody(draftSchema)
  async dryRunDraft(@CurrentUser() user: AuthUser, @ZodBody(draftSchema) body: z.output<typeof draftSchema>) {
    await this.workflows.validate(user.tenantId, body.workflow.steps);
    return this.dryRun(user.tenantId, null, body.workflow.steps, body.payload, body.workflow.environment, body.pinData);
  }

  @Post(':id/dry-run')
  @HttpCode(200)
  @ApiZodBody(payloadSchema)
  async dryRunSaved(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(payloadSchema) body: z.output<typeof payloadSchema>) {
    const wf = await this.workflows.getEntityOrThrow(user.tenantId, id);
    return this.dryRun(user.tenantId, wf.id, wf.steps, body.payload, wf.environment, wf.pinData);
  }

  @Post(':id/run')
  @HttpCode(202)
  @ApiZodBody(payloadSchema)
  async run(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(payloadSchema) body: z.output<typeof payloadSchema>): Promise<ExecutionStarted> {
    const wf = await this.workflows.getEntityOrThrow(user.tenantId, id);
    this.executions.assertAcceptingWork();
    if (wf.inputSchema) {
      const errors = payloadErrors(wf.inputSchema, body.payload ?? {});
      if (errors.length) throw new ValidationError("The payload does not match the workflow's inputSchema", errors);
    }
    const { executionId } = await this.executions.start({ tenantId: user.tenantId, workflowId: wf.id, workflowVersion: wf.version, triggerType: 'manual', payload: body.payload, flow: flowOf(wf) });
    return { executionId };
  }

  private async dryRun(tenantId: string, workflowId: string | null, steps: StepDefinition[], payload: unknown, environment?: string, pinned?: Record<string, unknown>): Promise<z.input<typeof dryRunResultSchema>> {
    const r = await this.runner.dryRun(tenantId, workflowId, steps, payload, environment, pinned && Object.keys(pinned).length ? pinned : undefined);
    // A test run has no wait store: its waits and calls are passed over, so it never parks.
    if (r.status === 'waiting') throw new Error('A test run parked on a wait');
    return { status: r.status, durationMs: r.durationMs, output: r.output ?? null, error: r.error ?? null, steps: r.steps.map((s) => ({ id: s.stepId, ...s })) };
  }
}
