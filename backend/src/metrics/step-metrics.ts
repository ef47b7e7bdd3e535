/** The step duration histogram, the same in every process that runs steps (api: dry runs, sync webhooks; worker). */
import { Histogram, type Registry } from 'prom-client';
import type { StepResult } from '../engine/types.js';

export type StepDurationHistogram = Histogram<'connector' | 'action' | 'status'>;

export function stepDurationHistogram(registry: Registry): StepDurationHistogram {
  return new Histogram({
    name: 'tributary_step_duration_seconds',
    help: 'Workflow step duration (all attempts) by connector, action and status, for steps run in this process',
    labelNames: ['connector', 'action', 'status'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
}

/** A step carried over from an earlier run (retry from the failed step) did not run now: not observed. */
export function observeStep(histogram: StepDurationHistogram, r: StepResult): void {
  if (r.reused) return;
  histogram.observe({ connector: r.connector, action: r.action, status: r.status }, r.durationMs / 1000);
}
