import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { acceptTraced, flushTracing, inSpan, parseTraceparent, startTracing, stepTracer, traceHttpCall, traceIdOf, traceparentOf, TRACING } from './tracing.js';

describe('traceparent', () => {
  it('round-trips a span context and refuses malformed or all-zero ids', () => {
    const sc = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    const tp = traceparentOf(sc);
    expect(tp).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(parseTraceparent(tp)).toEqual({ ...sc, isRemote: true });
    expect(traceIdOf(tp)).toBe(sc.traceId);
    for (const bad of [null, undefined, '', 'garbage', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });
});

describe('tracing hooks', () => {
  it('off: no span is made and the HTTP hook answers nothing', () => {
    expect(TRACING.enabled).toBe(false);
    expect(traceHttpCall('GET', 'http://example.com/')).toBeUndefined();
  });

  it('on: spans nest through async code, an accept outside any span makes its own, and the last user turns it off', async () => {
    const exporter = new InMemorySpanExporter();
    const stopA = startTracing({ tracesUrl: 'http://127.0.0.1:1/v1/traces', serviceName: 'test', exporter });
    const stopB = startTracing({ tracesUrl: 'http://127.0.0.1:1/v1/traces', serviceName: 'other', exporter });
    expect(TRACING.enabled).toBe(true);

    const stored = await acceptTraced({ 'tributary.trigger.type': 'manual' }, async (tp) => tp);
    await inSpan('execution.run', { parent: parseTraceparent(stored) }, async () => {
      await stepTracer.step({ path: 'a', kind: 'action', connector: 'http', action: 'request' }, async () => {
        await new Promise((r) => setTimeout(r, 1));
        traceHttpCall('get', 'https://api.example.com:8443/secret/path?key=abc')!.end({ status: 503 });
        return 1;
      }, () => ({ stepId: 'a', connector: 'http', action: 'request', status: 'failed', error: 'boom', warnings: [], attempts: 2, durationMs: 1, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() }));
    });
    // Outside any trace: not traced.
    expect(traceHttpCall('GET', 'http://example.com/')).toBeUndefined();
    await flushTracing();
    const spans = exporter.getFinishedSpans();
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['GET', 'execution.accept', 'execution.run', 'step http.request']);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(traceIdOf(stored)).toBe(byName['execution.accept'].spanContext().traceId);
    expect(byName['execution.run'].parentSpanContext?.spanId).toBe(byName['execution.accept'].spanContext().spanId);
    expect(byName['step http.request'].parentSpanContext?.spanId).toBe(byName['execution.run'].spanContext().spanId);
    expect(byName.GET.parentSpanContext?.spanId).toBe(byName['step http.request'].spanContext().spanId);
    expect(byName['step http.request'].attributes).toMatchObject({ 'tributary.step.status': 'failed', 'tributary.step.attempts': 2 });
    expect(byName.GET.attributes).toEqual({ 'http.request.method': 'GET', 'server.address': 'api.example.com', 'server.port': 8443, 'url.scheme': 'https', 'http.response.status_code': 503, 'error.type': '503' });
    expect(byName['execution.accept'].resource.attributes['service.name']).toBe('test');

    await stopA();
    expect(TRACING.enabled).toBe(true);
    await stopB();
    expect(TRACING.enabled).toBe(false);
  });
});
