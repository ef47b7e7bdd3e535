/** The Cat API: search cat images (key sent in the x-api-key header). */
import { z } from 'zod';
import { callProvider, joinUrl, type ProviderInfo } from '../provider-call.js';
import { actionWith, defineConnector } from '../sdk.js';

const credentials = z.object({ apiKey: z.string().min(1).describe('API key from thecatapi.com') });
const action = actionWith(credentials);
const provider: ProviderInfo = { name: 'The Cat API', messages: { 401: 'rejected the API key' } };

interface CatImage {
  id: string;
  url: string;
  width: number;
  height: number;
  breeds?: { id: string; name: string }[];
}

export const thecatapi = defineConnector({
  key: 'thecatapi',
  name: 'The Cat API',
  icon: 'cat',
  description: 'Cat pictures, optionally of a breed',
  credentials,
  sampleCredentials: { apiKey: 'mock-thecatapi-key' },
  actions: [
    action({
      key: 'search_images',
      name: 'Search images',
      description: 'Random cat images, optionally filtered by breed',
      input: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(1).describe('How many images (1-100)'),
        breedIds: z.string().optional().describe('Comma-separated breed ids, e.g. beng,siam'),
        mimeTypes: z.string().optional().describe('Comma-separated: jpg, png, gif'),
      }),
      output: z.object({
        images: z.array(
          z.object({ id: z.string(), url: z.string(), width: z.number(), height: z.number(), breeds: z.array(z.string()).describe('Breed names') }),
        ),
      }),
      sample: { limit: 2, breedIds: 'beng' },
      async execute(ctx) {
        const { credentials: cred, input } = ctx;
        const res = await callProvider(ctx, provider, {
          url: joinUrl(ctx.baseUrl('https://api.thecatapi.com'), '/v1/images/search'),
          headers: { 'x-api-key': cred.apiKey },
          query: { limit: input.limit, breed_ids: input.breedIds, mime_types: input.mimeTypes },
        });
        const images = res.body as CatImage[];
        return { images: images.map((i) => ({ id: i.id, url: i.url, width: i.width, height: i.height, breeds: (i.breeds ?? []).map((b) => b.name) })) };
      },
    }),
  ],
});
