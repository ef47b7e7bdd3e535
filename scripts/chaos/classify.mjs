// How the chaos suite judges repeated deliveries (pure, so it is tested on its own: classify.test.mjs).
//
// Steps run in order, and each step that called out is recorded before the next one starts. So a
// repeat of (ref, step N) is a duplicate of a COMPLETED step (a violation) when it
//   - carries another Idempotency-Key than the first delivery (another execution, or another key), or
//   - arrives once the sink has already seen step N+1 of that ref, or
//   - arrives after the execution finished;
// otherwise it is the allowed at-least-once retry of the step that was in flight when a process died
// or was cut off ("in-flight repeat", same key, before any later step).

/**
 * @param {Map<string, {step: string, key: string|null, at: number}[]>} deliveries ref → deliveries
 * @param {string[]} steps the workflow's step ids, in order
 * @param {(executionId: string) => number|undefined} finishedAt when an execution finished (ms), if it did
 * @param {(ref: string) => boolean} [mine] which refs to look at
 */
export function classifyRepeats(deliveries, steps, finishedAt, mine = () => true) {
  const duplicateCompleted = [];
  const inFlightRepeats = [];
  const completedPerStep = Object.fromEntries(steps.map((s) => [s, 0]));
  const inFlightPerStep = Object.fromEntries(steps.map((s) => [s, 0]));
  for (const [ref, list] of deliveries) {
    if (!mine(ref)) continue;
    steps.forEach((step, i) => {
      const ds = list.filter((x) => x.step === step).sort((a, b) => a.at - b.at);
      if (ds.length < 2) return;
      const next = i + 1 < steps.length ? list.filter((x) => x.step === steps[i + 1]).map((x) => x.at) : [];
      const nextFirst = next.length ? Math.min(...next) : Infinity;
      for (const r of ds.slice(1)) {
        const done = finishedAt(String(r.key ?? '').split(':')[0]) ?? Infinity;
        const why = r.key !== ds[0].key ? 'another Idempotency-Key' : r.at >= nextFirst ? `after ${steps[i + 1]} arrived` : r.at > done ? 'after the execution finished' : null;
        const evidence = { ref, step, why, keys: ds.map((x) => x.key), arrivals: ds.map((x) => new Date(x.at).toISOString()), nextStepFirstArrival: Number.isFinite(nextFirst) ? new Date(nextFirst).toISOString() : null };
        if (why) {
          duplicateCompleted.push(evidence);
          completedPerStep[step]++;
        } else {
          inFlightRepeats.push(evidence);
          inFlightPerStep[step]++;
        }
      }
    });
  }
  return { duplicateCompleted, completedPerStep, inFlightRepeats, inFlightPerStep };
}
