/**
 * Connections that never silently die, end to end (api → queue → worker → engine → mock provider):
 * OAuth2 authorization code with PKCE through the mock's consent page, client credentials, refresh
 * ahead of expiry with a rotating refresh token, refresh on a 401 and on Slack's 200-in-body
 * expiry, one refresh for many concurrent runs across two workers, a refused refresh marking the
 * connection `needs_reconnect` (and no further calls until it is reconnected), revocation on delete,
 * "Test connection", the workflows using a credential, health from real runs, and a connection's
 * rate limit queueing steps instead of failing them.
 */
import { jest } from '@jest/globals';
import { startMockApis, type MockApis } from '../../../scripts/mock-apis/server.js';
import { spawn } from 'node:child_process';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { freePort, listening } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

jest.setTimeout(120_000);

describe('connections', () => {
  let mock: MockApis;
  let t: TestApp;
  let token: string;
  let clientSeq = 0;

  beforeAll(async () => {
    mock = await startMockApis({ port: 0 });
    t = await createTestApp({
      CONNECTOR_SLACK_BASE_URL: `${mock.url}/slack`,
      CONNECTOR_SALESFORCE_BASE_URL: `${mock.url}/salesforce`,
      CONNECTOR_OPENWEATHER_BASE_URL: `${mock.url}/openweather`,
      WORKER_CONCURRENCY: '50',
    });
    await t.startWorker();
    token = (await t.register()).token;
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  /** A client of its own per test (the mock's counters and settings are per client id). */
  const newClient = async (settings: Record<string, unknown> = {}, prefix = '/oauth') => {
    const clientId = `client-${++clientSeq}-${Date.now()}`;
    if (Object.keys(settings).length) await fetch(`${mock.url}${prefix}/__clients/${clientId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
    return { clientId, clientSecret: `${clientId}-secret` };
  };
  const stats = async (clientId: string, prefix = '/oauth') => (await (await fetch(`${mock.url}${prefix}/__stats?client_id=${clientId}`)).json()) as { tokenRequests: Record<string, number>; revoked: number; refreshReuse: number };
  const expireAt = (clientId: string, prefix = '/oauth') => fetch(`${mock.url}${prefix}/__expire/${clientId}`, { method: 'POST' });
  const credential = async (id: string) => (await t.request('GET', `/api/credentials/${id}`, { token })).body;

  const genericOAuth = (client: { clientId: string; clientSecret: string }, grant = 'authorization_code') => ({
    grant,
    ...client,
    scopes: ['profile', 'email'],
    authorizationUrl: `${mock.url}/oauth/authorize`,
    tokenUrl: `${mock.url}/oauth/token`,
    revocationUrl: `${mock.url}/oauth/revoke`,
  });

  /** Creates an authorization-code connection and walks the consent as a browser would; answers the id and where the dashboard was sent. */
  async function connect(connector: string, oauth2: Record<string, unknown>, decision: 'approve' | 'deny' = 'approve', existingId?: string) {
    const id = existingId ?? (await t.request('POST', '/api/credentials', { token, body: { connector, name: `${connector} oauth`, oauth2 } })).body.id;
    const auth = await t.request('POST', `/api/credentials/${id}/oauth2/authorize`, { token, body: { returnTo: 'http://localhost:3000/connections' } });
    expect(auth.status).toBe(200);
    const authorizationUrl = new URL(auth.body.authorizationUrl);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('state')).toHaveLength(32);
    // The consent page, then the user's decision (the page's form).
    const page = await fetch(authorizationUrl);
    expect(await page.text()).toContain('Approve');
    const form = new URLSearchParams({ ...Object.fromEntries(authorizationUrl.searchParams), decision });
    const decided = await fetch(new URL(authorizationUrl.pathname, mock.url), { method: 'POST', body: form, redirect: 'manual' });
    const toCallback = new URL(decided.headers.get('location')!);
    // The browser follows the redirect to our callback (the test app listens on its own port, not PUBLIC_URL's).
    const callbackPath = toCallback.pathname + toCallback.search;
    const cb = await fetch(`${t.baseUrl}${callbackPath}`, { redirect: 'manual' });
    expect(cb.status).toBe(302);
    return { id: id as string, landing: new URL(cb.headers.get('location')!), callbackPath };
  }

  /** Which app and user the helpers below act as: this file's app, or one a describe starts for itself. */
  type As = { app: TestApp; tok: string };
  const main = (): As => ({ app: t, tok: token });
  const workflow = async (steps: unknown[], as = main()) => (await as.app.request('POST', '/api/workflows', { token: as.tok, body: { name: `wf ${Date.now()}`, trigger: { type: 'manual' }, steps } })).body;
  const run = async (workflowId: string, as = main(), payload?: unknown) =>
    (await as.app.request('POST', `/api/workflows/${workflowId}/run`, { token: as.tok, body: payload === undefined ? {} : { payload } })).body.executionId as string;
  const execution = async (id: string, as = main()) => (await as.app.request('GET', `/api/executions/${id}`, { token: as.tok })).body;
  const isFinal = (e: { status?: string } | undefined) => ['succeeded', 'failed'].includes(e?.status ?? '');
  const finished = (id: string, as = main()) =>
    waitFor(`execution ${id}`, async () => {
      const e = await execution(id, as);
      return isFinal(e) ? e : undefined;
    }, 60_000);
  const userinfo = (credentialId: string) => ({ id: 'me', connector: 'http', action: 'request', credentialId, input: { url: `${mock.url}/oauth/userinfo` }, retry: { attempts: 1 } });

  it('authorization code with PKCE: needs_connect until the consent, then runs use the token; the callback is single use', async () => {
    const client = await newClient();
    const created = await t.request('POST', '/api/credentials', { token, body: { connector: 'http', name: 'generic oauth', oauth2: genericOAuth(client) } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'oauth2', status: 'needs_connect', oauth2: { grant: 'authorization_code', connected: false } });
    expect(JSON.stringify(created.body)).not.toContain(client.clientSecret);

    const wf = await workflow([userinfo(created.body.id)]);
    const early = await finished(await run(wf.id));
    expect(early.status).toBe('failed');
    expect(early.error).toMatch(/is not connected yet/);

    const { id, landing, callbackPath } = await connect('http', {}, 'approve', created.body.id);
    expect(landing.origin + landing.pathname).toBe('http://localhost:3000/connections');
    expect(landing.searchParams.get('connected')).toBe(id);
    expect(await credential(id)).toMatchObject({ status: 'ok', oauth2: { connected: true } });

    const ok = await finished(await run(wf.id));
    expect(ok.status).toBe('succeeded');
    expect(ok.steps[0].output.body).toMatchObject({ client_id: client.clientId, scope: 'profile email' });
    expect(JSON.stringify(ok)).not.toMatch(/mat_/);
    expect((await stats(client.clientId)).tokenRequests).toMatchObject({ authorization_code: 1, refresh_token: 0 });

    // The same callback again (a replay): refused, nothing exchanged.
    const replay = await fetch(`${t.baseUrl}${callbackPath}`, { redirect: 'manual' });
    expect(new URL(replay.headers.get('location')!).searchParams.get('oauth_error')).toMatch(/unknown, expired or was already used/);
    expect((await stats(client.clientId)).tokenRequests.authorization_code).toBe(1);
  });

  it('a denied consent leaves the connection waiting for one, with the reason', async () => {
    const { id, landing } = await connect('http', genericOAuth(await newClient()), 'deny');
    expect(landing.searchParams.get('oauth_error')).toMatch(/access_denied/);
    expect(await credential(id)).toMatchObject({ status: 'needs_connect', lastError: expect.stringMatching(/access_denied/) });
  });

  it('refreshes ahead of expiry with the rotated refresh token stored before use (no reuse, ever)', async () => {
    const client = await newClient({ accessTokenTtlSeconds: 3 });
    const { id } = await connect('http', genericOAuth(client));
    const wf = await workflow([userinfo(id)]);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1_700)); // past half the 3 s lifetime: refreshed ahead
      const e = await finished(await run(wf.id));
      expect([e.status, e.error]).toEqual(['succeeded', null]);
    }
    const s = await stats(client.clientId);
    expect(s.tokenRequests.refresh_token).toBe(3);
    expect(s.refreshReuse).toBe(0);
  });

  it('a 401 to a token the platform thought valid: refreshed once and the step tried again', async () => {
    const client = await newClient();
    const { id } = await connect('http', genericOAuth(client));
    const wf = await workflow([userinfo(id)]);
    expect((await finished(await run(wf.id))).status).toBe('succeeded');
    await expireAt(client.clientId); // the provider expires it early (revoked, rotated keys…)
    const e = await finished(await run(wf.id));
    expect([e.status, e.error]).toEqual(['succeeded', null]);
    expect(e.steps[0].attempts).toBe(2);
    expect(e.steps[0].warnings.join(' ')).toMatch(/refused the access token.*refreshed it/);
    expect((await stats(client.clientId)).tokenRequests.refresh_token).toBe(1);
  });

  it('200 runs at token expiry across two workers: exactly one token request', async () => {
    const second = await t.startWorker();
    try {
      const client = await newClient({ slowTokenMs: 300 });
      const { id } = await connect('http', genericOAuth(client));
      const wf = await workflow([userinfo(id)]);
      expect((await finished(await run(wf.id))).status).toBe('succeeded');
      await expireAt(client.clientId);
      const ids = await Promise.all(Array.from({ length: 200 }, () => run(wf.id)));
      const done = await Promise.all(ids.map((id) => finished(id)));
      expect(done.filter((e) => e.status !== 'succeeded').map((e) => e.error)).toEqual([]);
      expect((await stats(client.clientId)).tokenRequests.refresh_token).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('a refused refresh marks the connection needs_reconnect, fails runs clearly without calling again, and a reconnect heals it', async () => {
    const client = await newClient({ accessTokenTtlSeconds: 1 });
    const { id } = await connect('http', genericOAuth(client));
    await fetch(`${mock.url}/oauth/__clients/${client.clientId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshFails: 'invalid_grant' }) });
    await new Promise((r) => setTimeout(r, 1_100));
    const wf = await workflow([userinfo(id)]);
    const e = await finished(await run(wf.id));
    expect(e.status).toBe('failed');
    expect(e.error).toMatch(/needs to be reconnected.*invalid_grant/);
    expect(await credential(id)).toMatchObject({ status: 'needs_reconnect', oauth2: { connected: false } });
    const refreshes = (await stats(client.clientId)).tokenRequests.refresh_token;
    const again = await finished(await run(wf.id));
    expect(again.error).toMatch(/needs to be reconnected/);
    expect((await stats(client.clientId)).tokenRequests.refresh_token).toBe(refreshes);
    // Reconnect: a new consent.
    await fetch(`${mock.url}/oauth/__clients/${client.clientId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshFails: null, accessTokenTtlSeconds: 3600 }) });
    await connect('http', {}, 'approve', id);
    expect((await credential(id)).status).toBe('ok');
    expect((await finished(await run(wf.id))).status).toBe('succeeded');
  });

  it('client credentials: a token at once; a wrong secret is refused and nothing is stored', async () => {
    const client = await newClient();
    const before = (await t.request('GET', '/api/credentials?limit=100', { token })).body.items.length;
    const bad = await t.request('POST', '/api/credentials', { token, body: { connector: 'http', name: 'cc', oauth2: { ...genericOAuth({ ...client, clientSecret: 'wrong' }, 'client_credentials') } } });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ path: 'oauth2.clientSecret', message: expect.stringMatching(/invalid_client|refused/) })]);
    expect((await t.request('GET', '/api/credentials?limit=100', { token })).body.items.length).toBe(before);

    const good = await t.request('POST', '/api/credentials', { token, body: { connector: 'http', name: 'cc', oauth2: genericOAuth(client, 'client_credentials') } });
    expect(good.body).toMatchObject({ status: 'ok', oauth2: { grant: 'client_credentials', connected: true } });
    const wf = await workflow([userinfo(good.body.id)]);
    expect((await finished(await run(wf.id))).status).toBe('succeeded');
    await expireAt(client.clientId);
    expect((await finished(await run(wf.id))).status).toBe('succeeded');
    expect((await stats(client.clientId)).tokenRequests.client_credentials).toBe(2);
  });

  it('bad OAuth2 settings get field errors', async () => {
    const r = await t.request('POST', '/api/credentials', { token, body: { connector: 'http', name: 'x', oauth2: { clientId: 'a', clientSecret: 'b', tokenUrl: 'ftp://x' } } });
    expect(r.status).toBe(400);
    expect(r.body.details.map((e: { path: string }) => e.path)).toContain('oauth2.tokenUrl');
    const missing = await t.request('POST', '/api/credentials', { token, body: { connector: 'http', name: 'x', oauth2: { clientId: 'a', clientSecret: 'b' } } });
    expect(missing.body.details.map((e: { path: string }) => e.path).sort()).toEqual(['oauth2.authorizationUrl', 'oauth2.tokenUrl']);
    const both = await t.request('POST', '/api/credentials', { token, body: { connector: 'http', name: 'x', data: {}, oauth2: { clientId: 'a', clientSecret: 'b' } } });
    expect(both.status).toBe(400);
    const noOAuth = await t.request('POST', '/api/credentials', { token, body: { connector: 'openweather', name: 'x', oauth2: { clientId: 'a', clientSecret: 'b' } } });
    expect(noOAuth.body.details).toEqual([expect.objectContaining({ path: 'connector', message: expect.stringMatching(/no OAuth2/) })]);
  });

  it('deleting an OAuth2 connection revokes its tokens at the provider', async () => {
    const client = await newClient();
    const { id } = await connect('http', genericOAuth(client));
    expect((await t.request('DELETE', `/api/credentials/${id}`, { token })).status).toBe(204);
    expect((await stats(client.clientId)).revoked).toBe(1);
  });

  it('Slack: an expired bot token answered 200 { ok: false, error: token_expired } is refreshed and the message posted', async () => {
    const client = await newClient({}, '/slack/oauth');
    const { id } = await connect('slack', { ...client, scopes: ['chat:write'] });
    const wf = await workflow([{ id: 'post', connector: 'slack', action: 'send_message', credentialId: id, input: { channel: '#general', text: 'hello' }, retry: { attempts: 1 } }]);
    expect((await finished(await run(wf.id))).status).toBe('succeeded');
    await expireAt(client.clientId, '/slack/oauth');
    const e = await finished(await run(wf.id));
    expect([e.status, e.error]).toEqual(['succeeded', null]);
    expect(e.steps[0].attempts).toBe(2);
    expect((await stats(client.clientId, '/slack/oauth')).tokenRequests.refresh_token).toBe(1);
  });

  it('Salesforce: the token answer names the instance the REST API is called on', async () => {
    const client = await newClient({}, '/salesforce/services/oauth2');
    const { id } = await connect('salesforce', client);
    const wf = await workflow([{ id: 'q', connector: 'salesforce', action: 'query', credentialId: id, input: { soql: 'SELECT Id, Name FROM Account LIMIT 2' }, retry: { attempts: 1 } }]);
    const e = await finished(await run(wf.id));
    expect([e.status, e.error]).toEqual(['succeeded', null]);
    const test = await t.request('POST', `/api/credentials/${id}/test`, { token });
    expect(test.body).toMatchObject({ ok: true, status: 'ok' });
  });

  it('Test connection, usage and health from runs', async () => {
    const good = (await t.request('POST', '/api/credentials', { token, body: { connector: 'openweather', name: 'ow', data: { apiKey: 'mock-openweather-key' } } })).body;
    const bad = (await t.request('POST', '/api/credentials', { token, body: { connector: 'openweather', name: 'ow bad', data: { apiKey: 'wrong' } } })).body;
    expect(good.status).toBe('untested');
    const ok = await t.request('POST', `/api/credentials/${good.id}/test`, { token });
    expect(ok.body).toMatchObject({ ok: true, status: 'ok' });
    const ko = await t.request('POST', `/api/credentials/${bad.id}/test`, { token });
    expect(ko.body).toMatchObject({ ok: false, status: 'error', message: expect.stringMatching(/401|rejected/) });
    expect(await credential(bad.id)).toMatchObject({ status: 'error', lastError: ko.body.message });

    const step = (credentialId: string) => ({ id: 'w', connector: 'openweather', action: 'current_weather', credentialId, input: { city: 'London' }, retry: { attempts: 1 } });
    const nested = await workflow([{ id: 'each', type: 'loop', items: '{{items}}', steps: [step(bad.id)] }]);
    const usage = await t.request('GET', `/api/credentials/${bad.id}/usage`, { token });
    expect(usage.body.workflows.map((w: { id: string }) => w.id)).toEqual([nested.id]);

    // A run that succeeds with a credential marks it healthy; one the provider refuses, broken.
    const third = (await t.request('POST', '/api/credentials', { token, body: { connector: 'openweather', name: 'ow 3', data: { apiKey: 'mock-openweather-key' } } })).body;
    expect((await finished(await run((await workflow([step(third.id)])).id))).status).toBe('succeeded');
    await waitFor('the success recorded', async () => (await credential(third.id)).status === 'ok' || undefined, 10_000);
    const fourth = (await t.request('POST', '/api/credentials', { token, body: { connector: 'openweather', name: 'ow 4', data: { apiKey: 'wrong' } } })).body;
    expect((await finished(await run((await workflow([step(fourth.id)])).id))).status).toBe('failed');
    await waitFor('the failure recorded', async () => (await credential(fourth.id)).status === 'error' || undefined, 10_000);
  });

  it('an HTTP connection with a user-set limit (120 a minute): calls spaced 500 ms apart across runs', async () => {
    // The receiving end in a process of its own: its clock is not held up by this (loaded) process's event loop.
    const port = await freePort();
    const receiver = spawn(process.execPath, ['../scripts/mock-apis/server.js'], { env: { ...process.env, MOCK_APIS_PORT: String(port) }, stdio: 'ignore' });
    try {
      await listening(port, 'mock apis');
      const url = `http://127.0.0.1:${port}`;
      const cred = (await t.request('POST', '/api/credentials', { token, body: { connector: 'http', name: 'limited api', data: { type: 'none', rateLimitPerMinute: 120 } } })).body;
      const wf = await workflow([{ id: 'get', connector: 'http', action: 'request', credentialId: cred.id, input: { url: `${url}/http/anything/limited` } }]);
      const done = await Promise.all((await Promise.all(Array.from({ length: 4 }, () => run(wf.id)))).map((id) => finished(id)));
      expect(done.map((e) => e.status)).toEqual(Array(4).fill('succeeded'));
      const recorded = (await (await fetch(`${url}/__requests`)).json()) as { path: string; time: string }[];
      const times = recorded.filter((r) => r.path === '/http/anything/limited').map((r) => Date.parse(r.time)).sort((a, b) => a - b);
      expect(times).toHaveLength(4);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(470);
    } finally {
      receiver.kill('SIGKILL');
    }
  });

  /** A Slack webhook on which the mock enforces Slack's 1 message/s as Slack does (429 + Retry-After). */
  const limitedSlackWebhook = () => `${mock.url}/slack/services/T00000000/B00000000/tributarymockwebhook0001?mock-rate-limit`;
  /** The Slack posts the mock received since its reset: none refused with a 429, each at least the 1 s apart (less the mock's clock margin); their times, sorted. */
  const spacedSlackPosts = () => {
    const posts = mock.requests.filter((r) => r.path.startsWith('/slack/services/'));
    expect(posts.filter((r) => r.headers['x-mock-rate-limited'])).toEqual([]);
    const times = posts.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(950);
    return { posts, times };
  };

  it("a Slack connection's 1 message/s: 8 runs at once all delivered, spaced, no provider 429, the wait in the step's timing", async () => {
    const webhookUrl = limitedSlackWebhook();
    const cred = (await t.request('POST', '/api/credentials', { token, body: { connector: 'slack', name: 'slack limited', data: { webhookUrl } } })).body;
    const wf = await workflow([{ id: 'post', connector: 'slack', action: 'send_message', credentialId: cred.id, input: { text: 'limited {{$execution.id}}' } }]);
    mock.reset();
    const ids = await Promise.all(Array.from({ length: 8 }, () => run(wf.id)));
    const done = await Promise.all(ids.map((id) => finished(id)));
    expect(done.map((e) => e.status)).toEqual(Array(8).fill('succeeded'));
    expect(spacedSlackPosts().posts).toHaveLength(8);
    expect(Math.max(...done.map((e) => e.steps[0].throttledMs ?? 0))).toBeGreaterThanOrEqual(6_000);
  });

  describe('a worker of two slots and a queue on a 1 message/s connection', () => {
    let small: As;
    beforeAll(async () => {
      // Turns more than a second off park the run (WAIT_DURABLE_AFTER_MS), as a long delay does.
      const app = await createTestApp({ CONNECTOR_SLACK_BASE_URL: `${mock.url}/slack`, WORKER_CONCURRENCY: '2', WAIT_DURABLE_AFTER_MS: '1000' });
      small = { app, tok: '' };
      await app.startWorker();
      small.tok = (await app.register()).token;
    });
    afterAll(async () => {
      await small?.app.close();
    });

    it("parks the runs whose turn is far off: other work goes through the worker's slots meanwhile, and every message is still spaced, delivered once and in the step's timing", async () => {
      const webhookUrl = limitedSlackWebhook();
      const cred = (await small.app.request('POST', '/api/credentials', { token: small.tok, body: { connector: 'slack', name: 'slack limited', data: { webhookUrl } } })).body;
      const slack = await workflow([{ id: 'post', connector: 'slack', action: 'send_message', credentialId: cred.id, input: { text: 'queued {{$execution.id}}' } }], small);
      const other = await workflow([{ id: 'sum', connector: 'core', action: 'transform', input: { value: { ok: true } } }], small);
      mock.reset();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await run(slack.id, small));
      // The later ones park on their turn (shown as a timer wait that says why) instead of sleeping in a slot.
      const parked = await waitFor('a run parked on its turn', async () => {
        for (const id of ids) {
          const e = await execution(id, small);
          if (e.status === 'waiting') return e;
        }
        return undefined;
      }, 15_000);
      expect(parked.waits).toEqual([expect.objectContaining({ kind: 'duration', path: 'post', message: "Waiting for its turn on the connection's rate limit", dueAt: expect.any(String) })]);
      expect(parked.steps).toEqual([expect.objectContaining({ stepId: 'post', status: 'waiting', output: expect.objectContaining({ throttled: true }) })]);
      // Work queued after all six finishes while Slack runs are still parked (with their slots held, it waited for them).
      const otherId = await run(other.id, small);
      const otherDone = await waitFor('the other run', async () => {
        const e = await execution(otherId, small);
        return e.status === 'succeeded' ? e : undefined;
      }, 15_000);
      const statuses = await Promise.all(ids.map(async (id) => (await execution(id, small)).status as string));
      expect(statuses.filter((x) => x === 'waiting').length).toBeGreaterThan(0);
      const done = await Promise.all(ids.map((id) => finished(id, small)));
      expect(done.map((e) => e.status)).toEqual(Array(6).fill('succeeded'));
      const { posts, times } = spacedSlackPosts();
      expect(posts).toHaveLength(6);
      expect(Date.parse(otherDone.finishedAt)).toBeLessThan(times[times.length - 1]);
      // A parked run's wait shows in its step's timing, and it was resumed from its turn, not queued again behind later ones.
      expect(Math.max(...done.map((e) => e.steps[0].throttledMs ?? 0))).toBeGreaterThanOrEqual(4_000);
      expect(done.every((e) => e.steps.length === 1 && e.steps[0].attempts === 1)).toBe(true);
    });

    it('a loop over a rate-limited connection parks between its items and resumes where it was: each item posted once, spaced, none refused', async () => {
      const webhookUrl = limitedSlackWebhook();
      const cred = (await small.app.request('POST', '/api/credentials', { token: small.tok, body: { connector: 'slack', name: 'slack loop', data: { webhookUrl } } })).body;
      const wf = await workflow(
        [{ id: 'each', type: 'loop', items: '{{lines}}', concurrency: 2, steps: [{ id: 'post', connector: 'slack', action: 'send_message', credentialId: cred.id, input: { text: 'line {{item}}' } }] }],
        small,
      );
      mock.reset();
      // A second run first, so this one's later items are more than a second off.
      const first = await run(wf.id, small, { lines: [0, 1] });
      const id = await run(wf.id, small, { lines: [1, 2, 3, 4, 5] });
      let sawWaiting = false;
      const done = await waitFor('the loop run', async () => {
        const e = await execution(id, small);
        if (e.status === 'waiting') sawWaiting = true;
        return isFinal(e) ? e : undefined;
      }, 60_000);
      await waitFor('the first run', async () => isFinal(await execution(first, small)) || undefined, 30_000);
      expect({ status: done.status, error: done.error }).toEqual({ status: 'succeeded', error: null });
      expect(sawWaiting).toBe(true);
      const items = done.steps.filter((r: { stepId: string }) => r.stepId === 'post');
      expect(items.map((r: { path: string }) => r.path).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `each[${i}].post`));
      expect(items.every((r: { status: string; attempts: number }) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
      const texts = spacedSlackPosts().posts.map((r) => (r.body as { text: string }).text);
      expect(texts.filter((x) => x !== 'line 0').sort()).toEqual(['line 1', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    });
  });
});
