import { describeConnector, failureOf } from '../testing.js';
import { salesforce } from './index.js';

describeConnector(salesforce, ({ mock, run, testConnection, credentials }) => {
  const creds = () => credentials<{ instanceUrl: string; accessToken: string }>();
  const check = (c: unknown = creds()) => testConnection(c);

  describe('salesforce', () => {
    it('creates a record with the bearer token, then finds it with SOQL', async () => {
      const created = (await run('create_record', {
        input: { sobject: 'Account', fields: { Name: 'Initech', Industry: 'Software' } },
      })) as { id: string };
      expect(created).toEqual({ id: expect.stringMatching(/^001\w{15}$/), success: true });
      expect(mock.requests[0]).toMatchObject({ method: 'POST', path: '/salesforce/services/data/v60.0/sobjects/Account', body: { Name: 'Initech', Industry: 'Software' } });
      expect(mock.requests[0].headers.authorization).toBe(`Bearer ${creds().accessToken}`);

      const found = await run('query', { input: { soql: "SELECT Id, Name FROM Account WHERE Name = 'Initech'" } });
      expect(found).toEqual({ totalSize: 1, done: true, records: [{ Id: created.id, Name: 'Initech' }] });
      expect(mock.requests[1]).toMatchObject({ method: 'GET', path: '/salesforce/services/data/v60.0/query', query: { q: "SELECT Id, Name FROM Account WHERE Name = 'Initech'" } });
    });

    it('explains an expired token without repeating it', async () => {
      const err = await failureOf(run('query', { credentials: { ...creds(), accessToken: 'expired-token-xyz' } }));
      expect(err).toMatchObject({ message: 'Salesforce rejected the access token (401 INVALID_SESSION_ID: Session expired or invalid)', retryable: false });
      expect(JSON.stringify(err)).not.toContain('expired-token-xyz');
    });

    it("passes Salesforce's field errors through", async () => {
      const err = await failureOf(run('create_record', { input: { sobject: 'Account', fields: { Nmae: 'typo' } } }));
      expect(err.message).toBe("Salesforce refused the request (400 INVALID_FIELD: No such column 'Nmae' on sobject of type Account)");
      const soql = await failureOf(run('query', { input: { soql: 'SELEKT Id FROM Account' } }));
      expect(soql.message).toMatch(/^Salesforce refused the request \(400 MALFORMED_QUERY: /);
    });

    it('retries a rate-limited query after Retry-After', async () => {
      const out = await run('query', { input: { soql: "SELECT Id FROM Account WHERE Name = 'mock-429'" } });
      expect(out).toMatchObject({ totalSize: 0 });
      expect(mock.requests).toHaveLength(2);
    });
  });

  describe('salesforce test connection', () => {
    it("reads the org's limits with the bearer token and tells the daily API allowance left", async () => {
      await run('query');
      await expect(check()).resolves.toBe('Salesforce accepted the access token (14,998 of 15,000 daily API requests left)');
      const probe = mock.requests.at(-1)!;
      expect(probe).toMatchObject({ method: 'GET', path: '/salesforce/services/data/v60.0/limits', bodyText: '' });
      expect(probe.headers.authorization).toBe(`Bearer ${creds().accessToken}`);
    });

    it('explains an expired token as the actions do, flagged for a refresh', async () => {
      const err = await failureOf(check({ ...creds(), accessToken: 'expired-token-xyz' }));
      expect(err).toMatchObject({ message: 'Salesforce rejected the access token (401 INVALID_SESSION_ID: Session expired or invalid)', status: 401, authExpired: true });
      expect(JSON.stringify(err)).not.toContain('expired-token-xyz');
    });
  });
});
