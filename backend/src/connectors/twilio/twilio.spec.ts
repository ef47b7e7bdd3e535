import { describeConnector, failureOf } from '../testing.js';
import { twilio } from './index.js';

describeConnector(twilio, ({ mock, run }) => {
  const sample = twilio.sampleCredentials as { accountSid: string; authToken: string; from: string };

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
});
