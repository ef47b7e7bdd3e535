import { notifyPayloads, type PlatformEvent } from './platform-events.js';

const event = (n: number, data: unknown = { executionId: `e${n}` }): PlatformEvent => ({ tenantId: 't1', event: 'execution.succeeded', data });

describe('notifyPayloads (live events over PostgreSQL NOTIFY)', () => {
  it('packs a tick of events into JSON arrays that each fit a NOTIFY payload', () => {
    const events = Array.from({ length: 300 }, (_, i) => event(i));
    const payloads = notifyPayloads(events, 1_000);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(1_000);
    expect(payloads.flatMap((p) => JSON.parse(p) as PlatformEvent[])).toEqual(events);
  });

  it('sends an event too big for one payload without its data, marked truncated', () => {
    const big = { tenantId: 't1', event: 'event.published', data: { id: 'ev1', topic: 'orders', data: { blob: 'é'.repeat(5_000) } } } as PlatformEvent;
    const [payload, ...rest] = notifyPayloads([event(1), big, event(2)], 1_000);
    const all = [payload, ...rest].flatMap((p) => JSON.parse(p) as PlatformEvent[]);
    expect(all).toEqual([event(1), { ...big, data: { id: 'ev1', topic: 'orders', truncated: true } }, event(2)]);
  });
});
