import { z } from 'zod';
import { ConnectorError, defineAction, defineConnector } from '../connectors/sdk.js';
import { core } from '../connectors/core/index.js';
import { runWorkflow } from './runner.js';
import type { RunDeps } from './types.js';

const calls: { action: string; input: unknown; credentials: unknown }[] = [];
let flaky = 0;

const testConnector = defineConnector({
  key: 'test',
  name: 'Test',
  icon: 'beaker',
  credentials: z.object({ token: z.string() }),
  actions: [
    defineAction({
      key: 'echo',
      name: 'Echo',
      input: z.object({ text: z.string(), n: z.number().optional() }),
      output: z.object({ echoed: z.string() }),
      async execute({ input, credentials }) {
        calls.push({ action: 'echo', input, credentials });
        return { echoed: input.text, n: input.n };
      },
    }),
    defineAction({
      key: 'flaky',
      name: 'Flaky',
      input: z.object({ failTimes: z.number() }),
      output: z.object({ ok: z.boolean() }),
      async execute({ input }) {
        if (flaky++ < input.failTimes) throw new ConnectorError('provider answered 503', { retryable: true, status: 503 });
        return { ok: true };
      },
    }),
    defineAction({
      key: 'reject',
      name: 'Reject',
      input: z.object({}),
      output: z.object({}),
      async execute() {
        throw new ConnectorError('provider answered 401: invalid token', { retryable: false, status: 401 });
      },
    }),
    defineAction({
      // An endpoint that reflects the request, as echo services and some error pages do.
      key: 'reflect',
      name: 'Reflect',
      input: z.object({ note: z.string().optional(), failFirst: z.boolean().optional(), fail: z.boolean().optional() }),
      output: z.unknown(),
      async execute({ input, credentials }) {
        const { token } = credentials as { token: string };
        if (input.fail) throw new ConnectorError(`provider answered 401: invalid key ${token}`, { retryable: false, status: 401 });
        if (input.failFirst && flaky++ === 0) throw new ConnectorError(`provider answered 503 to key ${token}`, { retryable: true, status: 503 });
        return { headers: { authorization: `Bearer ${token}`, 'x-api-key': token }, url: `/echo?key=${encodeURIComponent(token)}`, [token]: 'as a key', list: [token, 1, null, true], note: input.note };
      },
    }),
    defineAction({
      // Flow control without the runner knowing the action: skips the steps its output names.
      key: 'gate',
      name: 'Gate',
      input: z.object({ close: z.array(z.string()) }),
      output: z.object({ closed: z.array(z.string()) }),
      pure: true,
      async execute({ input }) {
        return { closed: input.close };
      },
      skips: ({ output, stepId }) => ({ stepIds: output.closed, reason: `closed by gate "${stepId}"` }),
    }),
    defineAction({
      key: 'raw',
      name: 'Raw',
      input: z.object({ code: z.string(), data: z.unknown() }),
      output: z.object({ code: z.string(), data: z.unknown() }),
      pure: true,
      verbatim: ['code'],
      async execute({ input }) {
        return input;
      },
    }),
    defineAction({
      key: 'hang',
      name: 'Hang',
      input: z.object({}),
      output: z.object({}),
      execute: ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    }),
  ],
});

const deps: RunDeps = {
  findConnector: (k) => (k === 'core' ? core : k === 'test' ? testConnector : undefined),
  resolveCredential: async (id) => {
    if (id === 'cred-1') return { connector: 'test', data: { token: 't0k3n' } };
    if (id === 'cred-2') return { connector: 'test', data: { token: 's3cr3t/+=k' } };
    throw new Error('Credential not found');
  },
  http: { request: async () => Promise.reject(new Error('no http in this test')) },
  baseUrl: (_k, d) => d,
  logger: { info: () => {}, warn: () => {}, error: () => {} },
  sleep: async () => {},
};

const step = (id: string, action: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  connector: 'test',
  action,
  credentialId: 'cred-1',
  input,
  ...extra,
});

describe('runWorkflow', () => {
  beforeEach(() => {
    calls.length = 0;
    flaky = 0;
  });

  it("leaves an action's verbatim fields as written (a code step's code is not a template) and renders the rest", async () => {
    const r = await runWorkflow(
      { executionId: 'e-raw', payload: { n: 2 }, steps: [step('r', 'raw', { code: 'const o = {{ n: 1 }}; return `{{n}}`;', data: '{{n}}' })] },
      deps,
    );
    expect(r.steps[0]).toMatchObject({ status: 'succeeded', output: { code: 'const o = {{ n: 1 }}; return `{{n}}`;', data: 2 } });
  });

  it('runs steps in order, passing data between them, with rendered inputs recorded', async () => {
    const r = await runWorkflow(
      {
        executionId: 'e1',
        payload: { user: { name: 'Alex' }, order: { id: 7 } },
        steps: [step('first', 'echo', { text: 'Hello {{user.name}}!' }), step('second', 'echo', { text: '{{steps.first.echoed}} #{{order.id}} {{$execution.id}}' })],
      },
      deps,
    );
    expect(r.status).toBe('succeeded');
    expect(r.steps.map((s) => [s.stepId, s.status, s.input])).toEqual([
      ['first', 'succeeded', { text: 'Hello Alex!' }],
      ['second', 'succeeded', { text: 'Hello Alex! #7 e1' }],
    ]);
    expect(r.output).toEqual({ echoed: 'Hello Alex! #7 e1' });
    expect(calls[0].credentials).toEqual({ token: 't0k3n' });
  });

  it('skips a step whose when condition is false, and lists missing paths as warnings', async () => {
    const r = await runWorkflow(
      { executionId: 'e', payload: { vip: false }, steps: [step('a', 'echo', { text: 'x{{nope}}' }), step('b', 'echo', { text: 'y' }, { when: '{{vip}}' })] },
      deps,
    );
    expect(r.steps[0].warnings).toEqual(['missing path: nope']);
    expect(r.steps[1]).toMatchObject({ status: 'skipped', warnings: ['when condition was false'] });
  });

  it('takes one branch of a condition', async () => {
    const steps = [
      { id: 'check', connector: 'core', action: 'condition', input: { if: '{{eq tier "gold"}}', then: ['gold'], else: ['plain'] } },
      step('gold', 'echo', { text: 'gold' }),
      step('plain', 'echo', { text: 'plain' }),
    ];
    const gold = await runWorkflow({ executionId: 'e', payload: { tier: 'gold' }, steps }, deps);
    expect(gold.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'skipped']);
    const plain = await runWorkflow({ executionId: 'e', payload: { tier: 'bronze' }, steps }, deps);
    expect(plain.steps.map((s) => s.status)).toEqual(['succeeded', 'skipped', 'succeeded']);
  });

  it("skips the steps any action's `skips` names, and derives them again from a recorded result", async () => {
    const steps = [step('gate', 'gate', { close: ['b'] }), step('a', 'echo', { text: 'a' }), step('b', 'echo', { text: 'b' })];
    const r = await runWorkflow({ executionId: 'e', payload: {}, steps }, deps);
    expect(r.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'skipped']);
    expect(r.steps[2].warnings).toEqual(['closed by gate "gate"']);
    // Resumed with the gate's result on record (it is not run again): the same step is skipped.
    const recorded = [{ ...r.steps[0], output: { closed: ['a'] } }];
    const resumed = await runWorkflow({ executionId: 'e', payload: {}, steps, previous: recorded }, deps);
    expect(resumed.steps.map((s) => [s.stepId, s.status])).toEqual([['gate', 'succeeded'], ['a', 'skipped'], ['b', 'succeeded']]);
  });

  it('transforms data with templates', async () => {
    const r = await runWorkflow(
      { executionId: 'e', payload: { a: 2, name: 'x' }, steps: [{ id: 't', connector: 'core', action: 'transform', input: { value: { n: '{{a}}', label: '{{upper name}}' } } }] },
      deps,
    );
    expect(r.output).toEqual({ n: 2, label: 'X' });
  });

  it('retries retryable errors with backoff and records the attempts', async () => {
    const r = await runWorkflow({ executionId: 'e', payload: {}, steps: [step('f', 'flaky', { failTimes: 2 }, { retry: { attempts: 3, backoffMs: 10 } })] }, deps);
    expect(r.steps[0]).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(r.steps[0].warnings).toHaveLength(2);
  });

  it('fails after the last attempt, and does not retry a non-retryable error', async () => {
    const r = await runWorkflow({ executionId: 'e', payload: {}, steps: [step('f', 'flaky', { failTimes: 5 }, { retry: { attempts: 2, backoffMs: 1 } }), step('next', 'echo', { text: 'never' })] }, deps);
    expect(r.status).toBe('failed');
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]).toMatchObject({ status: 'failed', attempts: 2, error: 'provider answered 503' });
    expect(r.error).toBe('Step "f" failed: provider answered 503');
    const rej = await runWorkflow({ executionId: 'e', payload: {}, steps: [step('r', 'reject', {})] }, deps);
    expect(rej.steps[0]).toMatchObject({ status: 'failed', attempts: 1, error: 'provider answered 401: invalid token' });
  });

  it('times out a step per attempt', async () => {
    const r = await runWorkflow({ executionId: 'e', payload: {}, steps: [step('h', 'hang', {}, { timeoutMs: 100, retry: { attempts: 2, backoffMs: 0 } })] }, deps);
    expect(r.steps[0]).toMatchObject({ status: 'failed', attempts: 2, error: 'Step timed out after 100 ms' });
  });

  it('fails clearly on bad input after rendering and on a missing credential', async () => {
    const bad = await runWorkflow({ executionId: 'e', payload: { n: 'not-a-number' }, steps: [step('a', 'echo', { text: 'x', n: '{{n}}' })] }, deps);
    expect(bad.steps[0].error).toMatch(/^Invalid input after rendering templates: n: /);
    const noCred = await runWorkflow({ executionId: 'e', payload: {}, steps: [{ ...step('a', 'echo', { text: 'x' }), credentialId: undefined }] }, deps);
    expect(noCred.steps[0].error).toBe('Connector "test" needs a credential; choose one for this step');
    const gone = await runWorkflow({ executionId: 'e', payload: {}, steps: [{ ...step('a', 'echo', { text: 'x' }), credentialId: 'gone' }] }, deps);
    expect(gone.steps[0].error).toBe('Credential: Credential not found');
  });

  it('onError continue: the failure is the step\'s output ({ error }), later steps read it, the run goes on and records it before the next call', async () => {
    const checkpoints: string[][] = [];
    const recording: RunDeps = { ...deps, checkpoint: async (results) => void checkpoints.push(results.map((r) => `${r.stepId}:${r.status}`)) };
    const steps = [
      step('r', 'reject', {}, { onError: 'continue' }),
      step('after', 'echo', { text: 'saw: {{steps.r.error}}' }),
    ];
    const r = await runWorkflow({ executionId: 'e', payload: {}, steps }, recording);
    expect(r.status).toBe('succeeded');
    expect(r.steps[0]).toMatchObject({ stepId: 'r', status: 'failed', error: 'provider answered 401: invalid token', output: { error: 'provider answered 401: invalid token' } });
    expect(r.steps[1]).toMatchObject({ status: 'succeeded', output: { echoed: 'saw: provider answered 401: invalid token' } });
    expect(checkpoints).toEqual([['r:failed']]);

    // After a crash the let-through failure stands as recorded: the step is not called again.
    calls.length = 0;
    const resumed = await runWorkflow({ executionId: 'e', payload: {}, steps, previous: r.steps.slice(0, 1) }, recording);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.steps[0]).toBe(r.steps[0]);
    expect(calls.map((c) => c.input)).toEqual([{ text: 'saw: provider answered 401: invalid token' }]);

    // `fail` (the default) still ends the run at the step.
    const failing = await runWorkflow({ executionId: 'e', payload: {}, steps: [step('r', 'reject', {}, { onError: 'fail' }), step('after', 'echo', { text: 'x' })] }, deps);
    expect(failing.status).toBe('failed');
    expect(failing.steps).toHaveLength(1);
  });

  it('resumes from the failed step, keeping earlier outputs as they were recorded', async () => {
    const steps = [step('a', 'echo', { text: 'one' }), step('b', 'flaky', { failTimes: 1 }, { retry: { attempts: 1, backoffMs: 0 } }), step('c', 'echo', { text: '{{steps.a.echoed}}+' })];
    const first = await runWorkflow({ executionId: 'e1', payload: {}, steps }, deps);
    expect(first.status).toBe('failed');
    calls.length = 0;
    // A retry carries the results before the failure, marked reused (ExecutionsService.retry).
    const carried = first.steps.filter((s) => s.status === 'succeeded').map((s) => ({ ...s, reused: true }));
    const second = await runWorkflow({ executionId: 'e2', payload: {}, steps, previous: carried }, deps);
    expect(second.status).toBe('succeeded');
    expect(second.steps.map((s) => [s.stepId, s.status, s.reused ?? false])).toEqual([
      ['a', 'succeeded', true],
      ['b', 'succeeded', false],
      ['c', 'succeeded', false],
    ]);
    expect(second.steps[0]).toBe(carried[0]);
    expect(calls.map((c) => c.input)).toEqual([{ text: 'one+' }]);
  });

  it('after a crash, runs only the steps not yet recorded, and records each step that called out before the next one starts', async () => {
    const steps = [
      step('a', 'echo', { text: 'one' }),
      { id: 't', connector: 'core', action: 'transform', input: { value: '{{steps.a.echoed}}' } },
      step('b', 'echo', { text: 'two' }),
      { id: 'u', connector: 'core', action: 'transform', input: { value: 'pure' } },
      step('c', 'echo', { text: 'three' }),
    ];
    const checkpoints: string[][] = [];
    const recording: RunDeps = { ...deps, checkpoint: async (results) => void checkpoints.push(results.map((r) => r.stepId)) };
    const full = await runWorkflow({ executionId: 'e', payload: {}, steps }, recording);
    expect(full.status).toBe('succeeded');
    // After each call out that another step follows, the results new since the last checkpoint; pure
    // steps ride along; the last goes with the completion.
    expect(checkpoints).toEqual([['a'], ['t', 'b']]);
    expect(calls.map((c) => c.input)).toEqual([{ text: 'one' }, { text: 'two' }, { text: 'three' }]);

    // The worker died after the second checkpoint: the next one resumes from what was recorded.
    calls.length = 0;
    checkpoints.length = 0;
    const recorded = full.steps.slice(0, 3);
    const resumed = await runWorkflow({ executionId: 'e', payload: {}, steps, previous: recorded }, recording);
    expect(resumed.status).toBe('succeeded');
    expect(calls.map((c) => c.input)).toEqual([{ text: 'three' }]);
    expect(resumed.steps.slice(0, 3)).toEqual(recorded);
    expect(resumed.steps.map((s) => s.stepId)).toEqual(['a', 't', 'b', 'u', 'c']);
    expect(checkpoints).toEqual([]);
  });

  it('stops at a checkpoint that throws (the lease was lost): no later step starts', async () => {
    const steps = [step('a', 'echo', { text: 'one' }), step('b', 'echo', { text: 'two' })];
    const lost: RunDeps = { ...deps, checkpoint: async () => Promise.reject(new Error('lease lost')) };
    await expect(runWorkflow({ executionId: 'e', payload: {}, steps }, lost)).rejects.toThrow('lease lost');
    expect(calls.map((c) => c.input)).toEqual([{ text: 'one' }]);
  });

  it('gives each step a stable idempotency key, in the connector context and as {{$step.idempotencyKey}}', async () => {
    const keys: string[] = [];
    const keyed = defineConnector({
      key: 'keyed',
      name: 'Keyed',
      icon: 'key',
      credentials: null,
      actions: [
        defineAction({
          key: 'send',
          name: 'Send',
          input: z.object({ rendered: z.string() }),
          output: z.object({}),
          async execute({ input, idempotencyKey }) {
            keys.push(idempotencyKey, input.rendered);
            return {};
          },
        }),
      ],
    });
    const r = await runWorkflow(
      { executionId: 'exec-1', payload: {}, steps: [{ id: 'first', connector: 'keyed', action: 'send', input: { rendered: '{{$step.idempotencyKey}}' } }] },
      { ...deps, findConnector: (k) => (k === 'keyed' ? keyed : undefined) },
    );
    expect(r.status).toBe('succeeded');
    expect(keys).toEqual(['exec-1:first', 'exec-1:first']);
  });

  it('keeps the secret of a step\'s credential out of its recorded input, output, error and warnings, and out of later steps', async () => {
    const secret = 's3cr3t/+=k';
    const reflect = (id: string, input: Record<string, unknown>) => ({ ...step(id, 'reflect', input, { retry: { attempts: 2, backoffMs: 0 } }), credentialId: 'cred-2' });
    const r = await runWorkflow(
      {
        executionId: 'e',
        payload: { pasted: `my key is ${secret}` },
        steps: [reflect('a', { note: '{{pasted}}', failFirst: true }), step('b', 'echo', { text: 'got {{steps.a.headers.authorization}}' }), reflect('c', { fail: true })],
      },
      deps,
    );
    expect(r.steps[0]).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      input: { note: 'my key is ***', failFirst: true },
      output: { headers: { authorization: 'Bearer ***', 'x-api-key': '***' }, url: '/echo?key=***', '***': 'as a key', list: ['***', 1, null, true], note: 'my key is ***' },
      warnings: [expect.stringMatching(/^attempt 1 failed \(provider answered 503 to key \*\*\*\); retrying in \d+ ms$/)],
    });
    // A later step (with another credential) reads the redacted output, so it cannot carry the secret on.
    expect(r.steps[1].input).toEqual({ text: 'got Bearer ***' });
    expect(r.steps[2]).toMatchObject({ status: 'failed', error: 'provider answered 401: invalid key ***' });
    expect(r.error).toBe('Step "c" failed: provider answered 401: invalid key ***');
    const recorded = JSON.stringify(r);
    for (const form of [secret, encodeURIComponent(secret)]) expect(recorded).not.toContain(form);
  });
});
