import { describeConnector, failureOf } from '../testing.js';
import { nasa } from './index.js';

describeConnector(nasa, ({ mock, run, testConnection }) => {
  const check = (apiKey = 'DEMO_KEY') => testConnection({ apiKey });
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

  describe('nasa test connection', () => {
    it("reads a fixed day's picture and tells the key's hourly allowance left", async () => {
      await run('apod');
      await expect(check()).resolves.toBe('NASA accepted the API key (28 of 30 requests left this hour)');
      expect(mock.requests.at(-1)).toMatchObject({ method: 'GET', path: '/nasa/planetary/apod', query: { api_key: 'DEMO_KEY', date: '1995-06-16' } });
    });

    it('explains an invalid key without repeating it', async () => {
      const err = await failureOf(check('NOT_A_KEY'));
      expect(err).toMatchObject({ message: 'NASA rejected the API key (403 API_KEY_INVALID: An invalid api_key was supplied. Get one at https://api.nasa.gov:443)', status: 403 });
      expect(err.message).not.toContain('NOT_A_KEY');
    });
  });
});
