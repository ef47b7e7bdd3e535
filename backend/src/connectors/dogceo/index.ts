/** Dog CEO's Dog API: random dog pictures, optionally of a breed. */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { defineAction, defineConnector } from '../sdk.js';

const provider: ProviderInfo = { name: 'Dog CEO', messages: { 404: 'does not know that breed' } };

export const dogceo = defineConnector({
  key: 'dogceo',
  name: 'Dog CEO',
  icon: 'dog',
  description: 'Random dog pictures',
  credentials: null,
  actions: [
    defineAction({
      key: 'random_image',
      name: 'Random dog image',
      description: 'A random dog picture, of any breed or of the one given',
      input: z.object({
        breed: z
          .string()
          .regex(/^[a-z]+(\/[a-z]+)?$/, 'A lower-case breed, optionally /sub-breed (hound/afghan)')
          .optional()
          .describe('Breed, e.g. husky, or breed/sub-breed (hound/afghan); empty for any'),
      }),
      output: z.object({ imageUrl: z.string().describe('URL of the picture') }),
      sample: { breed: 'husky' },
      async execute(ctx) {
        const path = ctx.input.breed ? `/api/breed/${ctx.input.breed}/images/random` : '/api/breeds/image/random';
        const res = await callProvider(ctx, provider, { url: joinUrl(ctx.baseUrl('https://dog.ceo'), path) });
        return { imageUrl: jsonBody<{ message: string }>(res, provider).message };
      },
    }),
  ],
});
