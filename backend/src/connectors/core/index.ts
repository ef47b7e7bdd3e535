/**
 * The built-in steps under the `core` connector: condition (if/else branches), delay and transform.
 * They are ordinary actions to the engine, registered like every other connector; `condition` says
 * which steps to skip through the SDK's `skips` (the runner applies it without knowing the action).
 */
import { z } from 'zod';
import { sleep } from '../../common/sleep.js';
import { isTruthy } from '../../common/truthy.js';
import { defineAction, defineConnector } from '../sdk.js';

export const conditionInput = z.object({
  if: z.unknown().describe('A template; the branch taken is `then` when it renders truthy, else `else`'),
  then: z.array(z.string()).optional().describe('Step ids that run only when the condition is true'),
  else: z.array(z.string()).optional().describe('Step ids that run only when the condition is false'),
});

export const core = defineConnector({
  key: 'core',
  name: 'Built-in',
  icon: 'workflow',
  description: 'Conditions, delays and data transformation',
  credentials: null,
  actions: [
    defineAction({
      key: 'condition',
      name: 'Condition (if / else)',
      description: 'Evaluates a condition; steps listed in the branch not taken are skipped',
      input: conditionInput,
      output: z.object({ result: z.boolean() }),
      sample: { if: '{{eq order.status "paid"}}' },
      pure: true,
      async execute({ input }) {
        return { result: isTruthy(input.if) };
      },
      // The branch lists as written in the step (not rendered), so a resumed run derives the same skips.
      skips({ output, stepInput, stepId }) {
        const notTaken = (output as { result?: unknown } | null)?.result ? stepInput.else : stepInput.then;
        const stepIds = Array.isArray(notTaken) ? notTaken.filter((id): id is string => typeof id === 'string') : [];
        return { stepIds, reason: `branch not taken at condition "${stepId}"` };
      },
    }),
    defineAction({
      key: 'delay',
      name: 'Delay',
      description: 'Waits before the next step',
      input: z.object({ seconds: z.coerce.number().min(0).max(3600).describe('Seconds to wait') }),
      output: z.object({ waitedMs: z.number() }),
      sample: { seconds: 0 },
      pure: true,
      async execute({ input, signal }) {
        const started = Date.now();
        await sleep(input.seconds * 1000, signal);
        return { waitedMs: Date.now() - started };
      },
    }),
    defineAction({
      key: 'transform',
      name: 'Transform',
      description: 'Builds a new object from templates; its output is the rendered value',
      input: z.object({ value: z.unknown().describe('Any JSON whose strings are templates') }),
      output: z.unknown(),
      sample: { value: { greeting: 'Hello {{user.name}}' } },
      pure: true,
      async execute({ input }) {
        return input.value;
      },
    }),
  ],
});
