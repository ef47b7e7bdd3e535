import { startMockApis, type MockApis } from '../../../../scripts/mock-apis/server.js';
import { failureOf, runAction } from '../testing.js';
import { dogceo } from './index.js';

let mock: MockApis;
beforeAll(async () => {
  mock = await startMockApis();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('dogceo.random_image', () => {
  it('gets a random image of any breed or of one breed', async () => {
    await expect(runAction(dogceo, 'random_image', { mockUrl: mock.url, input: {} })).resolves.toEqual({ imageUrl: expect.stringMatching(/^https:\/\/images\.dog\.ceo\//) });
    await expect(runAction(dogceo, 'random_image', { mockUrl: mock.url, input: { breed: 'pug' } })).resolves.toEqual({ imageUrl: expect.stringContaining('/pug/') });
    expect(mock.requests.map((r) => r.path)).toEqual(['/dogceo/api/breeds/image/random', '/dogceo/api/breed/pug/images/random']);
  });

  it('reports an unknown breed', async () => {
    const err = await failureOf(runAction(dogceo, 'random_image', { mockUrl: mock.url, input: { breed: 'dragon' } }));
    expect(err.message).toBe('Dog CEO does not know that breed (404 Breed not found (main breed does not exist))');
  });
});
