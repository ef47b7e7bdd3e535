import { Injectable } from '@nestjs/common';
import type { Workflow } from './workflow.entity.js';

export type WorkflowEvent = { type: 'saved' | 'deleted'; workflow: Workflow };
type Listener = (event: WorkflowEvent) => Promise<void> | void;

/**
 * Saved/deleted notifications for modules that follow workflows (schedules, real time) without the
 * workflows module knowing them: they subscribe here.
 */
@Injectable()
export class WorkflowEvents {
  private readonly listeners: Listener[] = [];

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  async emit(event: WorkflowEvent): Promise<void> {
    for (const l of this.listeners) await l(event);
  }
}
