import { credentialSecrets, redactValue } from './secret-redaction.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('credentialSecrets', () => {
  it('takes every value but addresses, identities and settings, plus the basic-auth header of each identity with each secret', () => {
    // The generic HTTP connector: the header name and where it goes are not secret, the key is.
    expect(credentialSecrets({ type: 'apiKey', name: 'X-API-Key', value: 'mock-http-api-key', in: 'header' })).toEqual(['mock-http-api-key']);
    expect(credentialSecrets({ type: 'basic', username: 'ada', password: 'pa55word' })).toEqual(['pa55word', b64('ada:pa55word')]);
    // WordPress and Twilio: the user (account SID) is an identity, the password (token) a secret.
    expect(credentialSecrets({ siteUrl: 'https://blog.example.com', username: 'admin', applicationPassword: 'abcd EFGH 1234' })).toEqual(['abcd EFGH 1234', b64('admin:abcd EFGH 1234')]);
    const sid = 'AC0123456789abcdef0123456789abcdef';
    expect(credentialSecrets({ accountSid: sid, authToken: 'tw-token', from: '+15005550006' })).toEqual(['tw-token', b64(`${sid}:tw-token`)]);
    // Slack's webhook URL is the credential itself; a base URL is not, unless it carries a password.
    expect(credentialSecrets({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/secret' })).toEqual(['https://hooks.slack.com/services/T0/B0/secret']);
    expect(credentialSecrets({ baseUrl: 'https://api.example.com', token: 'tok', apiVersion: 'v1' })).toEqual(['tok']);
    expect(credentialSecrets({ endpoint: 'https://svc:p%40ss@soap.example.com/Order' })).toEqual(['p%40ss', 'p@ss']);
    // Unknown fields are secret (when in doubt, redact); values too short to redact safely are left.
    expect(credentialSecrets({ clientSecret: 'cs-123', extra: { nested: ['deep-secret'] }, pin: '42' })).toEqual(['cs-123', 'deep-secret']);
    expect(credentialSecrets({ type: 'none' })).toEqual([]);
  });
});

describe('redactValue', () => {
  const redact = (s: string) => s.split('k3y').join('***');

  it('redacts strings and keys inside objects and arrays, keeping other values', () => {
    expect(redactValue({ a: ['k3y', 1, null, false, { k3y: 'x k3y' }], n: 2 }, redact, 0)).toEqual({ a: ['***', 1, null, false, { '***': 'x ***' }], n: 2 });
  });

  it('replaces what nests deeper than it walks instead of recording it unredacted', () => {
    let deep: unknown = 'k3y';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    let v = redactValue(deep, redact, 0);
    for (let i = 0; i < 256; i++) v = (v as unknown[])[0];
    expect(v).toBe('[not recorded: nested deeper than 256 levels]');
  });
});
