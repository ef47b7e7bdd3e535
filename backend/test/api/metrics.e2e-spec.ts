/** GET /metrics scraped and parsed as Prometheus would, after traffic that each series should reflect. */
import { createTestApp, type TestApp } from '../helpers/app.js';
import { parseExposition, sampleValue as value } from '../helpers/prometheus.js';

describe('/metrics', () => {
  let t: TestApp;
  let guarded: TestApp;

  beforeAll(async () => {
    [t, guarded] = await Promise.all([createTestApp(), createTestApp({ METRICS_TOKEN: 'metrics-token-for-tests-0123' })]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), guarded?.close()]);
  });

  it('exposes HTTP durations by route pattern, queue depth, executions by status, step durations and process metrics', async () => {
    const { token } = await t.register();
    for (let i = 0; i < 3; i++) expect((await t.request('GET', '/health')).status).toBe(200);
    expect((await t.request('GET', '/api/no-such-route')).status).toBe(404);
    const wf = await t.request('POST', '/api/workflows', {
      token,
      body: { name: 'Counted', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: '{{n}}' } }] },
    });
    // No worker runs here: the two runs stay queued, their jobs waiting.
    for (let n = 0; n < 2; n++) expect((await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { n } })).status).toBe(202);
    const dry = await t.request('POST', `/api/workflows/${wf.body.id}/dry-run`, { token, body: { payload: { n: 1 } } });
    expect(dry.status).toBe(200);

    const res = await t.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseExposition(res.text);

    expect(m.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(value(m, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // Event-loop delay (prom-client's monitorEventLoopDelay, reset at each scrape): make soak plots it.
    expect(m.types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect(value(m, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThan(0);

    const http = 'tributary_http_request_duration_seconds';
    expect(m.types.get(http)).toBe('histogram');
    expect(value(m, `${http}_count`, { method: 'GET', route: '/health', status_code: '200' })).toBe(3);
    expect(value(m, `${http}_count`, { method: 'GET', route: '(unmatched)', status_code: '404' })).toBe(1);
    const hooks = { method: 'POST', route: '/api/webhooks/:workflowId', status_code: '202' };
    expect(value(m, `${http}_count`, hooks)).toBe(2);
    expect(value(m, `${http}_sum`, hooks)).toBeGreaterThan(0);
    expect(value(m, `${http}_bucket`, { ...hooks, le: '+Inf' })).toBe(2);
    expect(value(m, `${http}_bucket`, { ...hooks, le: '30' })).toBe(2);
    // Route patterns, never raw URLs with ids.
    expect(m.samples.some((s) => s.labels.route?.includes(wf.body.id))).toBe(false);

    expect(m.types.get('tributary_queue_jobs')).toBe('gauge');
    expect(value(m, 'tributary_queue_jobs', { queue: 'executions', state: 'waiting' })).toBe(2);
    expect(value(m, 'tributary_queue_jobs', { queue: 'executions', state: 'active' })).toBe(0);
    expect(value(m, 'tributary_queue_jobs', { queue: 'executions', state: 'delayed' })).toBe(0);
    expect(value(m, 'tributary_executions', { status: 'queued' })).toBe(2);
    expect(value(m, 'tributary_executions', { status: 'succeeded' })).toBe(0);
    // Every status has its series from the start, `waiting` (parked executions) included.
    expect(value(m, 'tributary_executions', { status: 'waiting' })).toBe(0);

    const step = { connector: 'core', action: 'transform', status: 'succeeded' };
    expect(m.types.get('tributary_step_duration_seconds')).toBe('histogram');
    expect(value(m, 'tributary_step_duration_seconds_count', step)).toBe(1);
    expect(value(m, 'tributary_step_duration_seconds_bucket', { ...step, le: '+Inf' })).toBe(1);

    expect(m.types.get('tributary_websocket_connections')).toBe('gauge');
    expect(value(m, 'tributary_websocket_connections')).toBeGreaterThanOrEqual(0);
    expect(m.samples.filter((s) => s.name === 'tributary_metrics_scrape_errors').map((s) => s.value)).toEqual([0, 0]);

    // The scrape itself is an HTTP request like any other, and /metrics is not under /api.
    const again = parseExposition((await t.request('GET', '/metrics')).text);
    expect(value(again, `${http}_count`, { method: 'GET', route: '/metrics', status_code: '200' })).toBe(1);
    expect((await t.request('GET', '/api/metrics')).status).toBe(404);
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const none = await guarded.request('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await guarded.request('GET', '/metrics', { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    const ok = await guarded.request('GET', '/metrics', { headers: { authorization: 'Bearer metrics-token-for-tests-0123' } });
    expect(ok.status).toBe(200);
    expect(parseExposition(ok.text).types.get('tributary_http_request_duration_seconds')).toBe('histogram');
  });
});
