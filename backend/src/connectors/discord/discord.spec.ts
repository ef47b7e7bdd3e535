import { ConnectorError } from '../sdk.js';
import { describeConnector, failureOf } from '../testing.js';
import { discord } from './index.js';

describeConnector(discord, ({ mock, run, credentials }) => {
  const webhook = () => credentials<{ webhookUrl: string }>().webhookUrl;

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
});
