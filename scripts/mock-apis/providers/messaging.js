// @ts-check
/**
 * Slack and Discord incoming webhooks, Twilio Programmable SMS. Each can enforce its provider's
 * outbound rate limit (per webhook, per account and sender) for the requests that opt in with the
 * magic value `mock-rate-limit` (README.md): off by default, because tests and benchmarks post many
 * messages at once to the same sample webhooks.
 */
import { basicAuth, bodyObject, json, route, text } from '../lib.js';

export const SLACK = { team: 'T00000000', bot: 'B00000000', token: 'tributarymockwebhook0001' };
export const DISCORD = { id: '112233445566778899', token: 'mock-discord-webhook-token', name: 'Tributary', channelId: '998877665544332211', guildId: '556677889900112233' };
export const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'mock-twilio-auth-token', from: '+15005550006', friendlyName: 'Tributary Mock' };

/** The providers' limits: the numbers the connectors declare as `rateLimit` (their comments cite the rules). */
export const RATE_LIMITS = {
  slack: { requests: 1, perMs: 1000 },
  discord: { requests: 5, perMs: 2000 },
  twilio: { requests: 1, perMs: 1000 },
};

/** The magic value that switches a request's rate limit on (in the path, query, body or `x-mock-fail`). */
export const RATE_LIMIT_MAGIC = 'mock-rate-limit';

/**
 * A client that spaces its calls exactly one period apart can still reach the mock a few ms closer
 * together (timers, event-loop lag on a loaded machine): a window here closes this much early, so
 * that such a client is not failed at random.
 */
const JITTER_MS = 50;

/** @param {import('../lib.js').MockRequest} req */
function rateLimitOptedIn(req) {
  return `${req.url} ${req.bodyText} ${req.headers['x-mock-fail'] ?? ''}`.includes(RATE_LIMIT_MAGIC);
}

/**
 * Windows of `requests` calls per `perMs` per key, each opened by its first call and reset whole
 * when it ends, as Discord's buckets do (`X-RateLimit-Reset-After`); with one call per window, as
 * for Slack and Twilio, that is simply one call per period. Only opted-in requests are counted or
 * refused, so the default mock never limits anything. A refused request answers 429 and is marked
 * in the recorded requests with the header `x-mock-rate-limited` (its Retry-After in seconds), which
 * no client sends: a test counts the provider's 429s with
 * `mock.requests.filter((r) => r.headers['x-mock-rate-limited'])`.
 * @param {{ requests: number, perMs: number }} limit
 */
function rateLimiter(limit) {
  /** @type {Map<string, { start: number, count: number }>} */
  const windows = new Map();
  return {
    /**
     * Counts an opted-in request against its key's window: null when it may go on, else how long
     * until the window resets (and the request's record is marked).
     * @param {import('../lib.js').MockRequest} req @param {string} key
     * @returns {null | { retryAfterMs: number, retryAfterSeconds: number }}
     */
    take(req, key) {
      if (!rateLimitOptedIn(req)) return null;
      const now = Date.now();
      let w = windows.get(key);
      if (!w || now - w.start >= limit.perMs - JITTER_MS) {
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      if (w.count < limit.requests) {
        w.count++;
        return null;
      }
      const retryAfterMs = Math.max(1, w.start + limit.perMs - now);
      // Retry-After is whole seconds (RFC 9110), rounded up so that a client honouring it is not early.
      const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      req.headers['x-mock-rate-limited'] = String(retryAfterSeconds);
      return { retryAfterMs, retryAfterSeconds };
    },
    /** The state of the key's window, for providers that report it on every answer (Discord). @param {string} key */
    state(key) {
      const w = windows.get(key);
      const now = Date.now();
      if (!w || now - w.start >= limit.perMs - JITTER_MS) return { remaining: limit.requests, resetAfterMs: limit.perMs };
      return { remaining: Math.max(0, limit.requests - w.count), resetAfterMs: w.start + limit.perMs - now };
    },
    reset: () => windows.clear(),
  };
}

/** @returns {import('../lib.js').Provider[]} */
export function createMessagingProviders() {
  return [slack(), discord(), twilio()];
}

/**
 * Slack answers webhooks with plain-text codes: `ok`, `invalid_token`, `no_service`, `no_text`…
 * A message without text or blocks (`{}`, what the connector's "Test connection" sends) is refused
 * with 400 `no_text` after the webhook is found, so it tells a known webhook from an unknown one
 * without posting anything. Rate limit (opt-in): 1 message per second per webhook, answered as
 * Slack does with 429, `Retry-After` and the text `rate_limited`.
 */
function slack() {
  const limiter = rateLimiter(RATE_LIMITS.slack);
  return {
    name: 'slack',
    prefix: '/slack',
    reset: () => limiter.reset(),
    error: (/** @type {number} */ status) => text(status, status === 429 ? 'rate_limited' : 'internal_error'),
    routes: [
      route('POST', '/slack/services/:team/:bot/:token', (req) => {
        const { team, bot, token } = req.params;
        if (team !== SLACK.team || bot !== SLACK.bot) return text(404, 'no_service');
        if (token !== SLACK.token) return text(403, 'invalid_token');
        const limited = limiter.take(req, `${team}/${bot}/${token}`);
        if (limited) return text(429, 'rate_limited', { 'retry-after': String(limited.retryAfterSeconds) });
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

/**
 * Discord: JSON errors `{ message, code }`; `?wait=true` answers the created message, else 204.
 * `GET` of the webhook URL answers the webhook object (what "Test connection" reads). Rate limit
 * (opt-in): Discord's webhook bucket, 5 requests per 2 s per webhook, reported in `X-RateLimit-*`
 * headers and refused with 429, `Retry-After` and `{ message, retry_after, global: false }`.
 */
function discord() {
  let seq = 0;
  const limiter = rateLimiter(RATE_LIMITS.discord);
  /** @param {string} key */
  const bucketHeaders = (key) => {
    const { remaining, resetAfterMs } = limiter.state(key);
    return {
      'x-ratelimit-bucket': `mock-webhook-${key}`,
      'x-ratelimit-limit': String(RATE_LIMITS.discord.requests),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': ((Date.now() + resetAfterMs) / 1000).toFixed(3),
      'x-ratelimit-reset-after': (resetAfterMs / 1000).toFixed(3),
    };
  };
  /** @param {import('../lib.js').MockRequest} req */
  const unknownOrInvalid = (req) => {
    if (req.params.id !== DISCORD.id) return json(404, { message: 'Unknown Webhook', code: 10015 });
    if (req.params.token !== DISCORD.token) return json(401, { message: 'Invalid Webhook Token', code: 50027 });
    return null;
  };
  return {
    name: 'discord',
    prefix: '/discord',
    reset: () => {
      seq = 0;
      limiter.reset();
    },
    error: (/** @type {number} */ status, /** @type {string} */ message) =>
      status === 429
        ? json(429, { message: 'You are being rate limited.', retry_after: 1.0, global: false })
        : json(status, { message, code: 0 }),
    routes: [
      // Get Webhook with Token: the webhook object, without the `user` a bot token would also see.
      route('GET', '/discord/api/webhooks/:id/:token', (req) => {
        const refused = unknownOrInvalid(req);
        if (refused) return refused;
        return json(200, {
          application_id: null,
          avatar: null,
          channel_id: DISCORD.channelId,
          guild_id: DISCORD.guildId,
          id: DISCORD.id,
          name: DISCORD.name,
          type: 1,
          token: DISCORD.token,
        });
      }),
      route('POST', '/discord/api/webhooks/:id/:token', (req) => {
        const refused = unknownOrInvalid(req);
        if (refused) return refused;
        const key = req.params.id;
        const limited = limiter.take(req, key);
        if (limited) {
          return json(
            429,
            { message: 'You are being rate limited.', retry_after: Math.round(limited.retryAfterMs) / 1000, global: false },
            { ...bucketHeaders(key), 'retry-after': String(limited.retryAfterSeconds), 'x-ratelimit-scope': 'shared' },
          );
        }
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
        // The bucket's state on every answer, as Discord sends it (only for opted-in requests: the
        // others are not counted, so their numbers would mean nothing).
        const headers = rateLimitOptedIn(req) ? bucketHeaders(key) : {};
        if (req.query.wait !== 'true') return { status: 204, headers };
        seq++;
        return json(200, {
          id: String(1200000000000000000n + BigInt(seq)),
          type: 0,
          content,
          channel_id: DISCORD.channelId,
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
        }, headers);
      }),
    ],
  };
}

/** @param {number} code @param {string} message @param {number} status @param {Record<string, string>} [headers] */
function twilioError(code, message, status, headers) {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

/**
 * Twilio: basic auth AccountSid:AuthToken, form-encoded body, errors `{ code, message, more_info, status }`.
 * `GET /2010-04-01/Accounts/{sid}.json` answers the account (what "Test connection" reads). Rate
 * limit (opt-in): one message per second per account and sender, a long code's rate in the US and
 * Canada, refused with 429, `Retry-After` and error 20429. (Twilio itself queues a sender's excess
 * messages and answers 429 when too many requests arrive at once; the mock refuses instead, so a
 * test sees every message sent faster than the sender's rate.)
 */
function twilio() {
  let seq = 0;
  const limiter = rateLimiter(RATE_LIMITS.twilio);
  /** @param {import('../lib.js').MockRequest} req @param {string} sid */
  const authenticated = (req, sid) => {
    const auth = basicAuth(req);
    return Boolean(auth && auth.user === TWILIO.accountSid && auth.pass === TWILIO.authToken && sid === auth.user);
  };
  const created = new Date(Date.UTC(2024, 0, 15, 9, 30)).toUTCString().replace('GMT', '+0000');
  return {
    name: 'twilio',
    prefix: '/twilio',
    reset: () => {
      seq = 0;
      limiter.reset();
    },
    error: (/** @type {number} */ status, /** @type {string} */ message) =>
      twilioError(status === 429 ? 20429 : 20500, status === 429 ? 'Too Many Requests' : message, status),
    routes: [
      // `:sid.json` cannot be a route parameter (the name would include `.json`): the segment is matched whole.
      route('GET', '/twilio/2010-04-01/Accounts/:account', (req) => {
        const sid = /^(.+)\.json$/.exec(req.params.account)?.[1];
        if (!sid) return twilioError(20404, `The requested resource ${req.path.replace(/^\/twilio/, '')} was not found`, 404);
        if (!authenticated(req, sid)) return twilioError(20003, 'Authenticate', 401);
        const uri = `/2010-04-01/Accounts/${sid}.json`;
        const sub = (/** @type {string} */ name) => uri.replace('.json', `/${name}.json`);
        return json(200, {
          // The real resource includes the auth token: a client must not log this answer.
          auth_token: TWILIO.authToken,
          date_created: created,
          date_updated: created,
          friendly_name: TWILIO.friendlyName,
          owner_account_sid: sid,
          sid,
          status: 'active',
          subresource_uris: { messages: sub('Messages'), incoming_phone_numbers: sub('IncomingPhoneNumbers'), balance: sub('Balance') },
          type: 'Full',
          uri,
        });
      }),
      route('POST', '/twilio/2010-04-01/Accounts/:sid/Messages.json', (req) => {
        if (!authenticated(req, req.params.sid)) return twilioError(20003, 'Authenticate', 401);
        const form = /** @type {Record<string, string>} */ (bodyObject(req));
        if (!form.To) return twilioError(21604, "A 'To' phone number is required.", 400);
        if (!/^\+[1-9]\d{6,14}$/.test(form.To) || form.To === '+15005550001') {
          return twilioError(21211, `The 'To' number ${form.To} is not a valid phone number.`, 400);
        }
        if (form.From !== TWILIO.from) {
          return twilioError(21606, `The From phone number ${form.From ?? ''} is not a valid, SMS-capable inbound phone number or short code for your account.`, 400);
        }
        if (!form.Body && !form.MediaUrl) return twilioError(21602, 'Message body is required.', 400);
        // Counted once the message would be queued: the rate is the sender's, per account.
        const limited = limiter.take(req, `${req.params.sid} ${form.From ?? form.MessagingServiceSid ?? ''}`);
        if (limited) return twilioError(20429, 'Too Many Requests', 429, { 'retry-after': String(limited.retryAfterSeconds) });
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
