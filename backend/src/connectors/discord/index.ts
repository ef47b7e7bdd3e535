/** Discord incoming webhooks: the webhook URL (id + token) is the credential. */
import { z } from 'zod';
import { callProvider, jsonBody, type ProviderInfo } from '../provider-call.js';
import { actionWith, ConnectorError, defineConnector, isProviderUrl, MOCK_ORIGIN } from '../sdk.js';

const credentials = z.object({
  webhookUrl: z
    .string()
    .url()
    .describe('The webhook URL from the channel settings (https://discord.com/api/webhooks/<id>/<token>); keep it secret'),
});
const action = actionWith(credentials);

const provider: ProviderInfo = {
  name: 'Discord',
  messages: { 401: 'rejected the webhook URL', 404: 'does not know this webhook', 400: 'refused the message' },
};

/** The webhook URL's last path segment is its secret token. */
const webhookToken = (url: string) => new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '';

const embed = z
  .object({
    title: z.string().max(256).optional().describe('Embed title'),
    description: z.string().max(4096).optional().describe('Embed text (markdown)'),
    url: z.string().url().optional().describe('Link on the title'),
    color: z.number().int().min(0).max(0xffffff).optional().describe('Colour of the side bar, as an integer (0x5865F2 = 5793266)'),
    fields: z
      .array(z.object({ name: z.string(), value: z.string(), inline: z.boolean().optional() }))
      .max(25)
      .optional()
      .describe('Name/value pairs shown in a grid'),
  })
  .catchall(z.unknown());

export const discord = defineConnector({
  key: 'discord',
  name: 'Discord',
  icon: 'message-circle',
  description: 'Post messages to a Discord channel through a webhook',
  credentials,
  sampleCredentials: { webhookUrl: `${MOCK_ORIGIN}/discord/api/webhooks/112233445566778899/mock-discord-webhook-token` },
  /**
   * `GET` of the webhook URL ("Get Webhook with Token") answers the webhook object: its name and
   * channel, read with the token alone. A wrong token answers 401 (50027), an unknown id 404 (10015).
   */
  async test(ctx) {
    const { webhookUrl } = ctx.credentials;
    const res = await callProvider(ctx, provider, { url: webhookUrl, headers: { accept: 'application/json' }, secrets: [webhookToken(webhookUrl)] });
    // The answer carries the token too: only the name and channel leave this function.
    const hook = jsonBody<{ name?: string | null; channel_id?: string }>(res, provider);
    return `Discord webhook "${hook.name ?? 'unnamed'}" posts to channel ${hook.channel_id ?? 'unknown'}`;
  },
  // Discord asks clients to read its limits from the X-RateLimit-* headers rather than hard-code them
  // (https://discord.com/developers/docs/topics/rate-limits); a webhook's bucket answers 5 requests
  // per 2 s (X-RateLimit-Limit: 5, reset after 2 s), on top of the global 50 per second.
  // Only on Discord itself (or where CONNECTOR_DISCORD_BASE_URL points).
  rateLimit: (c, base) => (isProviderUrl(c.webhookUrl, base('https://discord.com'), /(^|\.)discord(app)?\.com$/) ? { requests: 5, perMs: 2000 } : undefined),
  actions: [
    action({
      key: 'send_message',
      name: 'Send message',
      description: 'Posts a message (text and/or embeds) as the webhook',
      input: z.object({
        content: z.string().max(2000).optional().describe('Message text, up to 2000 characters'),
        username: z.string().max(80).optional().describe("Overrides the webhook's display name"),
        avatarUrl: z.string().url().optional().describe("Overrides the webhook's avatar"),
        tts: z.boolean().optional().describe('Read the message aloud'),
        embeds: z.array(embed).max(10).optional().describe('Rich embeds, up to 10'),
      }),
      output: z.object({
        id: z.string().describe('The message id'),
        channelId: z.string().describe('The channel posted to'),
        timestamp: z.string().describe('When Discord stored the message'),
      }),
      sample: { content: 'New order **#1001** received', username: 'Tributary', embeds: [{ title: 'Order #1001', color: 5793266, fields: [{ name: 'Total', value: '€42.00' }] }] },
      async execute(ctx) {
        const { credentials: cred, input } = ctx;
        if (!input.content && !input.embeds?.length) throw new ConnectorError('Discord needs content or at least one embed');
        const res = await callProvider(ctx, provider, {
          method: 'POST',
          url: cred.webhookUrl,
          query: { wait: 'true' },
          json: { content: input.content, username: input.username, avatar_url: input.avatarUrl, tts: input.tts, embeds: input.embeds },
          secrets: [webhookToken(cred.webhookUrl)],
        });
        const msg = res.body as { id?: string; channel_id?: string; timestamp?: string };
        return { id: String(msg.id ?? ''), channelId: String(msg.channel_id ?? ''), timestamp: String(msg.timestamp ?? '') };
      },
    }),
  ],
});
