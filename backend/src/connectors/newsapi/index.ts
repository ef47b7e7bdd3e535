/** News API: top headlines (key sent in the X-Api-Key header). */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { actionWith, ConnectorError, defineConnector } from '../sdk.js';

const credentials = z.object({ apiKey: z.string().min(1).describe('API key from newsapi.org') });
const action = actionWith(credentials);
const provider: ProviderInfo = { name: 'News API', messages: { 401: 'rejected the API key' } };

const article = z.object({
  source: z.string().describe('Publication name'),
  author: z.string().nullable(),
  title: z.string(),
  description: z.string().nullable(),
  url: z.string(),
  imageUrl: z.string().nullable(),
  publishedAt: z.string(),
});

interface NewsArticle {
  source: { name: string };
  author: string | null;
  title: string;
  description: string | null;
  url: string;
  urlToImage: string | null;
  publishedAt: string;
}

export const newsapi = defineConnector({
  key: 'newsapi',
  name: 'News API',
  icon: 'newspaper',
  description: 'Headlines from news sources worldwide',
  credentials,
  sampleCredentials: { apiKey: 'mock-newsapi-key' },
  /**
   * `GET /v2/top-headlines?country=us&pageSize=1`: one article, the cheapest keyed call (News API
   * needs a filter, hence the country). totalResults still counts all the headlines.
   */
  async test(ctx) {
    const res = await callProvider(ctx, provider, {
      url: joinUrl(ctx.baseUrl('https://newsapi.org'), '/v2/top-headlines'),
      headers: { 'x-api-key': ctx.credentials.apiKey },
      query: { country: 'us', pageSize: 1 },
    });
    const { totalResults } = jsonBody<{ totalResults?: number }>(res, provider);
    return `News API accepted the key${typeof totalResults === 'number' ? ` (${totalResults} US top headlines now)` : ''}`;
  },
  actions: [
    action({
      key: 'top_headlines',
      name: 'Top headlines',
      description: 'Breaking headlines by country, category, sources or keyword',
      input: z.object({
        country: z.string().length(2).optional().describe('2-letter country code, e.g. us, de'),
        category: z.enum(['business', 'entertainment', 'general', 'health', 'science', 'sports', 'technology']).optional().describe('News category'),
        sources: z.string().optional().describe('Comma-separated source ids (cannot be combined with country or category)'),
        q: z.string().optional().describe('Keywords to search for'),
        pageSize: z.coerce.number().int().min(1).max(100).default(20).describe('How many articles (1-100)'),
      }),
      output: z.object({ totalResults: z.number(), articles: z.array(article) }),
      sample: { country: 'us', category: 'technology', pageSize: 5 },
      async execute(ctx) {
        const { credentials: cred, input } = ctx;
        if (!input.country && !input.category && !input.sources && !input.q) {
          throw new ConnectorError('News API needs at least one of country, category, sources or q');
        }
        const res = await callProvider(ctx, provider, {
          url: joinUrl(ctx.baseUrl('https://newsapi.org'), '/v2/top-headlines'),
          headers: { 'x-api-key': cred.apiKey },
          query: { country: input.country, category: input.category, sources: input.sources, q: input.q, pageSize: input.pageSize },
        });
        const body = res.body as { totalResults: number; articles: NewsArticle[] };
        return {
          totalResults: body.totalResults,
          articles: body.articles.map((a) => ({
            source: a.source.name,
            author: a.author,
            title: a.title,
            description: a.description,
            url: a.url,
            imageUrl: a.urlToImage,
            publishedAt: a.publishedAt,
          })),
        };
      },
    }),
  ],
});
