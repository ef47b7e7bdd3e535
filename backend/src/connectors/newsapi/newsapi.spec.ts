import { describeConnector, failureOf } from '../testing.js';
import { newsapi } from './index.js';

describeConnector(newsapi, ({ mock, run, testConnection }) => {
  const check = (apiKey = 'mock-newsapi-key') => testConnection({ apiKey });
  describe('newsapi.top_headlines', () => {
    it('sends the key in X-Api-Key, never in the URL', async () => {
      const out = (await run('top_headlines', { input: { country: 'us', q: 'battery' } })) as { articles: { title: string }[] };
      expect(out).toMatchObject({ totalResults: 1, articles: [{ title: 'New battery chemistry doubles range', source: 'Mock News' }] });
      expect(mock.requests[0].headers['x-api-key']).toBe('mock-newsapi-key');
      expect(mock.requests[0].url).not.toContain('mock-newsapi-key');
      expect(mock.requests[0].query).toEqual({ country: 'us', q: 'battery', pageSize: '20' });
    });

    it('explains an invalid key, and needs a filter', async () => {
      const err = await failureOf(run('top_headlines', { credentials: { apiKey: 'nope-nope' } }));
      expect(err.message).toMatch(/^News API rejected the API key \(401 apiKeyInvalid: Your API key is invalid/);
      await expect(run('top_headlines', { input: {} })).rejects.toThrow('needs at least one of');
    });

    it('is retryable when rate limited past the retries', async () => {
      const err = await failureOf(run('top_headlines', { input: { q: 'mock-429-always' }, http: { retries: 0 } }));
      expect(err).toMatchObject({ retryable: true, status: 429 });
      expect(err.message).toContain('rateLimited');
    });
  });

  describe('newsapi test connection', () => {
    it('asks for one US headline with the key in X-Api-Key and counts them all', async () => {
      await expect(check()).resolves.toBe('News API accepted the key (4 US top headlines now)');
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/newsapi/v2/top-headlines', query: { country: 'us', pageSize: '1' } });
      expect(mock.requests[0].headers['x-api-key']).toBe('mock-newsapi-key');
    });

    it('explains an invalid key', async () => {
      const err = await failureOf(check('nope-nope'));
      expect(err).toMatchObject({ status: 401 });
      expect(err.message).toMatch(/^News API rejected the API key \(401 apiKeyInvalid: Your API key is invalid/);
    });
  });
});
