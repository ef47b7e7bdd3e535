import { describeConnector, failureOf } from '../testing.js';
import { fakestore } from './index.js';

describeConnector(fakestore, ({ mock, run }) => {
  describe('fakestore', () => {
    it('lists products with a limit, and by category', async () => {
      const out = (await run('list_products', { input: { limit: 2 } })) as { products: unknown[] };
      expect(out.products).toHaveLength(2);
      expect(mock.requests[0]).toMatchObject({ path: '/fakestore/products', query: { limit: '2' } });
      const electronics = await run('list_products', { input: { category: 'electronics' } });
      expect(electronics).toEqual({ products: [expect.objectContaining({ id: 4, category: 'electronics' })] });
    });

    it('gets one product, and reports the empty answer for an unknown id as not found', async () => {
      await expect(run('get_product', { input: { id: 3 } })).resolves.toMatchObject({ id: 3, price: 695 });
      const err = await failureOf(run('get_product', { input: { id: 99 } }));
      expect(err).toMatchObject({ message: 'Fake Store has no product 99', status: 404 });
    });

    it('recovers from one 503 by retrying', async () => {
      await expect(run('list_products', { input: { category: 'mock-503-once' } })).resolves.toEqual({ products: [] });
      expect(mock.requests).toHaveLength(2);
    });
  });
});
