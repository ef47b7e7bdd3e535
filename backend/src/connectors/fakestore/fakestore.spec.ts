import { startMockApis, type MockApis } from '../../../../scripts/mock-apis/server.js';
import { failureOf, runAction } from '../testing.js';
import { fakestore } from './index.js';

let mock: MockApis;
beforeAll(async () => {
  mock = await startMockApis();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('fakestore', () => {
  it('lists products with a limit, and by category', async () => {
    const out = (await runAction(fakestore, 'list_products', { mockUrl: mock.url, input: { limit: 2 } })) as { products: unknown[] };
    expect(out.products).toHaveLength(2);
    expect(mock.requests[0]).toMatchObject({ path: '/fakestore/products', query: { limit: '2' } });
    const electronics = await runAction(fakestore, 'list_products', { mockUrl: mock.url, input: { category: 'electronics' } });
    expect(electronics).toEqual({ products: [expect.objectContaining({ id: 4, category: 'electronics' })] });
  });

  it('gets one product, and reports the empty answer for an unknown id as not found', async () => {
    await expect(runAction(fakestore, 'get_product', { mockUrl: mock.url, input: { id: 3 } })).resolves.toMatchObject({ id: 3, price: 695 });
    const err = await failureOf(runAction(fakestore, 'get_product', { mockUrl: mock.url, input: { id: 99 } }));
    expect(err).toMatchObject({ message: 'Fake Store has no product 99', status: 404 });
  });

  it('recovers from one 503 by retrying', async () => {
    await expect(runAction(fakestore, 'list_products', { mockUrl: mock.url, input: { category: 'mock-503-once' } })).resolves.toEqual({ products: [] });
    expect(mock.requests).toHaveLength(2);
  });
});
