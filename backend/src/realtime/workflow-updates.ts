import { Injectable } from '@nestjs/common';
import { PlatformEvents } from '../live/platform-events.js';
import { WorkflowEvents } from '../workflows/workflow-events.js';

/** `workflow.updated` for the tenant's sockets whenever a workflow is saved, toggled, rolled back or deleted. */
@Injectable()
export class WorkflowUpdates {
  constructor(workflows: WorkflowEvents, events: PlatformEvents) {
    workflows.subscribe(({ type, workflow: w }) =>
      events.publish(w.tenantId, 'workflow.updated', {
        workflowId: w.id,
        action: type,
        name: w.name,
        version: w.version,
        enabled: w.enabled,
        triggerType: w.trigger.type,
        updatedAt: w.updatedAt,
      }),
    );
  }
}
