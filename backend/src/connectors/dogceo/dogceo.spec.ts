import { describeConnector, failureOf } from '../testing.js';
import { dogceo } from './index.js';

describeConnector(dogceo, ({ mock, run }) => {
  describe('dogceo.random_image', () => {
    it('gets a random image of any breed or of one breed', async () => {
      await expect(run('random_image', { input: {} })).resolves.toEqual({ imageUrl: expect.stringMatching(/^https:\/\/images\.dog\.ceo\//) });
      await expect(run('random_image', { input: { breed: 'pug' } })).resolves.toEqual({ imageUrl: expect.stringContaining('/pug/') });
      expect(mock.requests.map((r) => r.path)).toEqual(['/dogceo/api/breeds/image/random', '/dogceo/api/breed/pug/images/random']);
    });

    it('reports an unknown breed', async () => {
      const err = await failureOf(run('random_image', { input: { breed: 'dragon' } }));
      expect(err.message).toBe('Dog CEO does not know that breed (404 Breed not found (main breed does not exist))');
    });
  });
});
