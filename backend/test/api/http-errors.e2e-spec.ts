import { randomUUID } from 'node:crypto';
import { ExecutionsService } from '../../src/executions/executions.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

describe('HTTP edges', () => {
  let t: TestApp;
  let token: string;
  let tenantId: string;
  beforeAll(async () => {
    t = await createTestApp({ MAX_BODY_BYTES: '4096' });
    ({ token, user: { tenantId } } = await t.register());
  });
  afterAll(async () => t?.close());

  it('answers 413 over MAX_BODY_BYTES', async () => {
    const res = await t.request('POST', '/api/workflows', { token, body: { name: 'x'.repeat(5000), trigger: { type: 'manual' } } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('answers 400 to malformed JSON', async () => {
    const res = await t.request('POST', '/api/workflows', { token, raw: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Malformed JSON body' });
  });

  it('answers 415 to an unsupported content type', async () => {
    const res = await t.request('POST', '/api/workflows', { token, raw: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(415);
    expect(res.body.statusCode).toBe(415);
  });

  it('answers 404 in the error shape for unknown routes, with a request id', async () => {
    const res = await t.request('GET', '/api/nothing-here', { token, headers: { 'x-request-id': 'req-abc-123' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Route not found' });
    expect(res.headers['x-request-id']).toBe('req-abc-123');
  });

  it('enforces roles: a viewer reads but cannot write (403)', async () => {
    const { token: viewerToken } = await t.register();
    // Demote through the database: role management UI is not part of this API yet.
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    const me = await t.request('GET', '/api/auth/me', { token: viewerToken });
    await db.query(`UPDATE users SET role = 'viewer' WHERE id = $1`, [me.body.user.id]);
    await db.end();
    const login = await t.request('POST', '/api/auth/login', { body: { email: me.body.user.email, password: 'password123' } });
    const viewer = login.body.token;
    expect((await t.request('GET', '/api/workflows', { token: viewer })).status).toBe(200);
    const write = await t.request('POST', '/api/workflows', { token: viewer, body: { name: 'x', trigger: { type: 'manual' } } });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect((await t.request('GET', '/api/audit', { token: viewer })).status).toBe(403);
  });

  it('webhook ingress (a Fastify route outside Nest) keeps the same edges: 413, 400, 415, 404 shape, request id, security headers', async () => {
    const wf = (await t.request('POST', '/api/workflows', { token, body: { name: 'edges', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: 1 } }] } })).body;
    const path = `/api/webhooks/${wf.id}`;
    const big = await t.request('POST', path, { body: { blob: 'x'.repeat(5000) } });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'Request body is larger than the allowed maximum' });
    const bad = await t.request('POST', path, { raw: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(bad.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Malformed JSON body' });
    const xml = await t.request('POST', path, { raw: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);
    expect(xml.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    const key = await t.request('POST', path, { body: {}, headers: { 'idempotency-key': 'k'.repeat(256) } });
    expect(key.status).toBe(400);
    expect(key.body).toMatchObject({ statusCode: 400, message: 'Idempotency-Key is invalid', details: [{ path: 'Idempotency-Key', message: '1 to 255 characters' }] });
    const missing = await t.request('POST', '/api/webhooks/00000000-0000-4000-8000-000000000000', { body: {}, headers: { 'x-request-id': 'hook-req-1' } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Workflow not found' });
    expect(missing.headers['x-request-id']).toBe('hook-req-1');
    const ok = await t.request('POST', path, { body: { n: 1 } });
    expect(ok.status).toBe(202);
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect(ok.headers['x-request-id']).toBeTruthy();
  });

  it('refuses a NUL character in JSON (PostgreSQL cannot store it) with the field, and only that request of its tick', async () => {
    const wf = (await t.request('POST', '/api/workflows', { token, body: { name: 'nul', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: 1 } }] } })).body;
    const post = (raw: string) => t.request('POST', `/api/webhooks/${wf.id}`, { raw, headers: { 'content-type': 'application/json' } });
    const [ok1, bad, ok2, escaped] = await Promise.all([post('{"n":1}'), post('{"user":{"name":"a\\u0000b"}}'), post('{"n":2}'), post('{"text":"\\\\u0000"}')]);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'JSON strings cannot contain the NUL character (\\u0000)',
      details: [{ path: 'user.name', message: 'contains \\u0000, which cannot be stored' }],
    });
    // The same tick's other webhooks, and text that merely reads "\\u0000", are accepted and run.
    for (const r of [ok1, ok2, escaped]) expect(r.status).toBe(202);
    await t.startWorker();
    for (const r of [ok1, ok2, escaped]) {
      await waitFor('execution to succeed', async () => (await t.request('GET', `/api/executions/${r.body.executionId}`, { token })).body.status === 'succeeded');
    }
    expect((await t.request('GET', `/api/executions/${escaped.body.executionId}`, { token })).body.payload).toEqual({ text: '\\u0000' });
    const onApi = await t.request('POST', '/api/workflows', { token, body: { name: 'x\u0000', trigger: { type: 'manual' } } });
    expect(onApi.status).toBe(400);
    expect(onApi.body.details).toEqual([{ path: 'name', message: 'contains \\u0000, which cannot be stored' }]);
  });

  it('fails only the execution PostgreSQL refuses when it shares an INSERT with others (404 for a workflow deleted meanwhile)', async () => {
    const wf = (await t.request('POST', '/api/workflows', { token, body: { name: 'batch', trigger: { type: 'manual' } } })).body;
    const executions = t.app.get(ExecutionsService);
    const start = (workflowId: string) => executions.start({ tenantId, workflowId, workflowVersion: 1, triggerType: 'manual', payload: {} });
    const results = await Promise.allSettled([start(wf.id), start(randomUUID()), start(wf.id)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ statusCode: 404, message: 'Workflow not found' });
    // The others were recorded and queued together, and run (the worker started above).
    for (const r of [results[0], results[2]] as PromiseFulfilledResult<{ executionId: string }>[]) {
      await waitFor('execution to succeed', async () => (await t.request('GET', `/api/executions/${r.value.executionId}`, { token })).body.status === 'succeeded');
    }
  });

  it('answers 400 on `cursor`, not 500, to a cursor with a non-UUID id or an impossible time, on every list', async () => {
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const badId = cursor({ t: '1735787045123456', id: 'not-a-uuid' });
    const badTimes = [cursor({ t: '2024-02-30T00:00:00.000Z', id: randomUUID() }), cursor({ t: '99999999999999999999', id: randomUUID() })];
    const lists = ['/api/workflows', '/api/kong/templates', '/api/credentials', '/api/consumers', '/api/events', '/api/invitations', '/api/users', '/api/audit', '/api/executions', '/api/logs'];
    for (const path of lists) {
      const id = await t.request('GET', `${path}?cursor=${badId}`, { token });
      expect({ path, status: id.status, body: id.body }).toEqual({
        path,
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: 'Query is invalid', details: [{ path: 'cursor', message: 'Invalid cursor: its id is not a UUID' }] },
      });
      for (const bad of badTimes) {
        const time = await t.request('GET', `${path}?cursor=${bad}`, { token });
        expect({ path, status: time.status, details: time.body.details }).toEqual({ path, status: 400, details: [{ path: 'cursor', message: 'Invalid cursor: its position is not a valid time' }] });
      }
    }
  });

  it('refuses a NUL character (%00) in a query string or path parameter with a 400 naming it, on every route', async () => {
    const nul = (path: string) => ({ statusCode: 400, error: 'Bad Request', message: 'URL parameters cannot contain the NUL character (%00)', details: [{ path, message: 'contains the NUL character (%00), which cannot be stored' }] });
    const cases: [string, string, string][] = [
      ['GET', '/api/credentials?connector=%00', 'connector'],
      ['GET', '/api/audit?action=a%00b', 'action'],
      ['GET', '/api/executions?status=queued&workflowId=%00', 'workflowId'],
      ['GET', '/api/logs?cursor=%00', 'cursor'],
      ['GET', '/api/events?topic=a&topic=b%00', 'topic'],
      ['DELETE', '/api/workflows/a%00b', 'id'],
      ['POST', '/api/workflows/00000000-0000-4000-8000-000000000000/rollback/1%00', 'version'],
      ['POST', '/api/webhooks/%00', 'workflowId'],
    ];
    for (const [method, url, param] of cases) {
      const res = await t.request(method, url, { token, ...(method === 'POST' ? { body: {} } : {}) });
      expect({ url, status: res.status, body: res.body }).toEqual({ url, status: 400, body: nul(param) });
    }
    // The text "%00" itself (sent as %2500) is an ordinary value.
    expect((await t.request('GET', '/api/audit?action=%2500', { token })).status).toBe(200);
    expect((await t.request('GET', '/api/credentials?connector=%2500', { token })).status).toBe(200);
  });

  it('answers 400, not 500, to a date PostgreSQL cannot store (year 0000) in filters and scheduled events', async () => {
    const consumer = await t.request('POST', '/api/consumers', { token, body: { username: 'dates' } });
    const cases: [string, string, unknown, string][] = [
      ['GET', '/api/executions?from=0000-01-01T00:00:00Z', undefined, 'from'],
      ['GET', '/api/logs?to=0000-12-31T23:59:59%2B01:00', undefined, 'to'],
      ['GET', '/api/events?from=0000-06-01T00:00:00Z', undefined, 'from'],
      ['POST', '/api/events', { topic: 'late', deliverAt: '0000-01-01T00:00:00Z' }, 'deliverAt'],
      ['GET', `/api/consumers/${consumer.body.consumer.id}/usage?from=0000-01-01`, undefined, 'from'],
      ['GET', `/api/consumers/${consumer.body.consumer.id}/usage?to=0001-01-05`, undefined, 'to'],
    ];
    for (const [method, url, body, field] of cases) {
      const res = await t.request(method, url, { token, body });
      expect({ url, status: res.status, paths: res.body.details?.map((d: { path: string }) => d.path) }).toEqual({ url, status: 400, paths: [field] });
    }
    expect((await t.request('GET', '/api/executions?from=0001-01-01T00:00:00Z', { token })).status).toBe(200);
  });

  it('lets the dashboard origin make every method the API uses (CORS preflight), and no other origin', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await t.request('OPTIONS', '/api/workflows/00000000-0000-4000-8000-000000000000', {
        headers: { origin: 'http://localhost:3000', 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(String(res.headers['access-control-allow-methods']).split(/, */)).toContain(method);
    }
    const other = await t.request('OPTIONS', '/api/workflows', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('reports health of PostgreSQL and Redis', async () => {
    const res = await t.request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', queueBackend: 'redis', checks: { postgres: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('records an audit trail of logins and workflow changes', async () => {
    await t.request('POST', '/api/workflows', { token, body: { name: 'audited', trigger: { type: 'manual' } } });
    const res = await t.request('GET', '/api/audit', { token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['auth.register', 'workflow.create']));
  });
});
