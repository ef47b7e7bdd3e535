/**
 * `make dev`'s demo data (scripts/seed.mjs) against a real api and worker: every demo is created, its
 * seeded run ends as its description says (the failing demo fails, the approval waits), the OAuth2
 * demo connection is connected, and seeding again creates nothing.
 */
import { startMockApis, type MockApis } from '../../../scripts/mock-apis/server.js';
import { seedDemo } from '../../../scripts/seed.mjs';
import { connectors } from '../../src/connectors/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { jest } from '@jest/globals';

jest.setTimeout(120_000);

describe('demo seed (make dev)', () => {
  let mock: MockApis;
  let t: TestApp;

  beforeAll(async () => {
    mock = await startMockApis({ port: 0 });
    const baseUrls = Object.fromEntries(connectors.map((c) => [`CONNECTOR_${c.key.toUpperCase()}_BASE_URL`, `${mock.url}/${c.key}`]));
    t = await createTestApp({ ...baseUrls, WORKER_CONCURRENCY: '20' });
    await t.startWorker();
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  it('creates every demo, their runs end as described, and a second seed creates nothing', async () => {
    const first = await seedDemo(t.baseUrl, mock.url);
    expect(first.summary).toMatch(/created \d+ credentials and \d+ workflows/);
    const login = await t.request('POST', '/api/auth/login', { body: { email: 'demo@tributary.local', password: 'password123' } });
    const token = login.body.token as string;
    expect(token).toBeDefined();
    const creds = (await t.request('GET', '/api/credentials?limit=100', { token })).body.items as { name: string; status: string; kind: string }[];
    expect(creds.find((c) => c.name === 'Demo OAuth2 API (mock)')).toMatchObject({ kind: 'oauth2', status: 'ok' });

    const byName = async (name: string) => {
      const wfs = (await t.request('GET', '/api/workflows?limit=100', { token })).body.items as { id: string; name: string }[];
      const wf = wfs.find((w) => w.name === name)!;
      return waitFor(`a finished run of ${name}`, async () => {
        const list = (await t.request('GET', `/api/executions?workflowId=${wf.id}&limit=1`, { token })).body.items;
        return list[0] && ['succeeded', 'failed', 'waiting'].includes(list[0].status) ? list[0] : undefined;
      }, 60_000);
    };
    expect((await byName('Who am I (OAuth2 connection)')).status).toBe('succeeded');
    const paged = await byName('Fetch every page (HTTP pagination) and total it (code step)');
    expect(paged.status).toBe('succeeded');
    const detail = (await t.request('GET', `/api/executions/${paged.id}`, { token })).body;
    expect(detail.steps.find((s: { stepId: string }) => s.stepId === 'total').output).toMatchObject({ result: { count: 23, sum: 276 }, logs: ['items 23'] });
    expect((await byName('Partner sync (fails on purpose)')).status).toBe('failed');
    expect(first.approval?.executionId).toBeTruthy();
    // The support agent looked the order up through its sub-workflow, drafted a reply and waits for a person to approve posting it.
    const agentRun = await waitFor('the support agent to wait for approval', async () => {
      const e = await byName('Support agent (AI, approval before it posts)');
      return e.status === 'waiting' ? e : undefined;
    }, 60_000);
    const agent = (await t.request('GET', `/api/executions/${agentRun.id}`, { token })).body;
    expect(agent.waits).toEqual([expect.objectContaining({ path: 'agent[1].approve[0]', kind: 'approval', message: expect.stringContaining('post_reply') })]);
    expect(agent.steps.find((s: { path?: string }) => s.path === 'agent[0].tools[0]').output).toMatchObject({ orderId: 'A-1042', status: 'shipped' });
    expect(agent.waits[0].message).toContain('shipped');

    const again = await seedDemo(t.baseUrl, mock.url);
    expect(again.summary).toMatch(/already has every demo/);
  });
});
