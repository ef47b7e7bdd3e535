import { startMockApis, type MockApis } from '../../../../scripts/mock-apis/server.js';
import { failureOf, runAction } from '../testing.js';
import { thecatapi } from './index.js';

let mock: MockApis;
beforeAll(async () => {
  mock = await startMockApis();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('thecatapi.search_images', () => {
  it('searches by breed with the x-api-key header', async () => {
    const out = await runAction(thecatapi, 'search_images', { mockUrl: mock.url, input: { limit: 2, breedIds: 'siam' } });
    expect(out).toEqual({ images: [expect.objectContaining({ id: 'mock1', breeds: ['Siamese'] }), expect.objectContaining({ id: 'mock2' })] });
    expect(mock.requests[0]).toMatchObject({ path: '/thecatapi/v1/images/search', query: { limit: '2', breed_ids: 'siam' } });
    expect(mock.requests[0].headers['x-api-key']).toBe('mock-thecatapi-key');
  });

  it('explains a rejected key', async () => {
    const err = await failureOf(runAction(thecatapi, 'search_images', { mockUrl: mock.url, credentials: { apiKey: 'wrong-cat-key' } }));
    expect(err.message).toBe("The Cat API rejected the API key (401 AUTHENTICATION_ERROR - you need to send your API Key as the 'x-api-key' header)");
  });
});
