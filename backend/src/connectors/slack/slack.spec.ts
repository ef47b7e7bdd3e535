import { ConnectorError } from '../sdk.js';
import { describeConnector, failureOf } from '../testing.js';
import { slack } from './index.js';

describeConnector(slack, ({ mock, run, testConnection, credentials }) => {
  const creds = () => credentials<{ webhookUrl: string }>();
  const check = (c: unknown = creds()) => testConnection(c);
  /** The provider's 429s for its rate limit, as the mock marks them in its records. */
  const rateLimited = () => mock.requests.filter((r) => r.headers['x-mock-rate-limited']);

  describe('slack.send_message', () => {
    it('posts the message JSON to the webhook', async () => {
      const out = await run('send_message', {
        input: { text: 'Deploy done', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Deploy* done' } }], iconEmoji: ':rocket:' },
      });
      expect(out).toEqual({ ok: true });
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({
        method: 'POST',
        path: '/slack/services/T00000000/B00000000/tributarymockwebhook0001',
        body: { text: 'Deploy done', blocks: [{ type: 'section' }], icon_emoji: ':rocket:' },
      });
      expect(mock.requests[0].headers['content-type']).toBe('application/json');
    });

    it('runs its sample', async () => {
      await expect(run('send_message')).resolves.toEqual({ ok: true });
    });

    it('explains a wrong webhook token without leaking it', async () => {
      const webhookUrl = creds().webhookUrl.replace('tributarymockwebhook0001', 'wrongwrongwrongwrongwron');
      const err = await run('send_message', { credentials: { webhookUrl }, input: { text: 'x' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ message: 'Slack rejected the webhook URL (403 invalid_token)', retryable: false, status: 403 });
      expect(JSON.stringify(err)).not.toContain('wrongwrong');
    });

    it('reports an unknown webhook, and accepts empty blocks', async () => {
      const webhookUrl = creds().webhookUrl.replace('T00000000', 'T99999999');
      await expect(run('send_message', { credentials: { webhookUrl }, input: { text: 'x' } })).rejects.toThrow(
        'Slack does not know this webhook URL (404 no_service)',
      );
      await expect(run('send_message', { input: { text: 'x', blocks: [] } })).resolves.toEqual({ ok: true });
    });

    it('retries after a 429 with Retry-After and succeeds', async () => {
      const out = await run('send_message', { input: { text: 'mock-429 please' } });
      expect(out).toEqual({ ok: true });
      expect(mock.requests.map((r) => r.path)).toHaveLength(2);
    });

    it('gives a retryable error when rate limited past the retries', async () => {
      const err = await run('send_message', { input: { text: 'mock-429-always' }, http: { retries: 0 } }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ message: 'Slack is rate limiting requests; try again later (429 rate_limited)', retryable: true });
    });

    it('rejects input without text before calling Slack', async () => {
      await expect(run('send_message', { input: { text: '' } })).rejects.toThrow();
      expect(mock.requests).toHaveLength(0);
    });
  });

  describe('slack test connection', () => {
    it('proves the webhook with an empty message, which Slack refuses with no_text, and posts nothing', async () => {
      await expect(check()).resolves.toBe('Slack knows this webhook (it refused an empty test message with no_text, so nothing was posted)');
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'POST', path: '/slack/services/T00000000/B00000000/tributarymockwebhook0001', body: {} });
      // What the mock answered to that request (records keep requests, not answers).
      const res = await fetch(creds().webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect({ status: res.status, text: await res.text() }).toEqual({ status: 400, text: 'no_text' });
    });

    it('says which part of a wrong webhook URL Slack refused, without the token', async () => {
      const wrongToken = creds().webhookUrl.replace('tributarymockwebhook0001', 'wrongwrongwrongwrongwron');
      const err = await failureOf(check({ webhookUrl: wrongToken }));
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ message: 'Slack rejected the webhook URL (403 invalid_token)', status: 403 });
      expect(JSON.stringify(err)).not.toContain('wrongwrong');
      const unknown = creds().webhookUrl.replace('T00000000', 'T99999999');
      await expect(check({ webhookUrl: unknown })).rejects.toThrow('Slack does not know this webhook URL (404 no_service)');
    });
  });

  describe('slack rate limit', () => {
    it('declares one message per second per webhook, on Slack (or where the connector is pointed) only', () => {
      const atMock = () => `${mock.url}/slack`;
      expect(slack.rateLimit?.(creds(), atMock)).toEqual({ requests: 1, perMs: 1000 });
      expect(slack.rateLimit?.({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/x' }, (d) => d)).toEqual({ requests: 1, perMs: 1000 });
      // A Slack-compatible receiver elsewhere (Mattermost, Rocket.Chat) has its own rules.
      expect(slack.rateLimit?.({ webhookUrl: 'https://chat.example.com/hooks/abc' }, (d) => d)).toBeUndefined();
    });

    it('is not enforced by the mock unless a request opts in', async () => {
      for (let i = 0; i < 5; i++) await run('send_message', { input: { text: `burst ${i}` }, http: { retries: 0 } });
      expect(rateLimited()).toHaveLength(0);
    });

    it('answers a second message within the second with 429, Retry-After and rate_limited when opted in', async () => {
      const webhookUrl = `${creds().webhookUrl}?mock-rate-limit`;
      await expect(run('send_message', { credentials: { webhookUrl }, input: { text: 'first' } })).resolves.toEqual({ ok: true });
      const err = await failureOf(run('send_message', { credentials: { webhookUrl }, input: { text: 'second' }, http: { retries: 0 } }));
      expect(err).toMatchObject({ message: 'Slack is rate limiting requests; try again later (429 rate_limited)', retryable: true, status: 429, retryAfterMs: 1000 });

      const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"third"}' });
      expect({ status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() }).toEqual({ status: 429, retryAfter: '1', text: 'rate_limited' });
      expect(rateLimited().map((r) => r.body)).toEqual([{ text: 'second' }, { text: 'third' }]);
    });

    it('lets a sender paced at the declared rate through without a 429', async () => {
      const webhookUrl = `${creds().webhookUrl}?mock-rate-limit`;
      const { requests, perMs } = slack.rateLimit!(creds(), () => `${mock.url}/slack`)!;
      for (let i = 0; i < 3; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, perMs / requests));
        await run('send_message', { credentials: { webhookUrl }, input: { text: `paced ${i}` }, http: { retries: 0 } });
      }
      expect(mock.requests).toHaveLength(3);
      expect(rateLimited()).toHaveLength(0);
    });
  });
});
