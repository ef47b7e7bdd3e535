import { Injectable } from '@nestjs/common';
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
  private readonly entries = new Map<string, { value: Promise<Workflow | null>; expires: number }>();

  constructor(
    private readonly workflows: WorkflowsService,
    events: WorkflowEvents,
  ) {
    events.subscribe(({ workflow }) => {
      this.entries.delete(workflow.id);
    });
  }

  get(id: string): Promise<Workflow | null> {
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit && hit.expires > now) return hit.value;
    const value = this.workflows.findById(id);
    this.entries.set(id, { value, expires: now + TTL_MS });
    value.catch(() => this.entries.delete(id));
    if (this.entries.size > 50_000) this.entries.clear();
    return value;
  }
}
