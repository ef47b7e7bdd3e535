import type { HttpClient } from '../../common/http/http-client.js';
import { describeConnector, failureOf } from '../testing.js';
import { wordpress } from './index.js';

describeConnector(wordpress, ({ mock, run, testConnection, credentials }) => {
  const creds = () => credentials<{ siteUrl: string; username: string; applicationPassword: string }>();
  const check = (c: unknown = creds()) => testConnection(c);

  describe('wordpress', () => {
    it('creates a post with application-password basic auth (spaces removed)', async () => {
      const out = await run('create_post', { input: { title: 'Release 1.0', content: '<p>Out now</p>', status: 'publish' } });
      expect(out).toEqual({ id: 2, link: `${mock.url}/wordpress/release-1-0/`, status: 'publish', slug: 'release-1-0', title: 'Release 1.0' });
      const [req] = mock.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/wordpress/wp-json/wp/v2/posts', body: { title: 'Release 1.0', content: '<p>Out now</p>', status: 'publish' } });
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from('admin:abcdEFGH1234ijklMNOP6789').toString('base64')}`);
    });

    it('comments on a post', async () => {
      const out = await run('create_comment', { input: { post: 1, content: 'Nice!' } });
      expect(out).toMatchObject({ id: 1, post: 1, status: 'approved' });
      expect(mock.requests[0]).toMatchObject({ path: '/wordpress/wp-json/wp/v2/comments', body: { post: 1, content: 'Nice!' } });
    });

    it('explains a wrong application password without repeating it', async () => {
      const err = await failureOf(run('create_post', { credentials: { ...creds(), applicationPassword: 'zzzz yyyy xxxx' } }));
      expect(err.message).toBe('WordPress rejected the user name or application password (401 incorrect_password: The provided password is an invalid application password.)');
      expect(JSON.stringify(err)).not.toMatch(/zzzz/);
    });

    it('reports a comment on a missing post', async () => {
      const err = await failureOf(run('create_comment', { input: { post: 999, content: 'x' } }));
      expect(err.message).toBe('WordPress does not allow this (403 rest_comment_invalid_post_id: Sorry, you are not allowed to create this comment without a post.)');
    });
  });

  describe('wordpress test connection', () => {
    it('reads users/me with the application password', async () => {
      await expect(check()).resolves.toBe('Authenticated as admin (user #1)');
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/wordpress/wp-json/wp/v2/users/me', bodyText: '' });
      expect(mock.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('admin:abcdEFGH1234ijklMNOP6789').toString('base64')}`);
    });

    it('explains a wrong password or user, without the password', async () => {
      const err = await failureOf(check({ ...creds(), applicationPassword: 'zzzz yyyy xxxx' }));
      expect(err).toMatchObject({
        message: 'WordPress rejected the user name or application password (401 incorrect_password: The provided password is an invalid application password.)',
        status: 401,
      });
      expect(JSON.stringify(err)).not.toMatch(/zzzz/);
      await expect(check({ ...creds(), username: 'nobody' })).rejects.toThrow('WordPress rejected the user name or application password (401 invalid_username:');
    });

    it('says when WordPress saw no credentials at all (a host that drops the Authorization header)', async () => {
      const dropAuthorization = (http: HttpClient): HttpClient => ({ request: ({ headers: _h, ...req }) => http.request(req) });
      const err = await failureOf(testConnection(creds(), { via: dropAuthorization }));
      expect(err.message).toBe(
        'WordPress did not see the credentials (401 rest_not_logged_in): application passwords need HTTPS, and some hosts drop the Authorization header',
      );
      expect(mock.requests[0].headers.authorization).toBeUndefined();
    });
  });
});
