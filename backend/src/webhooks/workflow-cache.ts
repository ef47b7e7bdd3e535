import { Injectable } from '@nestjs/common';
import { PromiseCache } from '../common/promise-cache.js';
import { WorkflowEvents } from '../workflows/workflow-events.js';
import type { Workflow } from '../workflows/workflow.entity.js';
import { WorkflowsService } from '../workflows/workflows.service.js';

const TTL_MS = 5000;

/**
 * Webhook ingress reads the workflow on every request; this keeps it in memory for a few seconds.
 * Saves in this process invalidate at once; other api processes see a change within TTL_MS.
 */
@Injectable()
export class WorkflowCache {
  private readonly entries = new PromiseCache<string, Workflow | null>({ ttlMs: TTL_MS, max: 50_000 });

  constructor(
    private readonly workflows: WorkflowsService,
    events: WorkflowEvents,
  ) {
    events.subscribe(({ workflow }) => {
      this.entries.delete(workflow.id);
    });
  }

  get(id: string): Promise<Workflow | null> {
    return this.entries.get(id, () => this.workflows.findById(id));
  }
}
