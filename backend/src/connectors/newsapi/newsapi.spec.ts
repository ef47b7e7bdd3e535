import { describeConnector, failureOf } from '../testing.js';
import { newsapi } from './index.js';

describeConnector(newsapi, ({ mock, run }) => {
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
});
