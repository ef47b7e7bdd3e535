import { startMockApis, type MockApis } from '../../../../scripts/mock-apis/server.js';
import { failureOf, runAction } from '../testing.js';
import { bored } from './index.js';

let mock: MockApis;
beforeAll(async () => {
  mock = await startMockApis();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('bored.random_activity', () => {
  it('filters by type and participants', async () => {
    const out = await runAction(bored, 'random_activity', { mockUrl: mock.url, input: { type: 'social', participants: 4 } });
    expect(out).toMatchObject({ activity: 'Go to a board game night with friends', type: 'social', participants: 4 });
    expect(mock.requests[0]).toMatchObject({ path: '/bored/api/activity', query: { type: 'social', participants: '4' } });
  });

  it("turns the API's 200-with-error answer into a step error", async () => {
    const err = await failureOf(runAction(bored, 'random_activity', { mockUrl: mock.url, input: { type: 'music', participants: 9 } }));
    expect(err.message).toBe('Bored API: No activity found with the specified parameters');
  });
});
