/**
 * Error workflows (SPEC "Workflow language v2": `errorWorkflowId`): when an execution ends `failed`
 * (retries exhausted, the failure recorded), the workflow its workflow names as error workflow
 * starts, whatever triggered the failed one (manual runs and retries included; n8n's error trigger
 * skips manual runs and its users complain), with
 * `{ execution: { id, workflowId, error, failedStepId }, payload }` as its payload and the trigger
 * type `error`. An execution started this way starts no other when it fails (no loops); a disabled
 * error workflow does not run. A lifecycle hook: it starts the error run after the failure is on
 * record, without holding up the run's slot.
 */
import { Injectable, Logger } from '@nestjs/common';
import type { RunResult } from '../engine/types.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { ExecutionLifecycle, type RunSubject } from './execution-lifecycle.js';
import { ExecutionsService, flowOf } from './executions.service.js';

@Injectable()
export class ErrorWorkflows {
  private readonly logger = new Logger('ErrorWorkflows');

  constructor(
    lifecycle: ExecutionLifecycle,
    private readonly workflows: WorkflowsService,
    private readonly executions: ExecutionsService,
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
      // The step that ended the run: the last failed one (earlier ones may have failed with onError: continue).
      const failedStep = [...result.steps].reverse().find((s) => s.status === 'failed');
      const { executionId } = await this.executions.start({
        tenantId: run.tenantId,
        workflowId: target.id,
        workflowVersion: target.version,
        triggerType: 'error',
        flow: flowOf(target),
        payload: {
          execution: { id: run.executionId, workflowId: run.workflowId, error: result.error ?? null, failedStepId: failedStep?.stepId ?? null },
          payload: run.payload ?? null,
        },
      });
      this.logger.log({ msg: 'error workflow started', executionId: run.executionId, errorExecutionId: executionId, errorWorkflowId: target.id });
    } catch (err) {
      this.logger.error({ msg: 'could not start the error workflow', executionId: run.executionId, err: (err as Error).message });
    }
  }
}
