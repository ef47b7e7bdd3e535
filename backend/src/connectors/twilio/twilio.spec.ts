import { describeConnector, failureOf } from '../testing.js';
import { twilio } from './index.js';

describeConnector(twilio, ({ mock, run, testConnection }) => {
  const sample = twilio.sampleCredentials as { accountSid: string; authToken: string; from: string };
  const check = (c: unknown = sample) => testConnection(c);
  /** The provider's 429s for its rate limit, as the mock marks them in its records. */
  const rateLimited = () => mock.requests.filter((r) => r.headers['x-mock-rate-limited']);

  describe('twilio.send_sms', () => {
    it('posts a form-encoded message with basic auth and returns the queued SID', async () => {
      const out = await run('send_sms', { input: { to: '+14155550123', body: 'Your code is 1234' } });
      expect(out).toMatchObject({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued', to: '+14155550123', from: '+15005550006', segments: 1 });
      const [req] = mock.requests;
      expect(req).toMatchObject({
        method: 'POST',
        path: `/twilio/2010-04-01/Accounts/${sample.accountSid}/Messages.json`,
        body: { To: '+14155550123', From: '+15005550006', Body: 'Your code is 1234' },
      });
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${sample.accountSid}:${sample.authToken}`).toString('base64')}`);
    });

    it('says the credentials are wrong, without the auth token', async () => {
      const err = await failureOf(run('send_sms', { credentials: { ...sample, authToken: 'wrong-token-123' } }));
      expect(err).toMatchObject({ message: 'Twilio rejected the account SID or auth token (401 20003 Authenticate)', retryable: false, status: 401 });
      expect(JSON.stringify(err)).not.toContain('wrong-token-123');
    });

    it("passes Twilio's reason for an invalid number through", async () => {
      const err = await failureOf(run('send_sms', { input: { to: '+15005550001', body: 'x' } }));
      expect(err.message).toBe("Twilio refused the message (400 21211 The 'To' number +15005550001 is not a valid phone number.)");
    });

    it('gives up with a retryable error on repeated server errors', async () => {
      const err = await failureOf(run('send_sms', { input: { to: '+14155550123', body: 'mock-500' }, http: { retries: 1 } }));
      expect(err).toMatchObject({ retryable: true, status: 500 });
      expect(mock.requests).toHaveLength(2);
    });

    it('times out on a slow provider with a retryable error', async () => {
      const err = await failureOf(
        run('send_sms', { input: { to: '+14155550123', body: 'mock-slow-1500' }, http: { timeoutMs: 300 } }),
      );
      expect(err.message).toMatch(/^Twilio did not answer in time: POST .* timed out after 300 ms$/);
      expect(err.retryable).toBe(true);
    });
  });

  describe('twilio test connection', () => {
    it('reads the account with basic auth and names it', async () => {
      await expect(check()).resolves.toBe('Authenticated as "Tributary Mock" (Full account, active)');
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'GET', path: `/twilio/2010-04-01/Accounts/${sample.accountSid}.json`, bodyText: '' });
      expect(mock.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`${sample.accountSid}:${sample.authToken}`).toString('base64')}`);
    });

    it('says the SID or token is wrong, without the token', async () => {
      const err = await failureOf(check({ ...sample, authToken: 'wrong-token-456' }));
      expect(err).toMatchObject({ message: 'Twilio rejected the account SID or auth token (401 20003 Authenticate)', status: 401, authExpired: true });
      expect(JSON.stringify(err)).not.toContain('wrong-token-456');
      await expect(check({ ...sample, accountSid: `AC${'f'.repeat(32)}` })).rejects.toThrow('Twilio rejected the account SID or auth token (401 20003 Authenticate)');
    });
  });

  describe('twilio rate limit', () => {
    it("declares a long code's one message per second", () => {
      expect(twilio.rateLimit?.(twilio.credentials!.parse(sample), (d) => d)).toEqual({ requests: 1, perMs: 1000 });
    });

    it('answers a second message from the same sender within the second with 429 20429 and Retry-After when opted in', async () => {
      await run('send_sms', { input: { to: '+14155550123', body: 'first mock-rate-limit' } });
      const err = await failureOf(run('send_sms', { input: { to: '+14155550124', body: 'second mock-rate-limit' }, http: { retries: 0 } }));
      expect(err).toMatchObject({ message: 'Twilio is rate limiting requests; try again later (429 20429 Too Many Requests)', retryable: true, status: 429, retryAfterMs: 1000 });

      const auth = `Basic ${Buffer.from(`${sample.accountSid}:${sample.authToken}`).toString('base64')}`;
      const res = await fetch(`${mock.url}/twilio/2010-04-01/Accounts/${sample.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', 'x-mock-fail': 'mock-rate-limit' },
        body: new URLSearchParams({ To: '+14155550125', From: sample.from, Body: 'third' }).toString(),
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({ code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 });
      expect(rateLimited().map((r) => (r.body as { To: string }).To)).toEqual(['+14155550124', '+14155550125']);
    });

    it('waits out the Retry-After and sends; without the opt-in nothing is limited', async () => {
      await run('send_sms', { input: { to: '+14155550123', body: 'one mock-rate-limit' } });
      const started = Date.now();
      await expect(run('send_sms', { input: { to: '+14155550123', body: 'two mock-rate-limit' } })).resolves.toMatchObject({ status: 'queued' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(rateLimited()).toHaveLength(1);

      mock.reset();
      for (let i = 0; i < 4; i++) await run('send_sms', { input: { to: '+14155550123', body: `burst ${i}` }, http: { retries: 0 } });
      expect(rateLimited()).toHaveLength(0);
    });
  });
});
