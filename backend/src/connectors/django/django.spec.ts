import { ConnectorError } from '../sdk.js';
import { describeConnector, failureOf } from '../testing.js';
import { django } from './index.js';

describeConnector(django, ({ mock, run, testConnection, credentials }) => {
  type Creds = { baseUrl: string; token?: string; username?: string; password?: string };
  const creds = () => credentials<Creds>();
  const check = (c: unknown = creds()) => testConnection(c);
  const sessionOnly = (): Creds => {
    const { token: _t, ...rest } = creds();
    return rest;
  };

  describe('django REST (token)', () => {
    it('creates and lists objects with Authorization: Token', async () => {
      const created = await run('create_object', { input: { path: '/api/articles/', data: { title: 'Hello', body: 'World' } } });
      expect(created).toMatchObject({ id: 2, title: 'Hello', author: 'demo' });
      expect(mock.requests[0].headers.authorization).toBe(`Token ${creds().token}`);

      const list = await run('list_objects', { input: { path: '/api/articles/' } });
      expect(list).toMatchObject({ count: 2, next: null, results: [{ title: 'Welcome' }, { title: 'Hello' }] });
    });

    it('explains an invalid token and validation errors', async () => {
      const bad = await failureOf(run('list_objects', { credentials: { ...creds(), token: 'f'.repeat(40) } }));
      expect(bad).toMatchObject({ message: 'Django rejected the credentials (401 Invalid token.)', retryable: false });
      expect(bad.message).not.toContain('ffff');
      const invalid = await failureOf(run('create_object', { input: { path: '/api/articles/', data: { body: 'no title' } } }));
      expect(invalid.message).toBe('Django refused the request (400 title: This field is required.)');
    });
  });

  describe('django session login + CSRF', () => {
    it('logs in like a browser and submits the form with the CSRF token', async () => {
      const out = await run('submit_form', { input: { path: '/forms/contact/', fields: { name: 'Ada', message: 'Hi' } } });
      expect(out).toEqual({ status: 302, redirectedTo: '/django/forms/contact/thanks/' });

      const [loginPage, login, submit] = mock.requests;
      expect(loginPage).toMatchObject({ method: 'GET', path: '/django/accounts/login/' });
      expect(login).toMatchObject({ method: 'POST', path: '/django/accounts/login/', body: { username: 'demo', password: 'demo-password' } });
      const firstCsrf = /csrftoken=(\w+)/.exec(login.headers.cookie)?.[1];
      expect(firstCsrf).toHaveLength(32);
      expect(login.headers['x-csrftoken']).toBe(firstCsrf);
      expect((login.body as Record<string, string>).csrfmiddlewaretoken).toHaveLength(64);
      expect(login.headers.referer).toBe(`${mock.url}/django/accounts/login/`);

      // Django rotates the CSRF token at login: the form must carry the new one with the session.
      expect(submit).toMatchObject({ method: 'POST', path: '/django/forms/contact/', body: { name: 'Ada', message: 'Hi' } });
      const newCsrf = /csrftoken=(\w+)/.exec(submit.headers.cookie)?.[1];
      expect(newCsrf).not.toBe(firstCsrf);
      expect(submit.headers.cookie).toMatch(/sessionid=\w+/);
      expect(submit.headers['x-csrftoken']).toBe(newCsrf);
      expect((submit.body as Record<string, string>).csrfmiddlewaretoken).toBe(newCsrf);
    });

    it('uses the session (with CSRF) for API writes when there is no token', async () => {
      const out = await run('create_object', { credentials: sessionOnly(), input: { path: '/api/articles/', data: { title: 'Via session' } } });
      expect(out).toMatchObject({ title: 'Via session', author: 'demo' });
      expect(mock.requests.at(-1)!.headers.authorization).toBeUndefined();
    });

    it('reports wrong credentials on the login form', async () => {
      const err = await failureOf(run('submit_form', { credentials: { ...creds(), password: 'not-it-1234' } }));
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err.message).toBe('Django rejected the username or password (login form returned without a session)');
      expect(mock.requests).toHaveLength(2);
    });

    it('explains that a session is needed for forms', async () => {
      const { username: _u, password: _p, ...tokenOnly } = creds();
      await expect(run('submit_form', { credentials: tokenOnly })).rejects.toThrow('needs a username and password');
    });
  });

  describe('the Django mock enforces CSRF like Django', () => {
    it('answers 403 "CSRF verification failed" without the cookie, and the connector says why', async () => {
      const res = await fetch(`${mock.url}/django/forms/contact/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('CSRF verification failed. Request aborted.');
      const wrongLoginPath = await failureOf(
        run('submit_form', { credentials: { ...creds(), loginPath: '/forms/contact/thanks/' } }),
      );
      expect(wrongLoginPath.message).toMatch(/set no csrftoken cookie/);
    });
  });

  describe('django test connection', () => {
    it('reads the API root with the token alone', async () => {
      const { username: _u, password: _p, ...tokenOnly } = creds();
      await expect(check(tokenOnly)).resolves.toBe('Django accepted the token (the API lists articles)');
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/django/api/', bodyText: '' });
      expect(mock.requests[0].headers.authorization).toBe(`Token ${creds().token}`);
    });

    it('also logs in when the credential has a username and password, and only logs in without a token', async () => {
      await expect(check()).resolves.toBe('Django accepted the token (the API lists articles) and logged in demo');
      expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /django/api/', 'GET /django/accounts/login/', 'POST /django/accounts/login/']);
      mock.reset();
      const { token: _t, ...sessionOnly } = creds();
      await expect(check(sessionOnly)).resolves.toBe('Django logged in demo');
    });

    it('explains a wrong token, a wrong password, a missing API root and an empty credential', async () => {
      const token = await failureOf(check({ ...creds(), token: 'f'.repeat(40) }));
      expect(token).toMatchObject({ message: 'Django rejected the credentials (401 Invalid token.)', status: 401 });
      expect(token.message).not.toContain('ffff');
      await expect(check({ ...creds(), password: 'not-it-1234' })).rejects.toThrow('Django rejected the username or password');
      await expect(check({ ...creds(), apiRoot: '/v2/' })).rejects.toThrow("Django has no API root at /v2/ (404): set the credential's API root path");
      await expect(check({ baseUrl: creds().baseUrl })).rejects.toThrow('neither a token nor a username and password');
    });
  });
});
