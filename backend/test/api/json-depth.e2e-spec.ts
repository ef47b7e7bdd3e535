import { ExecutionsService } from '../../src/executions/executions.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** `{"a":{"a":…[1]…}}`: `levels` objects and arrays nested in one another. */
const nestedJson = (levels: number) => '{"a":'.repeat(levels - 1) + '[1]' + '}'.repeat(levels - 1);

describe('deeply nested JSON', () => {
  let t: TestApp;
  let token: string;
  let tenantId: string;
  let workflowId: string;
  beforeAll(async () => {
    t = await createTestApp();
    ({ token, user: { tenantId } } = await t.register());
    const wf = await t.request('POST', '/api/workflows', { token, body: { name: 'deep', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: 1 } }] } });
    workflowId = wf.body.id;
  });
  afterAll(async () => t?.close());

  const post = (raw: string) => t.request('POST', `/api/webhooks/${workflowId}`, { raw, headers: { 'content-type': 'application/json' } });

  it('answers 400 naming MAX_JSON_DEPTH to a body 10,000 levels deep, and accepts every webhook sent beside it', async () => {
    const deep = nestedJson(10_000);
    expect(deep.length).toBeGreaterThan(40_000);
    const others = Array.from({ length: 60 }, (_, i) => JSON.stringify({ n: i, user: { name: `u${i}` } }));
    const [refused, ...accepted] = await Promise.all([post(deep), ...others.map(post)]);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'JSON is nested too deeply: at most 64 levels of objects and arrays' });
    expect(refused.body.details).toEqual([{ path: Array(64).fill('a').join('.'), message: 'nested deeper than 64 levels' }]);
    expect(accepted.map((r) => r.status)).toEqual(others.map(() => 202));
    const recorded = await t.request('GET', `/api/executions/${accepted[0].body.executionId}`, { token });
    expect(recorded.body.payload).toEqual({ n: 0, user: { name: 'u0' } });
  });

  it('accepts a body exactly at the limit, and refuses one level more on the API routes too', async () => {
    expect((await post(nestedJson(64))).status).toBe(202);
    expect((await post(nestedJson(65))).status).toBe(400);
    const onApi = await t.request('POST', '/api/workflows', {
      token,
      raw: `{"name":"x","trigger":{"type":"manual"},"tags":${nestedJson(65)}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(onApi.status).toBe(400);
    expect(onApi.body.message).toBe('JSON is nested too deeply: at most 64 levels of objects and arrays');
  });

  it('fails alone an execution whose payload cannot be encoded, not the others of its INSERT', async () => {
    // Past the HTTP guard (events, schedules and retries start executions too): the batch encodes each row on its own.
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const executions = t.app.get(ExecutionsService);
    const start = (payload: unknown) => executions.start({ tenantId, workflowId, workflowVersion: 1, triggerType: 'manual', payload });
    const results = await Promise.allSettled([start({ n: 1 }), start(deep), start({ n: 2 })]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ statusCode: 400, message: 'The payload cannot be stored: it is nested too deeply to encode as JSON' });
    for (const r of [results[0], results[2]] as PromiseFulfilledResult<{ executionId: string }>[]) {
      expect((await t.request('GET', `/api/executions/${r.value.executionId}`, { token })).status).toBe(200);
    }
  });
});
