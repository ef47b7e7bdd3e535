import type { StepResult } from '../engine/types.js';
import { ExecutionLifecycle, type RunSubject } from './execution-lifecycle.js';

const run: RunSubject = { tenantId: 't', executionId: 'e', workflowId: 'w', attempt: 1, mode: 'recorded' };
const step = { stepId: 'a', connector: 'core', action: 'transform', status: 'succeeded', attempts: 1, durationMs: 1 } as StepResult;

describe('ExecutionLifecycle', () => {
  it('tells every hook each phase, in registration order', () => {
    const lifecycle = new ExecutionLifecycle();
    const heard: string[] = [];
    for (const name of ['first', 'second']) {
      lifecycle.register({
        queued: (e) => heard.push(`${name} queued ${e.executionId}`),
        started: (r) => heard.push(`${name} started ${r.attempt}`),
        step: (_r, s) => heard.push(`${name} step ${s.stepId}`),
        finished: (_r, end) => heard.push(`${name} finished ${end.status}`),
      });
    }
    lifecycle.queued({ tenantId: 't', executionId: 'e', workflowId: 'w', triggerType: 'manual' });
    lifecycle.started(run);
    lifecycle.step(run, step);
    lifecycle.finished(run, { status: 'abandoned', reason: 'lease lost' });
    expect(heard).toEqual([
      'first queued e',
      'second queued e',
      'first started 1',
      'second started 1',
      'first step a',
      'second step a',
      'first finished abandoned',
      'second finished abandoned',
    ]);
  });

  it('a hook that throws does not stop the run or the hooks after it', () => {
    const lifecycle = new ExecutionLifecycle();
    const heard: string[] = [];
    lifecycle.register({ step: () => { throw new Error('broken hook'); } });
    lifecycle.register({ step: (_r, s) => heard.push(s.stepId) });
    expect(() => lifecycle.step(run, step)).not.toThrow();
    expect(heard).toEqual(['a']);
  });
});
