import { describeConnector } from '../testing.js';
import { numbers } from './index.js';

describeConnector(numbers, ({ mock, run }) => {
  describe('numbers.number_fact', () => {
    it('asks /{n}/{type}?json', async () => {
      const out = await run('number_fact', { input: { number: '42', type: 'math' } });
      expect(out).toEqual({ text: '42 is a pronic number.', number: 42, found: true, type: 'math' });
      expect(mock.requests[0].url).toBe('/numbers/42/math?json');
    });

    it('supports date facts as month/day', async () => {
      await expect(run('number_fact', { input: { number: '2/29', type: 'date' } })).resolves.toMatchObject({ found: true, type: 'date' });
      expect(mock.requests[0].url).toBe('/numbers/2/29/date?json');
    });

    it('refuses non-numbers before calling the API', async () => {
      await expect(run('number_fact', { input: { number: 'abc' } })).rejects.toThrow('A whole number');
      expect(mock.requests).toHaveLength(0);
    });
  });
});
