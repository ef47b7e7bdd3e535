// @ts-check
/** Slack and Discord incoming webhooks, Twilio Programmable SMS. */
import { basicAuth, bodyObject, json, route, text } from '../lib.js';

export const SLACK = { team: 'T00000000', bot: 'B00000000', token: 'tributarymockwebhook0001' };
export const DISCORD = { id: '112233445566778899', token: 'mock-discord-webhook-token' };
export const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'mock-twilio-auth-token', from: '+15005550006' };

/** @returns {import('../lib.js').Provider[]} */
export function createMessagingProviders() {
  return [slack(), discord(), twilio()];
}

/** Slack answers webhooks with plain-text codes: `ok`, `invalid_token`, `no_service`, `no_text`… */
function slack() {
  return {
    name: 'slack',
    prefix: '/slack',
    error: (/** @type {number} */ status) => text(status, status === 429 ? 'rate_limited' : 'internal_error'),
    routes: [
      route('POST', '/slack/services/:team/:bot/:token', (req) => {
        const { team, bot, token } = req.params;
        if (team !== SLACK.team || bot !== SLACK.bot) return text(404, 'no_service');
        if (token !== SLACK.token) return text(403, 'invalid_token');
        if (typeof req.body !== 'object' || req.body === null) return text(400, 'invalid_payload');
        const payload = bodyObject(req);
        if (payload.blocks !== undefined && !Array.isArray(payload.blocks)) return text(400, 'invalid_blocks');
        if (!payload.text && !payload.blocks) return text(400, 'no_text');
        if (payload.channel === '#archived') return text(410, 'channel_is_archived');
        return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' };
      }),
    ],
  };
}

/** Discord: JSON errors `{ message, code }`; `?wait=true` answers the created message, else 204. */
function discord() {
  let seq = 0;
  return {
    name: 'discord',
    prefix: '/discord',
    reset: () => void (seq = 0),
    error: (/** @type {number} */ status, /** @type {string} */ message) =>
      status === 429
        ? json(429, { message: 'You are being rate limited.', retry_after: 1.0, global: false })
        : json(status, { message, code: 0 }),
    routes: [
      route('POST', '/discord/api/webhooks/:id/:token', (req) => {
        if (req.params.id !== DISCORD.id) return json(404, { message: 'Unknown Webhook', code: 10015 });
        if (req.params.token !== DISCORD.token) return json(401, { message: 'Invalid Webhook Token', code: 50027 });
        const p = bodyObject(req);
        const content = typeof p.content === 'string' ? p.content : '';
        const embeds = Array.isArray(p.embeds) ? p.embeds : [];
        if (!content && embeds.length === 0) return json(400, { message: 'Cannot send an empty message', code: 50006 });
        if (content.length > 2000) {
          return json(400, {
            code: 50035,
            errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
            message: 'Invalid Form Body',
          });
        }
        if (req.query.wait !== 'true') return { status: 204 };
        seq++;
        return json(200, {
          id: String(1200000000000000000n + BigInt(seq)),
          type: 0,
          content,
          channel_id: '998877665544332211',
          author: { bot: true, id: DISCORD.id, username: p.username ?? 'Tributary', avatar: null, discriminator: '0000' },
          attachments: [],
          embeds,
          mentions: [],
          mention_roles: [],
          pinned: false,
          mention_everyone: false,
          tts: false,
          timestamp: new Date().toISOString(),
          edited_timestamp: null,
          flags: 0,
          components: [],
          webhook_id: DISCORD.id,
        });
      }),
    ],
  };
}

/** @param {number} code @param {string} message @param {number} status */
function twilioError(code, message, status) {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** Twilio: basic auth AccountSid:AuthToken, form-encoded body, errors `{ code, message, more_info, status }`. */
function twilio() {
  let seq = 0;
  return {
    name: 'twilio',
    prefix: '/twilio',
    reset: () => void (seq = 0),
    error: (/** @type {number} */ status, /** @type {string} */ message) =>
      twilioError(status === 429 ? 20429 : 20500, status === 429 ? 'Too Many Requests' : message, status),
    routes: [
      route('POST', '/twilio/2010-04-01/Accounts/:sid/Messages.json', (req) => {
        const auth = basicAuth(req);
        if (!auth || auth.user !== TWILIO.accountSid || auth.pass !== TWILIO.authToken || req.params.sid !== auth.user) {
          return twilioError(20003, 'Authenticate', 401);
        }
        const form = /** @type {Record<string, string>} */ (bodyObject(req));
        if (!form.To) return twilioError(21604, "A 'To' phone number is required.", 400);
        if (!/^\+[1-9]\d{6,14}$/.test(form.To) || form.To === '+15005550001') {
          return twilioError(21211, `The 'To' number ${form.To} is not a valid phone number.`, 400);
        }
        if (form.From !== TWILIO.from) {
          return twilioError(21606, `The From phone number ${form.From ?? ''} is not a valid, SMS-capable inbound phone number or short code for your account.`, 400);
        }
        if (!form.Body && !form.MediaUrl) return twilioError(21602, 'Message body is required.', 400);
        seq++;
        const sid = `SM${seq.toString(16).padStart(32, '0')}`;
        const now = new Date().toUTCString().replace('GMT', '+0000');
        const uri = `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages/${sid}.json`;
        return json(201, {
          account_sid: TWILIO.accountSid,
          api_version: '2010-04-01',
          body: form.Body ?? '',
          date_created: now,
          date_sent: null,
          date_updated: now,
          direction: 'outbound-api',
          error_code: null,
          error_message: null,
          from: form.From,
          messaging_service_sid: null,
          num_media: '0',
          num_segments: String(Math.max(1, Math.ceil((form.Body ?? '').length / 160))),
          price: null,
          price_unit: 'USD',
          sid,
          status: 'queued',
          subresource_uris: { media: uri.replace('.json', '/Media.json') },
          to: form.To,
          uri,
        });
      }),
    ],
  };
}
