import { describeConnector, failureOf } from '../testing.js';
import { restcountries } from './index.js';

describeConnector(restcountries, ({ mock, run }) => {
  describe('restcountries.country_by_name', () => {
    it('finds countries by partial or exact name', async () => {
      const out = await run('country_by_name', { input: { name: 'germany' } });
      expect(out).toEqual({
        countries: [expect.objectContaining({ name: 'Germany', code: 'DE', capital: 'Berlin', currencies: ['EUR'], languages: ['German'] })],
      });
      expect(mock.requests[0].path).toBe('/restcountries/v3.1/name/germany');
      await run('country_by_name', { input: { name: 'Japan', exact: true } });
      expect(mock.requests[1].query).toEqual({ fullText: 'true' });
    });

    it('reports no match', async () => {
      const err = await failureOf(run('country_by_name', { input: { name: 'Narnia' } }));
      expect(err.message).toBe('REST Countries found no country by that name (404 Not Found)');
    });
  });
});
