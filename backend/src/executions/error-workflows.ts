/**
 * Error workflows (SPEC "Workflow language v2": `errorWorkflowId`): when an execution ends `failed`
 * (retries exhausted, the failure recorded), the workflow its workflow names as error workflow
 * starts, whatever triggered the failed one (manual runs and retries included; n8n's error trigger
 * skips manual runs and its users complain), with
 * `{ execution: { id, workflowId, error, failedStepId }, payload }` as its payload and the trigger
 * type `error`. An execution started this way starts no other when it fails (no loops); a disabled
 * error workflow does not run. A lifecycle hook: it starts the error run after the failure is on
 * record, without holding up the run's slot. The error run's Idempotency-Key is `error:<failed id>`,
 * so it starts once; a process that died between the failure and the start is covered by the
 * reconciler's sweep (`sweepMissed`), which starts the error runs of recent failures that have none.
 */
import { Injectable, Logger } from '@nestjs/common';
import type { RunResult } from '../engine/types.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { ExecutionLifecycle, type RunSubject } from './execution-lifecycle.js';
import { ExecutionsService, flowOf } from './executions.service.js';
import { ExecutionsRepository } from './executions.repository.js';
import type { StepResult } from '../engine/types.js';
import type { Workflow } from '../workflows/workflow.entity.js';

interface FailedExecution {
  id: string;
  tenantId: string;
  workflowId: string;
  error: string | null;
  steps: StepResult[];
  payload: unknown;
  failedStepId?: string;
}

@Injectable()
export class ErrorWorkflows {
  private readonly logger = new Logger('ErrorWorkflows');

  constructor(
    lifecycle: ExecutionLifecycle,
    private readonly workflows: WorkflowsService,
    private readonly executions: ExecutionsService,
    private readonly repo: ExecutionsRepository,
  ) {
    lifecycle.register({
      finished: (run, end) => {
        if (run.mode !== 'recorded' || end.status !== 'failed' || run.triggerType === 'error' || !run.workflowId) return;
        void this.start(run as RunSubject & { workflowId: string }, end.result);
      },
    });
  }

  private async start(run: RunSubject & { workflowId: string }, result: RunResult): Promise<void> {
    try {
      const failed = await this.workflows.findById(run.workflowId);
      if (!failed?.errorWorkflowId) return;
      const target = await this.workflows.getEntity(run.tenantId, failed.errorWorkflowId);
      if (!target || !target.enabled) {
        this.logger.warn({ msg: 'error workflow not started: it is missing or disabled', executionId: run.executionId, errorWorkflowId: failed.errorWorkflowId });
        return;
      }
      const executionId = await this.startFor(target, { id: run.executionId, tenantId: run.tenantId, workflowId: run.workflowId, error: result.error ?? null, steps: result.steps, payload: run.payload, failedStepId: result.failedStepId });
      this.logger.log({ msg: 'error workflow started', executionId: run.executionId, errorExecutionId: executionId, errorWorkflowId: target.id });
    } catch (err) {
      this.logger.error({ msg: 'could not start the error workflow; the reconciler will', executionId: run.executionId, err: (err as Error).message });
    }
  }

  /** Starts the error run of a failed execution (once: a second start answers the first). */
  private async startFor(target: Workflow, failed: FailedExecution): Promise<string> {
    // The step that ended the run: the last failed one (earlier ones may have failed with onError: continue).
    const failedStep = [...failed.steps].reverse().find((s) => s.status === 'failed');
    const { executionId } = await this.executions.start({
      tenantId: failed.tenantId,
      workflowId: target.id,
      workflowVersion: target.version,
      triggerType: 'error',
      flow: flowOf(target),
      idempotencyKey: `error:${failed.id}`,
      payload: {
        execution: { id: failed.id, workflowId: failed.workflowId, error: failed.error, failedStepId: failed.failedStepId ?? failedStep?.path ?? failedStep?.stepId ?? null },
        payload: failed.payload ?? null,
      },
    });
    return executionId;
  }

  /** Failures of the last hour whose error run was never started (the process died in between): started now. */
  async sweepMissed(): Promise<number> {
    const missed = await this.repo.failedWithoutErrorRun(100);
    let started = 0;
    for (const f of missed) {
      const target = await this.workflows.getEntity(f.tenantId, f.errorWorkflowId);
      if (!target?.enabled) continue;
      await this.startFor(target, f);
      started++;
    }
    return started;
  }
}
