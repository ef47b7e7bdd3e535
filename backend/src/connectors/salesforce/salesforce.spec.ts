import { startMockApis, type MockApis } from '../../../../scripts/mock-apis/server.js';
import { failureOf, rebaseOnMock, runAction } from '../testing.js';
import { salesforce } from './index.js';

let mock: MockApis;
beforeAll(async () => {
  mock = await startMockApis();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const creds = () => rebaseOnMock(salesforce.sampleCredentials, mock.url) as { instanceUrl: string; accessToken: string };

describe('salesforce', () => {
  it('creates a record with the bearer token, then finds it with SOQL', async () => {
    const created = (await runAction(salesforce, 'create_record', {
      mockUrl: mock.url,
      input: { sobject: 'Account', fields: { Name: 'Initech', Industry: 'Software' } },
    })) as { id: string };
    expect(created).toEqual({ id: expect.stringMatching(/^001\w{15}$/), success: true });
    expect(mock.requests[0]).toMatchObject({ method: 'POST', path: '/salesforce/services/data/v60.0/sobjects/Account', body: { Name: 'Initech', Industry: 'Software' } });
    expect(mock.requests[0].headers.authorization).toBe(`Bearer ${creds().accessToken}`);

    const found = await runAction(salesforce, 'query', { mockUrl: mock.url, input: { soql: "SELECT Id, Name FROM Account WHERE Name = 'Initech'" } });
    expect(found).toEqual({ totalSize: 1, done: true, records: [{ Id: created.id, Name: 'Initech' }] });
    expect(mock.requests[1]).toMatchObject({ method: 'GET', path: '/salesforce/services/data/v60.0/query', query: { q: "SELECT Id, Name FROM Account WHERE Name = 'Initech'" } });
  });

  it('explains an expired token without repeating it', async () => {
    const err = await failureOf(runAction(salesforce, 'query', { mockUrl: mock.url, credentials: { ...creds(), accessToken: 'expired-token-xyz' } }));
    expect(err).toMatchObject({ message: 'Salesforce rejected the access token (401 INVALID_SESSION_ID: Session expired or invalid)', retryable: false });
    expect(JSON.stringify(err)).not.toContain('expired-token-xyz');
  });

  it("passes Salesforce's field errors through", async () => {
    const err = await failureOf(runAction(salesforce, 'create_record', { mockUrl: mock.url, input: { sobject: 'Account', fields: { Nmae: 'typo' } } }));
    expect(err.message).toBe("Salesforce refused the request (400 INVALID_FIELD: No such column 'Nmae' on sobject of type Account)");
    const soql = await failureOf(runAction(salesforce, 'query', { mockUrl: mock.url, input: { soql: 'SELEKT Id FROM Account' } }));
    expect(soql.message).toMatch(/^Salesforce refused the request \(400 MALFORMED_QUERY: /);
  });

  it('retries a rate-limited query after Retry-After', async () => {
    const out = await runAction(salesforce, 'query', { mockUrl: mock.url, input: { soql: "SELECT Id FROM Account WHERE Name = 'mock-429'" } });
    expect(out).toMatchObject({ totalSize: 0 });
    expect(mock.requests).toHaveLength(2);
  });
});
