/** Slack incoming webhooks: the webhook URL is the credential (it carries the secret token). */
import { z } from 'zod';
import { callProvider, type ProviderInfo } from '../provider-call.js';
import { actionWith, defineConnector, MOCK_ORIGIN } from '../sdk.js';

const credentials = z.object({
  webhookUrl: z
    .string()
    .url()
    .describe('The incoming webhook URL from your Slack app (https://hooks.slack.com/services/T…/B…/…); keep it secret'),
});

const action = actionWith(credentials);

const provider: ProviderInfo = {
  name: 'Slack',
  messages: {
    400: 'refused the message',
    403: 'rejected the webhook URL',
    404: 'does not know this webhook URL',
    410: 'can no longer post to this channel',
  },
};

/** The webhook URL's last path segment is its secret token. */
function webhookSecrets(url: string): string[] {
  return [url, url.split('/').filter(Boolean).at(-1) ?? ''];
}

export const slack = defineConnector({
  key: 'slack',
  name: 'Slack',
  icon: 'slack',
  description: 'Post messages to a Slack channel through an incoming webhook',
  credentials,
  sampleCredentials: { webhookUrl: `${MOCK_ORIGIN}/slack/services/T00000000/B00000000/tributarymockwebhook0001` },
  actions: [
    action({
      key: 'send_message',
      name: 'Send message',
      description: 'Posts a message to the channel the webhook belongs to',
      input: z.object({
        text: z.string().min(1).max(40000).describe('Message text (Slack mrkdwn); also the notification fallback when blocks are given'),
        blocks: z.array(z.record(z.string(), z.unknown())).optional().describe('Block Kit blocks, as JSON'),
        username: z.string().optional().describe('Overrides the name shown (legacy webhooks only)'),
        iconEmoji: z.string().optional().describe('Overrides the icon with an emoji such as :robot_face: (legacy webhooks only)'),
        iconUrl: z.string().url().optional().describe('Overrides the icon with an image URL (legacy webhooks only)'),
      }),
      output: z.object({ ok: z.literal(true).describe('Slack accepted the message') }),
      sample: { text: 'Order *#1001* has shipped :package:', username: 'Tributary' },
      async execute(ctx) {
        const { credentials: cred, input } = ctx;
        await callProvider(ctx, provider, {
          method: 'POST',
          url: cred.webhookUrl,
          json: { text: input.text, blocks: input.blocks, username: input.username, icon_emoji: input.iconEmoji, icon_url: input.iconUrl },
          secrets: webhookSecrets(cred.webhookUrl),
        });
        return { ok: true as const };
      },
    }),
  ],
});
