/**
 * OpenTelemetry traces, exported over OTLP/HTTP to a receiver on loopback: one webhook makes one
 * trace (webhook accept → execution run in the worker → a span per step → a span per outbound HTTP
 * call), whose id the execution answers as `traceId`. Without OTEL_EXPORTER_OTLP_ENDPOINT nothing is
 * exported and `traceId` is null.
 */
import { createServer, type Server } from 'node:http';
import { executionSchema } from '@tributary/contracts';
import { flushTracing, TRACING } from '../../src/telemetry/tracing.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { waitFor } from '../helpers/wait.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number; message?: string };
}
interface ReceivedSpan extends Omit<OtlpSpan, 'attributes'> {
  service: string;
  attrs: Record<string, string | number | boolean | undefined>;
}

const value = (v: OtlpValue) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));

/** A minimal OTLP/HTTP receiver: collects the spans of every `POST /v1/traces` (JSON, as the exporter sends). */
async function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; requests: number; close(): Promise<void> }> {
  const state = { spans: [] as ReceivedSpan[], requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).includes('json')) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = String(value(rs.resource.attributes.find((a) => a.key === 'service.name')!.value));
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) state.spans.push({ ...s, service, attrs: Object.fromEntries(s.attributes.map((a) => [a.key, value(a.value)])) });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get spans() {
      return state.spans;
    },
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('tracing', () => {
  let sink: Sink;
  beforeAll(async () => {
    sink = await startSink();
  });
  afterAll(async () => sink?.close());

  async function slackWorkflow(t: TestApp, token: string, trigger: Record<string, unknown> = { type: 'webhook' }) {
    const cred = await t.request('POST', '/api/credentials', { token, body: { connector: 'slack', name: 'sink', data: { webhookUrl: `${sink.url}/services/T0/B0/secret-path` } } });
    expect(cred.status).toBe(201);
    const wf = await t.request('POST', '/api/workflows', {
      token,
      body: {
        name: 'traced',
        trigger,
        steps: [
          { id: 'greet', connector: 'core', action: 'transform', input: { value: 'Hello {{name}}' } },
          { id: 'notify', connector: 'slack', action: 'send_message', credentialId: cred.body.id, input: { text: '{{steps.greet}}' } },
        ],
      },
    });
    expect(wf.status).toBe(201);
    return wf.body as { id: string };
  }
  const finished = (t: TestApp, token: string, id: string) =>
    waitFor(`execution ${id} to finish`, async () => {
      const r = await t.request('GET', `/api/executions/${id}`, { token });
      return ['succeeded', 'failed'].includes(r.body?.status) ? executionSchema.parse(r.body) : undefined;
    });

  describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
    let t: TestApp;
    let token: string;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    beforeAll(async () => {
      receiver = await startReceiver();
      t = await createTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      await t.startWorker();
      token = (await t.register()).token;
    });
    afterAll(async () => {
      await t?.close();
      await receiver?.close();
    });

    /** The spans of one trace once `names` have all arrived (flushing the batch processor meanwhile). */
    const traceOf = (traceId: string, names: string[]) =>
      waitFor(`spans ${names.join(', ')} of trace ${traceId}`, async () => {
        await flushTracing();
        const spans = receiver.spans.filter((s) => s.traceId === traceId);
        return names.every((n) => spans.some((s) => s.name === n)) ? spans : undefined;
      });

    it('one webhook: accept, execution run in the worker, each step and the HTTP call, in one trace', async () => {
      expect(TRACING.enabled).toBe(true);
      const wf = await slackWorkflow(t, token);
      const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { name: 'Ada' } });
      expect(res.status).toBe(202);
      const e = await finished(t, token, res.body.executionId);
      expect(e.status).toBe('succeeded');
      expect(e.traceId).toMatch(/^[0-9a-f]{32}$/);

      const spans = await traceOf(e.traceId!, ['webhook.accept', 'execution.run', 'step core.transform', 'step slack.send_message', 'POST']);
      const one = (name: string) => {
        const found = spans.filter((s) => s.name === name);
        expect(found).toHaveLength(1);
        return found[0];
      };
      const accept = one('webhook.accept');
      const run = one('execution.run');
      const greet = one('step core.transform');
      const notify = one('step slack.send_message');
      const call = one('POST');
      expect(spans).toHaveLength(5);
      // The tree: the webhook is the root; the worker's run continues it across the queue.
      expect(accept.parentSpanId || undefined).toBeUndefined();
      expect(run.parentSpanId).toBe(accept.spanId);
      expect(greet.parentSpanId).toBe(run.spanId);
      expect(notify.parentSpanId).toBe(run.spanId);
      expect(call.parentSpanId).toBe(notify.spanId);

      expect(accept.attrs).toMatchObject({ 'tributary.workflow.id': wf.id, 'tributary.execution.id': e.id, 'tributary.webhook.mode': 'async' });
      expect(run.attrs).toMatchObject({ 'tributary.execution.id': e.id, 'tributary.workflow.id': wf.id, 'tributary.trigger.type': 'webhook', 'tributary.execution.attempt': 1, 'tributary.execution.status': 'succeeded' });
      expect(notify.attrs).toMatchObject({ 'tributary.step.path': 'notify', 'tributary.step.connector': 'slack', 'tributary.step.action': 'send_message', 'tributary.step.attempts': 1, 'tributary.step.status': 'succeeded' });
      expect(greet.attrs).toMatchObject({ 'tributary.step.connector': 'core', 'tributary.step.action': 'transform', 'tributary.step.status': 'succeeded' });
      const sinkPort = Number(new URL(sink.url).port);
      expect(call.attrs).toEqual({ 'http.request.method': 'POST', 'server.address': '127.0.0.1', 'server.port': sinkPort, 'url.scheme': 'http', 'http.response.status_code': 200 });
      // Kinds: SERVER (2) for the webhook, CONSUMER (5) for the run, CLIENT (3) for the call.
      expect([accept.kind, run.kind, call.kind]).toEqual([2, 5, 3]);
      expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['tributary-api']));
      // Nothing secret travels: not the credential's URL path, not the payload.
      const exported = JSON.stringify(spans);
      expect(exported).not.toContain('secret-path');
      expect(exported).not.toContain('Ada');
    });

    it('a failing step: its span and the run carry the error; a manual run starts its own trace', async () => {
      const wf = await t.request('POST', '/api/workflows', {
        token,
        body: { name: 'fails', trigger: { type: 'manual' }, steps: [{ id: 'boom', connector: 'http', action: 'request', input: { method: 'GET', url: `${sink.url.replace(/:\d+$/, ':1')}/nothing` }, retry: { attempts: 2, backoffMs: 1 } }] },
      });
      expect(wf.status).toBe(201);
      const run = await t.request('POST', `/api/workflows/${wf.body.id}/run`, { token, body: { payload: {} } });
      expect(run.status).toBe(202);
      const e = await finished(t, token, run.body.executionId);
      expect(e.status).toBe('failed');
      const spans = await traceOf(e.traceId!, ['execution.accept', 'execution.run', 'step http.request']);
      const byName = (n: string) => spans.find((s) => s.name === n)!;
      expect(byName('execution.run').parentSpanId).toBe(byName('execution.accept').spanId);
      expect(byName('execution.accept').attrs).toMatchObject({ 'tributary.trigger.type': 'manual' });
      expect(byName('step http.request').attrs).toMatchObject({ 'tributary.step.status': 'failed', 'tributary.step.attempts': 2 });
      expect(byName('step http.request').status?.code).toBe(2);
      expect(byName('execution.run').status?.code).toBe(2);
      // Each attempt's request is a CLIENT span under the step, marked failed.
      const calls = spans.filter((s) => s.kind === 3);
      expect(calls.length).toBe(2);
      expect(calls.every((c) => c.parentSpanId === byName('step http.request').spanId && c.status?.code === 2)).toBe(true);
    });

    it('a sync webhook runs in the api within the webhook trace', async () => {
      const wf = await slackWorkflow(t, token, { type: 'webhook', responseMode: 'sync' });
      const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { name: 'Grace' } });
      expect(res.status).toBe(200);
      const e = executionSchema.parse((await t.request('GET', `/api/executions/${res.headers['x-execution-id']}`, { token })).body);
      const spans = await traceOf(e.traceId!, ['webhook.accept', 'execution.run', 'step slack.send_message', 'POST']);
      const accept = spans.find((s) => s.name === 'webhook.accept')!;
      expect(accept.attrs['tributary.webhook.mode']).toBe('sync');
      expect(spans.find((s) => s.name === 'execution.run')!.parentSpanId).toBe(accept.spanId);
    });
  });

  describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    it('exports nothing and answers traceId null', async () => {
      const receiver = await startReceiver();
      const t = await createTestApp({});
      try {
        await t.startWorker();
        expect(TRACING.enabled).toBe(false);
        const { token } = await t.register();
        const wf = await slackWorkflow(t, token);
        const res = await t.request('POST', `/api/webhooks/${wf.id}`, { body: { name: 'Ada' } });
        const e = await finished(t, token, res.body.executionId);
        expect(e.status).toBe('succeeded');
        expect(e.traceId).toBeNull();
        await flushTracing();
        await new Promise((r) => setTimeout(r, 200));
        expect(receiver.requests).toBe(0);
      } finally {
        await t.close();
        await receiver.close();
      }
    });
  });
});
