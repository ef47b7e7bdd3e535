/** NASA Open APIs: Astronomy Picture of the Day. */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { actionWith, defineConnector } from '../sdk.js';

const credentials = z.object({ apiKey: z.string().min(1).describe('api.nasa.gov key (DEMO_KEY works with low rate limits)') });
const action = actionWith(credentials);
const provider: ProviderInfo = { name: 'NASA', messages: { 403: 'rejected the API key', 400: 'refused the request' } };

const apod = z.object({
  date: z.string().describe('YYYY-MM-DD'),
  title: z.string(),
  explanation: z.string(),
  mediaType: z.string().describe('image or video'),
  url: z.string(),
  hdUrl: z.string().nullable(),
  copyright: z.string().nullable(),
});

export const nasa = defineConnector({
  key: 'nasa',
  name: 'NASA APOD',
  icon: 'telescope',
  description: 'Astronomy Picture of the Day',
  credentials,
  sampleCredentials: { apiKey: 'DEMO_KEY' },
  /**
   * The picture of a fixed day, the cheapest keyed call: today's may not be published yet around
   * midnight (US Eastern), which would fail a good key. api.data.gov reports the key's hourly
   * allowance in X-RateLimit-* headers on every answer; the line says how much is left.
   */
  async test(ctx) {
    const { apiKey } = ctx.credentials;
    const res = await callProvider(ctx, provider, {
      url: joinUrl(ctx.baseUrl('https://api.nasa.gov'), '/planetary/apod'),
      query: { api_key: apiKey, date: '1995-06-16' },
      secrets: [apiKey],
    });
    jsonBody(res, provider);
    const header = (name: string) => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const limit = header('x-ratelimit-limit');
    const remaining = header('x-ratelimit-remaining');
    return `NASA accepted the API key${limit && remaining ? ` (${remaining} of ${limit} requests left this hour)` : ''}`;
  },
  actions: [
    action({
      key: 'apod',
      name: 'Picture of the day',
      description: "The picture of a given day (today's when no date is given)",
      input: z.object({
        date: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD')
          .optional()
          .describe('Day of the picture, YYYY-MM-DD, from 1995-06-16; default today'),
      }),
      output: apod,
      sample: { date: '2024-05-01' },
      async execute(ctx) {
        const { credentials: cred, input } = ctx;
        const res = await callProvider(ctx, provider, {
          url: joinUrl(ctx.baseUrl('https://api.nasa.gov'), '/planetary/apod'),
          query: { api_key: cred.apiKey, date: input.date },
          secrets: [cred.apiKey],
        });
        const a = res.body as { date: string; title: string; explanation: string; media_type: string; url: string; hdurl?: string; copyright?: string };
        return {
          date: a.date,
          title: a.title,
          explanation: a.explanation,
          mediaType: a.media_type,
          url: a.url,
          hdUrl: a.hdurl ?? null,
          copyright: a.copyright?.trim() ?? null,
        };
      },
    }),
  ],
});
