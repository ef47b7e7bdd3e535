import { describeConnector, failureOf } from '../testing.js';
import { thecatapi } from './index.js';

describeConnector(thecatapi, ({ mock, run }) => {
  describe('thecatapi.search_images', () => {
    it('searches by breed with the x-api-key header', async () => {
      const out = await run('search_images', { input: { limit: 2, breedIds: 'siam' } });
      expect(out).toEqual({ images: [expect.objectContaining({ id: 'mock1', breeds: ['Siamese'] }), expect.objectContaining({ id: 'mock2' })] });
      expect(mock.requests[0]).toMatchObject({ path: '/thecatapi/v1/images/search', query: { limit: '2', breed_ids: 'siam' } });
      expect(mock.requests[0].headers['x-api-key']).toBe('mock-thecatapi-key');
    });

    it('explains a rejected key', async () => {
      const err = await failureOf(run('search_images', { credentials: { apiKey: 'wrong-cat-key' } }));
      expect(err.message).toBe("The Cat API rejected the API key (401 AUTHENTICATION_ERROR - you need to send your API Key as the 'x-api-key' header)");
    });
  });
});
