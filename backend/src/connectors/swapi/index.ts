/** SWAPI, the Star Wars API: people, planets and starships by id. */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { defineAction, defineConnector } from '../sdk.js';

const provider: ProviderInfo = { name: 'SWAPI', messages: { 404: 'has no such record' } };
const RESOURCES = { person: 'people', planet: 'planets', starship: 'starships' } as const;

export const swapi = defineConnector({
  key: 'swapi',
  name: 'Star Wars API',
  icon: 'sparkles',
  description: 'People, planets and starships of the Star Wars films',
  credentials: null,
  actions: [
    defineAction({
      key: 'get_resource',
      name: 'Get person, planet or starship',
      description: 'One record by its numeric id',
      input: z.object({
        resource: z.enum(['person', 'planet', 'starship']).default('person').describe('What to fetch'),
        id: z.coerce.number().int().min(1).describe('Numeric id (Luke Skywalker is person 1)'),
      }),
      output: z
        .object({ name: z.string().describe('Name of the person, planet or starship'), url: z.string() })
        .catchall(z.unknown())
        .describe('The record as SWAPI returns it'),
      sample: { resource: 'person', id: 1 },
      async execute(ctx) {
        const path = `/api/${RESOURCES[ctx.input.resource]}/${ctx.input.id}/`;
        const res = await callProvider(ctx, provider, { url: joinUrl(ctx.baseUrl('https://swapi.dev'), path) });
        return jsonBody<{ name: string; url: string }>(res, provider);
      },
    }),
  ],
});
