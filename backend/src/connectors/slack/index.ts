/**
 * Slack: an incoming webhook (the webhook URL is the credential: it carries the secret token), or a
 * bot token (chat.postMessage to any channel the bot is in), typed or from an OAuth2 connection
 * whose rotating tokens the platform refreshes.
 */
import { z } from 'zod';
import { isHttpRequestError } from '../../common/http/http-client.js';
import { callProvider, toConnectorError, type ProviderInfo } from '../provider-call.js';
import { actionWith, ConnectorError, defineConnector, isProviderUrl, MOCK_ORIGIN, type ActionContext } from '../sdk.js';

const webhook = z.object({
  webhookUrl: z
    .string()
    .url()
    .describe('The incoming webhook URL from your Slack app (https://hooks.slack.com/services/T…/B…/…); keep it secret'),
});
/**
 * What users type is the webhook URL (the credential's form); a bot token comes from an OAuth2
 * connection (`oauth2.toCredentials`), so the actions see either.
 */
const bot = z.object({ botToken: z.string().min(1).describe('A bot token (xoxb-…) with the chat:write scope') });
const credentials = webhook;

const action = actionWith(z.union([webhook, bot]));

const provider: ProviderInfo = {
  name: 'Slack',
  messages: {
    400: 'refused the message',
    403: 'rejected the webhook URL',
    404: 'does not know this webhook URL',
    410: 'can no longer post to this channel',
  },
};

/** Slack Web API errors that mean the token is no good now (a refreshed one may be). */
const EXPIRED = new Set(['token_expired', 'invalid_auth', 'not_authed', 'token_revoked']);

/**
 * A Slack Web API call with a bot token. Slack answers errors with a 200 and `{ ok: false, error }`;
 * an expired rotating token is `token_expired` in such a 200, which becomes a ConnectorError marked
 * `authExpired` (the engine refreshes the connection and tries again).
 */
async function slackApi(ctx: Pick<ActionContext<unknown, unknown>, 'http' | 'signal' | 'baseUrl'>, token: string, method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await callProvider(ctx, provider, {
    method: 'POST',
    url: `${ctx.baseUrl('https://slack.com')}/api/${method}`,
    headers: { authorization: `Bearer ${token}` },
    json: body,
    secrets: [token],
  });
  const out = (res.body ?? {}) as Record<string, unknown>;
  if (out.ok !== true) {
    const error = String(out.error ?? 'unknown_error');
    if (EXPIRED.has(error)) throw new ConnectorError(`Slack rejected the bot token (${error})`, { status: 401, authExpired: true });
    if (error === 'ratelimited') throw new ConnectorError('Slack is rate limiting requests (ratelimited)', { retryable: true, status: 429, retryAfterMs: 1000 });
    throw new ConnectorError(`Slack refused the call ${method} (${error})`);
  }
  return out;
}

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
  /**
   * Incoming webhooks have no read endpoint, so the test posts a message without text (`{}`): Slack
   * looks the webhook up first (an unknown one answers 404 no_service, a wrong token 403
   * invalid_token), then refuses the empty message with 400 no_text, and nothing reaches the
   * channel. That 400 is the success this test expects.
   */
  async test(ctx) {
    if ('botToken' in ctx.credentials) {
      const me = await slackApi(ctx, ctx.credentials.botToken, 'auth.test', {});
      return `Slack accepted the bot token: ${String(me.user_id ?? 'the bot')} in ${String(me.team ?? 'the workspace')}`;
    }
    const { webhookUrl } = ctx.credentials;
    // Not callProvider: the expected 400 no_text is read from the raw error, before any mapping.
    try {
      await ctx.http.request({ signal: ctx.signal, method: 'POST', url: webhookUrl, json: {}, secrets: webhookSecrets(webhookUrl) });
    } catch (err) {
      if (isHttpRequestError(err) && err.status === 400 && String(err.response?.body ?? '').trim() === 'no_text') {
        return 'Slack knows this webhook (it refused an empty test message with no_text, so nothing was posted)';
      }
      throw toConnectorError(err, provider);
    }
    // Slack has never been seen accepting `{}`; if it does, the URL works all the same.
    return 'Slack accepted the webhook URL';
  },
  // Slack's documented limit for incoming webhooks is one message per second per webhook (short
  // bursts tolerated, but not promised): https://api.slack.com/apis/rate-limits. A connection is one
  // webhook, so its bucket holds one call per 1,000 ms.
  // chat.postMessage is held to the same one message per second per channel.
  // Only on Slack itself (or where CONNECTOR_SLACK_BASE_URL points): a Slack-compatible webhook
  // elsewhere (Mattermost, Rocket.Chat) has its own rules.
  rateLimit: (c, base) =>
    'botToken' in c || isProviderUrl(c.webhookUrl, base('https://hooks.slack.com'), /(^|\.)slack\.com$/) ? { requests: 1, perMs: 1000 } : undefined,
  // "Add to Slack": OAuth v2 with token rotation (short-lived bot tokens and refresh tokens).
  oauth2: {
    grants: ['authorization_code'],
    defaultScopes: ['chat:write'],
    endpoints: (base) => {
      const b = base('https://slack.com');
      return { authorizationUrl: `${b}/oauth/v2/authorize`, tokenUrl: `${b}/api/oauth.v2.access`, revocationUrl: `${b}/api/auth.revoke` };
    },
    toCredentials: (t) => ({ botToken: t.accessToken }),
    tokenTypes: ['bot', 'user'],
    // oauth.v2.access answers errors with a 200 and `{ ok: false, error }`: read as RFC 6749 errors.
    tokenAnswer: (status, body) => {
      const b = (body ?? {}) as { ok?: boolean; error?: string };
      if (status !== 200 || b.ok !== false) return { status, body };
      const refused = b.error === 'invalid_refresh_token' || b.error === 'invalid_grant_type' || b.error === 'invalid_code' || b.error === 'token_revoked';
      return { status: 400, body: { error: refused ? 'invalid_grant' : (b.error ?? 'invalid_request'), error_description: b.error } };
    },
  },
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
        channel: z.string().optional().describe('Channel id or #name (bot tokens; a webhook posts to its own channel)'),
      }),
      output: z.object({
        ok: z.literal(true).describe('Slack accepted the message'),
        channel: z.string().optional().describe('The channel posted to (bot tokens)'),
        ts: z.string().optional().describe("The message's timestamp id (bot tokens)"),
      }),
      sample: { text: 'Order *#1001* has shipped :package:', username: 'Tributary' },
      async execute(ctx) {
        const { credentials: cred, input } = ctx;
        if ('botToken' in cred) {
          if (!input.channel) throw new ConnectorError('Choose a channel: a bot token can post to any channel the bot is in');
          const out = await slackApi(ctx, cred.botToken, 'chat.postMessage', { channel: input.channel, text: input.text, blocks: input.blocks });
          return { ok: true as const, channel: String(out.channel), ts: String(out.ts) };
        }
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
