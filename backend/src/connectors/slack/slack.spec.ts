import { ConnectorError } from '../sdk.js';
import { describeConnector } from '../testing.js';
import { slack } from './index.js';

describeConnector(slack, ({ mock, run, credentials }) => {
  const creds = () => credentials<{ webhookUrl: string }>();

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
});
