/** Bored API: a random activity suggestion. */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { ConnectorError, defineAction, defineConnector } from '../sdk.js';

const provider: ProviderInfo = { name: 'Bored API' };
const TYPES = ['education', 'recreational', 'social', 'diy', 'charity', 'cooking', 'relaxation', 'music', 'busywork'] as const;

interface Activity {
  activity: string;
  type: string;
  participants: number;
  price: number;
  accessibility: number;
  link: string;
  key: string;
}

export const bored = defineConnector({
  key: 'bored',
  name: 'Bored API',
  icon: 'dice-5',
  description: 'Suggestions for something to do',
  credentials: null,
  actions: [
    defineAction({
      key: 'random_activity',
      name: 'Random activity',
      description: 'A random activity, optionally of a type or for a number of participants',
      input: z.object({
        type: z.enum(TYPES).optional().describe('Kind of activity'),
        participants: z.coerce.number().int().min(1).optional().describe('Number of people'),
      }),
      output: z.object({
        activity: z.string(),
        type: z.string(),
        participants: z.number(),
        price: z.number().describe('0 (free) to 1 (expensive)'),
        accessibility: z.number().describe('0 (easy) to 1 (hard)'),
        link: z.string(),
        key: z.string(),
      }),
      sample: { type: 'education' },
      async execute(ctx) {
        const res = await callProvider(ctx, provider, {
          url: joinUrl(ctx.baseUrl('https://www.boredapi.com'), '/api/activity'),
          query: { type: ctx.input.type, participants: ctx.input.participants },
        });
        const body = jsonBody<Activity | { error: string }>(res, provider);
        // The Bored API answers 200 with an `error` field when nothing matches the filters.
        if ('error' in body) throw new ConnectorError(`Bored API: ${body.error}`);
        const { activity, type, participants, price, accessibility, link, key } = body;
        return { activity, type, participants, price, accessibility, link, key };
      },
    }),
  ],
});
