import { describeConnector, failureOf } from '../testing.js';
import { bored } from './index.js';

describeConnector(bored, ({ mock, run }) => {
  describe('bored.random_activity', () => {
    it('filters by type and participants', async () => {
      const out = await run('random_activity', { input: { type: 'social', participants: 4 } });
      expect(out).toMatchObject({ activity: 'Go to a board game night with friends', type: 'social', participants: 4 });
      expect(mock.requests[0]).toMatchObject({ path: '/bored/api/activity', query: { type: 'social', participants: '4' } });
    });

    it("turns the API's 200-with-error answer into a step error", async () => {
      const err = await failureOf(run('random_activity', { input: { type: 'music', participants: 9 } }));
      expect(err.message).toBe('Bored API: No activity found with the specified parameters');
    });
  });
});
