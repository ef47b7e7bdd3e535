/** Numbers API: trivia, math, date and year facts about a number. */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { defineAction, defineConnector } from '../sdk.js';

const provider: ProviderInfo = { name: 'Numbers API' };

export const numbers = defineConnector({
  key: 'numbers',
  name: 'Numbers API',
  icon: 'hash',
  description: 'Interesting facts about numbers',
  credentials: null,
  actions: [
    defineAction({
      key: 'number_fact',
      name: 'Fact about a number',
      description: 'A fact about a number, a year, or a date (month/day)',
      input: z.object({
        number: z
          .string()
          .regex(/^(-?\d+|random|\d{1,2}\/\d{1,2})$/, 'A whole number, "random", or month/day for date facts')
          .describe('The number; "random"; or month/day (e.g. 2/29) for date facts'),
        type: z.enum(['trivia', 'math', 'date', 'year']).default('trivia').describe('Kind of fact'),
      }),
      output: z.object({
        text: z.string().describe('The fact as a sentence'),
        number: z.number(),
        found: z.boolean().describe('false when the API had no fact and answered a generic sentence'),
        type: z.string(),
      }),
      sample: { number: '42', type: 'trivia' },
      async execute(ctx) {
        const path = `/${ctx.input.number.split('/').map(encodeURIComponent).join('/')}/${ctx.input.type}`;
        const res = await callProvider(ctx, provider, { url: `${joinUrl(ctx.baseUrl('http://numbersapi.com'), path)}?json` });
        const f = jsonBody<{ text: string; number: number; found: boolean; type: string }>(res, provider);
        return { text: f.text, number: f.number, found: f.found, type: f.type };
      },
    }),
  ],
});
