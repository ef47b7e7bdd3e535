/**
 * Workspace variables in the engine: `{{vars.NAME}}` renders the run's environment's value (typed
 * like any single expression), a `vars.NAME` without a value fails its step naming the variable and
 * the environment (not a silent empty string), `vars` hides a payload's own field only when the
 * platform gives variables, save-time helpers list what templates read, and secret variables' values
 * never reach a recorded result (inputs, outputs, errors, blocks) nor what later steps see.
 */
import { z } from 'zod';
import { core } from '../connectors/core/index.js';
import { ConnectorError, defineAction, defineConnector } from '../connectors/sdk.js';
import { runWorkflow } from './runner.js';
import { MissingVariableError, referencedVariables, renderTemplate, variablesIn, withVariables } from './templates.js';
import type { RunDeps, RunVariables } from './types.js';

const sent: unknown[] = [];
const echo = defineConnector({
  key: 'echo',
  name: 'Echo',
  icon: 'beaker',
  credentials: null,
  actions: [
    defineAction({
      key: 'send',
      name: 'Send',
      input: z.object({ text: z.string(), fail: z.boolean().optional() }),
      output: z.unknown(),
      async execute({ input }) {
        sent.push(input.text);
        if (input.fail) throw new ConnectorError(`provider refused ${input.text}`, { retryable: false, status: 400 });
        return { echoed: input.text };
      },
    }),
  ],
});

const deps: RunDeps = {
  findConnector: (k) => (k === 'core' ? core : k === 'echo' ? echo : undefined),
  resolveCredential: async () => Promise.reject(new Error('none')),
  http: { request: async () => Promise.reject(new Error('no http in this test')) },
  baseUrl: (_k, d) => d,
  logger: { info: () => {}, warn: () => {}, error: () => {} },
  sleep: async () => {},
};

const staging: RunVariables = { environment: 'staging', values: { API_BASE: 'https://staging.example', TOKEN: 'tok_staging_12345', PORT: '8080' }, secrets: ['tok_staging_12345'] };

describe('templates: vars', () => {
  it('renders the values given to the context, a single expression as the value itself', () => {
    const ctx = withVariables({ user: 'a' }, { API_BASE: 'https://x', PORT: '8080' }, 'production');
    expect(renderTemplate('{{vars.API_BASE}}/users/{{user}}', ctx).value).toBe('https://x/users/a');
    expect(renderTemplate('{{vars.PORT}}', ctx).value).toBe('8080');
  });

  it('a vars.NAME without a value throws, naming the variable and the environment', () => {
    const ctx = withVariables({}, { A: '1' }, 'staging');
    expect(() => renderTemplate('x {{vars.MISSING}}', ctx)).toThrow(MissingVariableError);
    expect(() => renderTemplate('{{vars.MISSING}}', ctx)).toThrow('variable "MISSING" has no value in environment "staging"');
    // A path inside a present value is an ordinary missing path (a warning).
    expect(renderTemplate('{{vars.A.length}}', ctx).warnings).toEqual(['missing path: vars.A.length']);
  });

  it('without variables given, `vars` is the payload field it always was', () => {
    expect(renderTemplate('{{vars.a}}', { vars: { a: 'from payload' } }).value).toBe('from payload');
    expect(renderTemplate('{{vars.b}}', { vars: {} }).warnings).toEqual(['missing path: vars.b']);
  });

  it('lists the variables templates read, for save-time checks and promotion', () => {
    expect(referencedVariables('{{vars.A}} {{#if vars.B}}{{upper vars.C}}{{/if}} {{steps.x.vars.NOT}}')).toEqual(['A', 'B', 'C']);
    expect(variablesIn({ url: '{{vars.BASE}}/x', nested: [{ t: '{{vars.TOKEN}}' }], broken: '{{#if}}', plain: 'vars.NO' }).sort()).toEqual(['BASE', 'TOKEN']);
  });
});

describe('runWorkflow: vars', () => {
  beforeEach(() => {
    sent.length = 0;
  });

  it("renders the environment's values in every template kind: inputs, when, if, loop items", async () => {
    const r = await runWorkflow(
      {
        executionId: 'e1',
        payload: { vars: { API_BASE: 'payload must not win' } },
        variables: { ...staging, secrets: [] },
        steps: [
          { id: 'a', connector: 'echo', action: 'send', input: { text: '{{vars.API_BASE}}/x' }, when: '{{vars.PORT}}' },
          { id: 'c', type: 'condition', if: '{{eq vars.PORT "8080"}}', then: [{ id: 'b', connector: 'echo', action: 'send', input: { text: 'port {{vars.PORT}}' } }], else: [] },
        ],
      },
      deps,
    );
    expect(r.status).toBe('succeeded');
    expect(sent).toEqual(['https://staging.example/x', 'port 8080']);
  });

  it('a vars.NAME without a value fails the step clearly, before anything is called', async () => {
    const r = await runWorkflow({ executionId: 'e2', payload: {}, variables: staging, steps: [{ id: 'a', connector: 'echo', action: 'send', input: { text: '{{vars.NOPE}}' } }] }, deps);
    expect(r.status).toBe('failed');
    expect(r.steps[0].error).toBe('Template error: variable "NOPE" has no value in environment "staging" (give it one, or a default, on the Variables page)');
    expect(sent).toEqual([]);
  });

  it("a secret variable's value is sent, but masked in recorded inputs, outputs, errors, later steps and the run's error", async () => {
    const r = await runWorkflow(
      {
        executionId: 'e3',
        payload: {},
        variables: staging,
        steps: [
          { id: 'a', connector: 'echo', action: 'send', input: { text: 'Bearer {{vars.TOKEN}}' } },
          { id: 'b', connector: 'echo', action: 'send', input: { text: 'saw {{steps.a.echoed}}' } },
          { id: 'shape', connector: 'core', action: 'transform', input: { value: { token: '{{vars.TOKEN}}', base: '{{vars.API_BASE}}' } } },
          { id: 'c', connector: 'echo', action: 'send', input: { text: '{{vars.TOKEN}}', fail: true } },
        ],
      },
      deps,
    );
    expect(sent).toEqual(['Bearer tok_staging_12345', 'saw Bearer ***', 'tok_staging_12345']);
    expect(r.status).toBe('failed');
    expect(r.steps.map((s) => s.input)).toEqual([{ text: 'Bearer ***' }, { text: 'saw Bearer ***' }, { value: { token: '***', base: 'https://staging.example' } }, { text: '***', fail: true }]);
    expect(r.steps[0].output).toEqual({ echoed: 'Bearer ***' });
    expect(r.steps[3].error).toBe('provider refused ***');
    expect(r.error).toContain('provider refused ***');
    expect(JSON.stringify(r)).not.toContain('tok_staging_12345');
  });
});
