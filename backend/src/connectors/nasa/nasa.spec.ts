import { describeConnector, failureOf } from '../testing.js';
import { nasa } from './index.js';

describeConnector(nasa, ({ mock, run }) => {
  describe('nasa.apod', () => {
    it('fetches the picture of a day', async () => {
      const out = await run('apod', { input: { date: '2023-12-24' } });
      expect(out).toMatchObject({ date: '2023-12-24', title: 'The Pinwheel Galaxy', mediaType: 'image', copyright: 'Mock Observatory' });
      expect(mock.requests[0]).toMatchObject({ path: '/nasa/planetary/apod', query: { api_key: 'DEMO_KEY', date: '2023-12-24' } });
    });

    it('explains an invalid key and an out-of-range date', async () => {
      const key = await failureOf(run('apod', { credentials: { apiKey: 'NOT_A_KEY' } }));
      expect(key.message).toBe('NASA rejected the API key (403 API_KEY_INVALID: An invalid api_key was supplied. Get one at https://api.nasa.gov:443)');
      expect(key.message).not.toContain('NOT_A_KEY');
      const date = await failureOf(run('apod', { input: { date: '1990-01-01' } }));
      expect(date.message).toMatch(/^NASA refused the request \(400 Date must be between Jun 16, 1995/);
    });
  });
});
