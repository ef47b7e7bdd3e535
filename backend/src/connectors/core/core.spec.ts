import { describeConnector, findAction } from '../testing.js';
import { core } from './index.js';

describeConnector(core, ({ mock, run }) => {
  describe('core.condition', () => {
    it('answers whether the rendered condition is truthy', async () => {
      await expect(run('condition', { input: { if: 'yes' } })).resolves.toEqual({ result: true });
      await expect(run('condition', { input: { if: '' } })).resolves.toEqual({ result: false });
      await expect(run('condition', { input: { if: 'false' } })).resolves.toEqual({ result: false });
    });

    it('skips the branch not taken, from the output and the branch lists as written', () => {
      const skips = findAction(core, 'condition').skips!;
      const stepInput = { if: '{{eq tier "gold"}}', then: ['gold', 'vip'], else: ['plain'] };
      expect(skips({ output: { result: true }, stepInput, stepId: 'check' })).toEqual({ stepIds: ['plain'], reason: 'branch not taken at condition "check"' });
      expect(skips({ output: { result: false }, stepInput, stepId: 'check' })).toEqual({ stepIds: ['gold', 'vip'], reason: 'branch not taken at condition "check"' });
      expect(skips({ output: { result: false }, stepInput: { if: 'x' }, stepId: 'check' })?.stepIds).toEqual([]);
    });
  });

  describe('core.delay and core.transform', () => {
    it('waits, and returns the rendered value, without calling out', async () => {
      await expect(run('delay', { input: { seconds: '0' } })).resolves.toEqual({ waitedMs: expect.any(Number) });
      await expect(run('transform', { input: { value: { a: [1, 'b'] } } })).resolves.toEqual({ a: [1, 'b'] });
      expect(mock.requests).toEqual([]);
    });

    it('is pure: the engine need not record its results before the next step', () => {
      expect(core.actions.every((a) => a.pure)).toBe(true);
    });
  });
});
