import { ConnectorError } from '../sdk.js';
import { describeConnector, failureOf } from '../testing.js';
import { discord } from './index.js';

describeConnector(discord, ({ mock, run, testConnection, credentials }) => {
  const webhook = () => credentials<{ webhookUrl: string }>().webhookUrl;
  const check = (webhookUrl = webhook()) => testConnection({ webhookUrl });

  describe('discord.send_message', () => {
    it('posts content and embeds with ?wait=true and returns the message', async () => {
      const out = await run('send_message');
      expect(out).toMatchObject({ id: expect.stringMatching(/^\d+$/), channelId: '998877665544332211' });
      expect(mock.requests[0]).toMatchObject({
        method: 'POST',
        path: '/discord/api/webhooks/112233445566778899/mock-discord-webhook-token',
        query: { wait: 'true' },
        body: { content: 'New order **#1001** received', username: 'Tributary', embeds: [{ title: 'Order #1001', color: 5793266 }] },
      });
    });

    it('explains an invalid webhook token without repeating it', async () => {
      const err = await failureOf(
        run('send_message', { credentials: { webhookUrl: webhook().replace(/[^/]+$/, 'not-the-token') }, input: { content: 'x' } }),
      );
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err.message).toBe('Discord rejected the webhook URL (401 50027: Invalid Webhook Token)');
      expect(JSON.stringify(err)).not.toContain('not-the-token');
    });

    it('reports an unknown webhook id and refuses an empty message before calling', async () => {
      const err = await failureOf(
        run('send_message', { credentials: { webhookUrl: webhook().replace('112233445566778899', '1') }, input: { content: 'x' } }),
      );
      expect(err.message).toBe('Discord does not know this webhook (404 10015: Unknown Webhook)');
      mock.reset();
      await expect(run('send_message', { input: { username: 'x' } })).rejects.toThrow('Discord needs content or at least one embed');
      expect(mock.requests).toHaveLength(0);
    });

    it('rejects content over 2000 characters in the input schema', async () => {
      await expect(run('send_message', { input: { content: 'x'.repeat(2001) } })).rejects.toThrow();
    });
  });

  describe('discord test connection', () => {
    it('reads the webhook object with a GET of the webhook URL', async () => {
      await expect(check()).resolves.toBe('Discord webhook "Tributary" posts to channel 998877665544332211');
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/discord/api/webhooks/112233445566778899/mock-discord-webhook-token', bodyText: '' });
    });

    it('explains a wrong token or an unknown webhook, without the token', async () => {
      const err = await failureOf(check(webhook().replace(/[^/]+$/, 'not-the-token')));
      expect(err).toMatchObject({ message: 'Discord rejected the webhook URL (401 50027: Invalid Webhook Token)', status: 401 });
      expect(JSON.stringify(err)).not.toContain('not-the-token');
      await expect(check(webhook().replace('112233445566778899', '1'))).rejects.toThrow('Discord does not know this webhook (404 10015: Unknown Webhook)');
    });
  });

  describe('discord rate limit', () => {
    it("declares the webhook bucket's 5 requests per 2 s", () => {
      expect(discord.rateLimit?.({ webhookUrl: webhook() }, () => `${mock.url}/discord`)).toEqual({ requests: 5, perMs: 2000 });
      expect(discord.rateLimit?.({ webhookUrl: 'https://discord.com/api/webhooks/1/x' }, (d) => d)).toEqual({ requests: 5, perMs: 2000 });
      expect(discord.rateLimit?.({ webhookUrl: 'https://relay.example.com/api/webhooks/1/x' }, (d) => d)).toBeUndefined();
    });

    it('answers the sixth message within 2 s with 429, Retry-After and retry_after when opted in', async () => {
      const url = `${webhook()}?mock-rate-limit`;
      const post = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"content":"hi"}' });
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await post());
      expect(answers.map((r) => r.status)).toEqual([204, 204, 204, 204, 204, 429]);
      expect(answers.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0', '0']);
      const limited = answers[5];
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await limited.json()) as { retry_after: number };
      expect(body).toEqual({ message: 'You are being rate limited.', retry_after: expect.any(Number), global: false });
      expect(body.retry_after).toBeGreaterThan(0);
      expect(body.retry_after).toBeLessThanOrEqual(2);
      expect(mock.requests.filter((r) => r.headers['x-mock-rate-limited'])).toHaveLength(1);

      const err = await failureOf(run('send_message', { credentials: { webhookUrl: url }, input: { content: 'x' }, http: { retries: 0 } }));
      expect(err).toMatchObject({ message: 'Discord is rate limiting requests; try again later (429 You are being rate limited.)', retryable: true, status: 429 });
    });
  });
});
