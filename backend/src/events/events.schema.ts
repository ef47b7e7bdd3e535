/** What the events API accepts. */
import { z } from 'zod';
import { isoDateTime, timezoneSchema } from '../common/zod.js';
import { limitSchema } from '../common/pagination.js';
import { EVENT_TOPIC_PATTERN, TOPIC_PATTERN } from '@tributary/contracts';

const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600 * 1000;

export const publishEventSchema = z.object({
  topic: z
    .string()
    .min(1)
    .max(200)
    .regex(EVENT_TOPIC_PATTERN, 'Letters, digits and . _ : - only'),
  /** Free-form JSON object; workflows triggered by the topic start with it as their payload. */
  data: z.record(z.string(), z.unknown()).default({}),
  /** Deliver later (ISO time with offset); a time in the past or now delivers at once. */
  deliverAt: isoDateTime
    .refine((v) => !(Date.parse(v) - Date.now() > MAX_SCHEDULE_AHEAD_MS), 'At most 366 days ahead')
    .optional(),
});

export const listEventsQuery = z
  .object({
    topic: z
      .string()
      .max(200)
      .regex(TOPIC_PATTERN, 'Letters, digits and . _ : - only, with * as a wildcard')
      .optional(),
    from: isoDateTime.optional().describe('ISO time, inclusive (publish time)'),
    to: isoDateTime.optional().describe('ISO time, exclusive (publish time)'),
    limit: limitSchema,
    cursor: z.string().optional(),
    groupBy: z.enum(['hour', 'day']).optional().describe('Answer { buckets: [{ bucket, count }] } instead of a page'),
    timezone: timezoneSchema.default('UTC').describe('Where hour and day buckets start (groupBy only)'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'Must be after from' });

export type PublishEventInput = z.output<typeof publishEventSchema>;
export type ListEventsQuery = z.output<typeof listEventsQuery>;
