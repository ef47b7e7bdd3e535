/** Fake Store API: a demo shop's products. */
import { z } from 'zod';
import { callProvider, joinUrl, type ProviderInfo } from '../provider-call.js';
import { ConnectorError, defineAction, defineConnector } from '../sdk.js';

const provider: ProviderInfo = { name: 'Fake Store' };

const product = z.object({
  id: z.number(),
  title: z.string(),
  price: z.number(),
  description: z.string(),
  category: z.string(),
  image: z.string(),
  rating: z.object({ rate: z.number(), count: z.number() }).optional(),
});
type Product = z.output<typeof product>;

export const fakestore = defineConnector({
  key: 'fakestore',
  name: 'Fake Store',
  icon: 'shopping-bag',
  description: 'Products of a demo shop',
  credentials: null,
  actions: [
    defineAction({
      key: 'list_products',
      name: 'List products',
      description: 'All products, or those of a category',
      input: z.object({
        category: z.string().optional().describe("Only this category, e.g. electronics, jewelery, men's clothing"),
        limit: z.coerce.number().int().min(1).optional().describe('At most this many products'),
        sort: z.enum(['asc', 'desc']).optional().describe('Order by id'),
      }),
      output: z.object({ products: z.array(product) }),
      sample: { limit: 3 },
      async execute(ctx) {
        const { category, limit, sort } = ctx.input;
        const path = category ? `/products/category/${encodeURIComponent(category)}` : '/products';
        const res = await callProvider(ctx, provider, { url: joinUrl(ctx.baseUrl('https://fakestoreapi.com'), path), query: { limit, sort } });
        if (!Array.isArray(res.body)) throw new ConnectorError(`Fake Store answered ${res.status} without a product list`);
        return { products: res.body as Product[] };
      },
    }),
    defineAction({
      key: 'get_product',
      name: 'Get product',
      description: 'One product by id',
      input: z.object({ id: z.coerce.number().int().min(1).describe('Product id') }),
      output: product,
      sample: { id: 1 },
      async execute(ctx) {
        const res = await callProvider(ctx, provider, { url: joinUrl(ctx.baseUrl('https://fakestoreapi.com'), `/products/${ctx.input.id}`) });
        // Fake Store answers an unknown id with 200 and an empty body.
        if (!res.body || typeof res.body !== 'object') throw new ConnectorError(`Fake Store has no product ${ctx.input.id}`, { status: 404 });
        return res.body as Product;
      },
    }),
  ],
});
