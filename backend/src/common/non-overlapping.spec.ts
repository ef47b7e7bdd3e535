import { nonOverlapping } from './non-overlapping.js';

describe('nonOverlapping', () => {
  it('answers whileBusy instead of starting a second pass, and runs again once the first ends', async () => {
    let started = 0;
    let finish!: () => void;
    const pass = nonOverlapping(async () => {
      started++;
      await new Promise<void>((r) => (finish = r));
      return started;
    }, -1);
    const first = pass();
    expect(await pass()).toBe(-1);
    expect(started).toBe(1);
    finish();
    expect(await first).toBe(1);
    const second = pass();
    finish();
    expect(await second).toBe(2);
  });

  it('idle() waits for the pass in flight, even one that fails, and resolves at once when none runs', async () => {
    await nonOverlapping(async () => 1, 0).idle();
    const order: string[] = [];
    let fail!: (e: Error) => void;
    const pass = nonOverlapping(() => new Promise<number>((_, reject) => (fail = reject)), 0);
    const running = pass().catch(() => order.push('pass failed'));
    const idle = pass.idle().then(() => order.push('idle'));
    fail(new Error('db away'));
    await Promise.all([running, idle]);
    expect(order).toEqual(['pass failed', 'idle']);
    const again = pass().catch(() => 'ran again');
    fail(new Error('still away'));
    expect(await again).toBe('ran again');
  });
});
