/** Twilio Programmable Messaging: send an SMS with the account SID and auth token (basic auth). */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { actionWith, ConnectorError, defineConnector } from '../sdk.js';

const credentials = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'An Account SID starts with AC followed by 32 hex digits').describe('Account SID (AC…) from the Twilio console'),
  authToken: z.string().min(1).describe('Auth token from the Twilio console'),
  from: z.string().optional().describe('Default sender: a Twilio phone number in E.164 form (+15005550006) or a messaging service SID'),
});
const action = actionWith(credentials);

const provider: ProviderInfo = {
  name: 'Twilio',
  messages: { 401: 'rejected the account SID or auth token', 400: 'refused the message' },
  // Twilio errors: { code, message, more_info, status }; the code is what their docs index.
  reason: (body) => {
    const b = body as { code?: number; message?: string } | null;
    return b && typeof b === 'object' && b.message ? `${b.code ?? ''} ${b.message}`.trim() : undefined;
  },
};

/** Basic auth with the account SID and auth token, as every Twilio REST call takes it. */
function basicAuth(cred: { accountSid: string; authToken: string }) {
  return { authorization: `Basic ${Buffer.from(`${cred.accountSid}:${cred.authToken}`).toString('base64')}` };
}

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'Use E.164 form, e.g. +14155550123');

export const twilio = defineConnector({
  key: 'twilio',
  name: 'Twilio',
  icon: 'smartphone',
  description: 'Send SMS messages',
  credentials,
  sampleCredentials: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'mock-twilio-auth-token', from: '+15005550006' },
  /**
   * `GET /2010-04-01/Accounts/{sid}.json`, the account the SID and token authenticate: a read that
   * costs nothing and names the account. A wrong pair answers 401 (20003).
   */
  async test(ctx) {
    const cred = ctx.credentials;
    const res = await callProvider(ctx, provider, {
      url: joinUrl(ctx.baseUrl('https://api.twilio.com'), `/2010-04-01/Accounts/${encodeURIComponent(cred.accountSid)}.json`),
      headers: basicAuth(cred),
      secrets: [cred.authToken],
    });
    // The account resource includes the auth token: only its name, type and status are used.
    const account = jsonBody<{ friendly_name?: string; status?: string; type?: string }>(res, provider);
    const name = account.friendly_name ?? cred.accountSid;
    if (account.status && account.status !== 'active') {
      throw new ConnectorError(`Twilio account "${name}" is ${account.status}: it cannot send messages`);
    }
    return `Authenticated as "${name}" (${account.type ?? 'Twilio'} account, ${account.status ?? 'active'})`;
  },
  // A US/Canada long code sends one message segment per second (https://help.twilio.com/articles/115002943027):
  // Twilio queues what comes faster, and the messages go out late. Toll-free numbers and short codes
  // allow more, but a step may override the sender while the bucket is the credential's, so the
  // lowest sender rate is the safe one.
  rateLimit: () => ({ requests: 1, perMs: 1000 }),
  actions: [
    action({
      key: 'send_sms',
      name: 'Send SMS',
      description: 'Queues an SMS for delivery and returns its SID and status',
      input: z.object({
        to: e164.describe('Recipient phone number in E.164 form'),
        body: z.string().min(1).max(1600).describe('Message text (up to 1600 characters; long texts are split into segments)'),
        from: z.string().optional().describe("Sender number or messaging service SID; defaults to the credential's"),
        statusCallback: z.string().url().optional().describe('URL Twilio calls with delivery status updates'),
      }),
      output: z.object({
        sid: z.string().describe('Message SID (SM…)'),
        status: z.string().describe('queued, sending, sent, failed, delivered…'),
        to: z.string(),
        from: z.string(),
        segments: z.number().describe('How many SMS segments the body needs'),
        dateCreated: z.string(),
      }),
      sample: { to: '+14155550123', body: 'Your order #1001 has shipped.' },
      async execute(ctx) {
        const { credentials: cred, input } = ctx;
        const from = input.from ?? cred.from;
        const form: Record<string, string> = { To: input.to, Body: input.body };
        if (from?.startsWith('MG')) form.MessagingServiceSid = from;
        else if (from) form.From = from;
        if (input.statusCallback) form.StatusCallback = input.statusCallback;
        const res = await callProvider(ctx, provider, {
          method: 'POST',
          url: joinUrl(ctx.baseUrl('https://api.twilio.com'), `/2010-04-01/Accounts/${encodeURIComponent(cred.accountSid)}/Messages.json`),
          headers: basicAuth(cred),
          form,
          secrets: [cred.authToken],
        });
        const m = res.body as { sid: string; status: string; to: string; from: string; num_segments: string; date_created: string };
        return { sid: m.sid, status: m.status, to: m.to, from: m.from, segments: Number(m.num_segments), dateCreated: m.date_created };
      },
    }),
  ],
});
