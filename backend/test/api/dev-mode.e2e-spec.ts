/**
 * The first five minutes of `make dev`: "Skip login — dev mode" (POST /api/auth/dev-login) lands in
 * the workspace the demo seed (scripts/seed.mjs) filled, with its workflows and connections; with
 * nothing seeded it makes a dev user of its own; with DEV_MODE off it does not exist.
 */
import { startMockApis, type MockApis } from '../../../scripts/mock-apis/server.js';
import { DEMO_EMAIL, seedDemo } from '../../../scripts/seed.mjs';
import { connectors } from '../../src/connectors/registry.js';
import { DEMO_USER_EMAIL, DEV_USER_EMAIL } from '../../src/auth/auth.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { jest } from '@jest/globals';

jest.setTimeout(120_000);

describe('dev mode after the demo seed', () => {
  let mock: MockApis;
  let t: TestApp;

  beforeAll(async () => {
    mock = await startMockApis({ port: 0 });
    const baseUrls = Object.fromEntries(connectors.map((c) => [`CONNECTOR_${c.key.toUpperCase()}_BASE_URL`, `${mock.url}/${c.key}`]));
    t = await createTestApp(baseUrls);
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  it('signs in as the dev user while nothing is seeded, then as the demo user among the demo workflows and connections', async () => {
    const before = await t.request('POST', '/api/auth/dev-login', { body: {} });
    expect(before.status).toBe(200);
    expect(before.body.user.email).toBe(DEV_USER_EMAIL);

    await seedDemo(t.baseUrl, mock.url);
    // The api and the seed name the same account.
    expect(DEMO_USER_EMAIL).toBe(DEMO_EMAIL);
    const demo = await t.request('POST', '/api/auth/login', { body: { email: DEMO_EMAIL, password: 'password123' } });

    const dev = await t.request('POST', '/api/auth/dev-login', { body: {} });
    expect(dev.status).toBe(200);
    expect(dev.body.user).toMatchObject({ id: demo.body.user.id, email: DEMO_EMAIL, tenantId: demo.body.user.tenantId, tenantName: 'Demo workspace' });
    const token = dev.body.token as string;
    const workflows = (await t.request('GET', '/api/workflows?limit=100', { token })).body.items as { name: string }[];
    expect(workflows.map((w) => w.name)).toEqual(expect.arrayContaining(['Order confirmation to Slack', 'Order fan-out (loop)', 'Refund approval (wait for approval)']));
    const credentials = (await t.request('GET', '/api/credentials?limit=100', { token })).body.items as { name: string }[];
    expect(credentials.map((c) => c.name)).toEqual(expect.arrayContaining(['Demo OAuth2 API (mock)']));
    expect(credentials.length).toBeGreaterThan(1);

    // Each dev sign-in is audited in the demo workspace.
    const audit = (await t.request('GET', '/api/audit?action=auth.dev_login', { token })).body.items as { userId: string }[];
    expect(audit.map((a) => a.userId)).toEqual([demo.body.user.id]);
  });
});

describe('dev mode off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DEV_MODE: 'false' });
  });
  afterAll(async () => t?.close());

  it('refuses dev-login even once the demo user exists', async () => {
    expect((await t.request('POST', '/api/auth/register', { body: { email: DEMO_EMAIL, password: 'password123', organization: 'Demo workspace' } })).status).toBe(201);
    expect((await t.request('POST', '/api/auth/dev-login', { body: {} })).status).toBe(404);
    expect((await t.request('GET', '/api/auth/options')).body).toEqual({ devMode: false });
  });
});
