import { describeConnector, failureOf } from '../testing.js';
import { beego } from './index.js';

describeConnector(beego, ({ mock, run, testConnection, credentials }) => {
  const creds = () => credentials<Record<string, string>>();
  const check = (c: unknown = creds()) => testConnection(c);
  describe('beego', () => {
    it('creates, gets and lists records of a bee-generated resource', async () => {
      const created = (await run('create', { input: { resource: 'object', data: { Score: 7, PlayerName: 'ada' } } })) as { id: string };
      expect(created.id).toMatch(/^astaxie\d+$/);
      expect(mock.requests[0]).toMatchObject({ method: 'POST', path: '/beego/v1/object', body: { Score: 7, PlayerName: 'ada' } });
      expect(mock.requests[0].headers.authorization).toBe('Bearer mock-beego-token');

      const got = await run('get', { input: { resource: 'object', id: created.id } });
      expect(got).toEqual({ item: { ObjectId: created.id, Score: 7, PlayerName: 'ada' } });

      const list = (await run('list', { input: { resource: 'object' } })) as { count: number; items: unknown[] };
      expect(list.count).toBe(3);
      expect(list.items).toContainEqual({ ObjectId: 'hjkhsbnmn123', Score: 100, PlayerName: 'astaxie' });
    });

    it('creates users with the uid answer', async () => {
      await expect(run('create', { input: { resource: 'user', data: { Username: 'ada' } } })).resolves.toMatchObject({
        id: expect.stringMatching(/^user_/),
      });
    });

    it('reports a missing record and a wrong token', async () => {
      const missing = await failureOf(run('get', { input: { resource: 'object', id: 'nope' } }));
      expect(missing.message).toBe('The Beego service has no such resource or record (404 ObjectId Not Exist)');
      const creds = credentials<Record<string, string>>();
      const denied = await failureOf(run('list', { credentials: { ...creds, token: 'bad-token-1' } }));
      expect(denied.message).toBe('The Beego service rejected the token (401 unauthorized)');
    });
  });

  describe('beego test connection', () => {
    it('lists the test resource with the token', async () => {
      await expect(check()).resolves.toBe('The Beego service listed 2 records at /v1/object with the token');
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/beego/v1/object', bodyText: '' });
      expect(mock.requests[0].headers.authorization).toBe('Bearer mock-beego-token');
      const { token: _t, ...noToken } = creds();
      await expect(check({ ...noToken, testResource: 'user' })).resolves.toBe('The Beego service listed 1 record at /v1/user (no token set)');
    });

    it('explains a wrong token and a missing test resource', async () => {
      const err = await failureOf(check({ ...creds(), token: 'bad-token-1' }));
      expect(err).toMatchObject({ message: 'The Beego service rejected the token (401 unauthorized)', status: 401 });
      expect(err.message).not.toContain('bad-token-1');
      await expect(check({ ...creds(), testResource: 'orders' })).rejects.toThrow(
        "The Beego service has no /v1/orders (404): set the credential's test resource to one it serves",
      );
    });
  });
});
