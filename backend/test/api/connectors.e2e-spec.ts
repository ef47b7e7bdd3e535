import { startMockApis, type MockApis } from '../../../scripts/mock-apis/server.js';
import { connectors } from '../../src/connectors/registry.js';
import { rebaseOnMock } from '../../src/connectors/testing.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Every connector action that has a sample, run in a real workflow (api → queue → worker → engine →
 * connector → mock APIs) with its credential taken from the encrypted store.
 */
describe('connectors in real workflows', () => {
  let mock: MockApis;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    mock = await startMockApis({ port: 0 });
    const baseUrls = Object.fromEntries(connectors.map((c) => [`CONNECTOR_${c.key.toUpperCase()}_BASE_URL`, `${mock.url}/${c.key}`]));
    t = await createTestApp({ ...baseUrls, WORKER_CONCURRENCY: '20' });
    await t.startWorker();
    token = (await t.register()).token;
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  const credentialFor = async (key: string, data: unknown): Promise<string> => {
    const res = await t.request('POST', '/api/credentials', { token, body: { connector: key, name: `${key} (mock)`, data } });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const finished = (id: string) =>
    waitFor(`execution ${id}`, async () => {
      const r = await t.request('GET', `/api/executions/${id}`, { token });
      return ['succeeded', 'failed'].includes(r.body?.status) ? r.body : undefined;
    }, 30_000);

  // Actions that call out (the built-in `core` steps are pure: no mock request to see).
  const cases = connectors.flatMap((c) => c.actions.filter((a) => a.sample && !a.pure).map((a) => [c.key, a.key] as const));

  it('covers every connector that calls out', () => {
    expect(new Set(cases.map(([c]) => c))).toEqual(new Set(connectors.filter((c) => c.actions.some((a) => !a.pure)).map((c) => c.key)));
  });

  it.each(cases)('%s.%s succeeds against the mock', async (key, actionKey) => {
    const connector = connectors.find((c) => c.key === key)!;
    const action = connector.actions.find((a) => a.key === actionKey)!;
    const credentialId = connector.sampleCredentials ? await credentialFor(key, rebaseOnMock(connector.sampleCredentials, mock.url)) : undefined;
    const wf = await t.request('POST', '/api/workflows', {
      token,
      body: { name: `${key}.${actionKey}`, trigger: { type: 'manual' }, steps: [{ id: 'call', connector: key, action: actionKey, credentialId, input: rebaseOnMock(action.sample, mock.url) }] },
    });
    expect(wf.status).toBe(201);
    const before = mock.requests.length;
    const run = await t.request('POST', `/api/workflows/${wf.body.id}/run`, { token, body: {} });
    const e = await finished(run.body.executionId);
    expect([e.status, e.error]).toEqual(['succeeded', null]);
    expect(e.steps[0].output).toBeDefined();
    expect(mock.requests.length).toBeGreaterThan(before);
  });

  it('turns bad credentials into a clear step error, without the secret', async () => {
    const credentialId = await credentialFor('slack', { webhookUrl: `${mock.url}/slack/services/T00000000/B00000000/wrong-secret-token` });
    const wf = await t.request('POST', '/api/workflows', {
      token,
      body: { name: 'bad slack', trigger: { type: 'manual' }, steps: [{ id: 'post', connector: 'slack', action: 'send_message', credentialId, input: { text: 'hi' } }] },
    });
    const run = await t.request('POST', `/api/workflows/${wf.body.id}/run`, { token, body: {} });
    const e = await finished(run.body.executionId);
    expect(e.status).toBe('failed');
    expect(e.steps[0].error).toMatch(/Slack rejected the webhook URL \(403/);
    expect(JSON.stringify(e)).not.toContain('wrong-secret-token');
  });

  it('shows *** instead of a credential an endpoint echoes back, in the recorded steps and to later steps', async () => {
    const apiKey = await credentialFor('http', { type: 'apiKey', name: 'X-API-Key', value: 'mock-http-api-key', in: 'header' });
    const basic = await credentialFor('http', { type: 'basic', username: 'echo-user', password: 'echo-pa55word' });
    const echo = `${mock.url}/http/anything/echo`;
    const wf = await t.request('POST', '/api/workflows', {
      token,
      body: {
        name: 'echo',
        trigger: { type: 'manual' },
        steps: [
          { id: 'key', connector: 'http', action: 'request', credentialId: apiKey, input: { method: 'GET', url: echo, query: { note: 'sent' } } },
          { id: 'basic', connector: 'http', action: 'request', credentialId: basic, input: { method: 'POST', url: echo, body: { forwarded: '{{steps.key.body.headers.x-api-key}}' } } },
        ],
      },
    });
    expect(wf.status).toBe(201);
    const run = await t.request('POST', `/api/workflows/${wf.body.id}/run`, { token, body: {} });
    const e = await finished(run.body.executionId);
    expect(e.status).toBe('succeeded');
    // The endpoint really received (and echoed) the secrets…
    const received = mock.requests.filter((r) => r.path === '/http/anything/echo').slice(-2);
    expect(received.map((r) => [r.headers['x-api-key'], r.headers.authorization])).toEqual([
      ['mock-http-api-key', undefined],
      [undefined, `Basic ${Buffer.from('echo-user:echo-pa55word').toString('base64')}`],
    ]);
    // …and the execution detail, readable by every viewer, shows *** for them.
    expect(e.steps[0].output.body.headers['x-api-key']).toBe('***');
    expect(e.steps[1].output.body.headers.authorization).toBe('Basic ***');
    expect(e.steps[1].input.body).toEqual({ forwarded: '***' });
    expect(e.steps[1].output.body.json).toEqual({ forwarded: '***' });
    expect(e.steps[1].output.body.headers['x-api-key']).toBeUndefined();
    const detail = JSON.stringify(e);
    for (const secret of ['mock-http-api-key', 'echo-pa55word', Buffer.from('echo-user:echo-pa55word').toString('base64')]) expect(detail).not.toContain(secret);
  });

  it('bridges REST to SOAP: a sync webhook answers JSON from the SOAP service, and a SOAP fault is a clear error', async () => {
    const soap = connectors.find((c) => c.key === 'soap')!;
    const credentialId = await credentialFor('soap', rebaseOnMock(soap.sampleCredentials, mock.url));
    const wf = await t.request('POST', '/api/workflows', {
      token,
      body: {
        name: 'order status bridge',
        trigger: { type: 'webhook', responseMode: 'sync' },
        steps: [
          { id: 'soap', connector: 'soap', action: 'call', credentialId, input: { operation: 'GetOrderStatus', namespace: 'http://tributary.dev/legacy/orders', parameters: { OrderId: '{{orderId}}' } } },
          { id: 'answer', connector: 'core', action: 'transform', input: { value: { orderId: '{{orderId}}', status: '{{steps.soap.result.GetOrderStatusResult.Status}}' } } },
        ],
      },
    });
    expect(wf.status).toBe(201);
    const res = await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { orderId: '1002' } });
    expect(res.status).toBe(200);
    expect(res.body.orderId).toBe('1002');
    expect(typeof res.body.status).toBe('string');
    expect(res.body.status.length).toBeGreaterThan(0);
    const sent = mock.requests.filter((r) => r.path.startsWith('/soap/')).at(-1)!;
    expect(sent.bodyText).toContain('<OrderId>1002</OrderId>');
    expect(sent.headers['content-type']).toMatch(/text\/xml/);

    const fault = await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { orderId: 'FAULT' } });
    expect(fault.status).toBe(502);
    expect(fault.body.message).toMatch(/SOAP fault/);
  });

  it('refuses SSRF targets when private targets are not allowed', async () => {
    const strict = await createTestApp({ ALLOW_PRIVATE_TARGETS: 'false' });
    try {
      const { token: tok } = await strict.register();
      for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:22/', 'http://10.0.0.1/', 'http://localhost/']) {
        const res = await strict.request('POST', '/api/workflows/dry-run', {
          token: tok,
          body: { workflow: { steps: [{ id: 'get', connector: 'http', action: 'request', input: { method: 'GET', url } }] } },
        });
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('failed');
        expect(res.body.steps[0].error).toMatch(/private|loopback|link-local|not allowed|refused/i);
      }
    } finally {
      await strict.close();
    }
  });
});
