/**
 * @tributary/contracts on its own: the step-id rule the dashboard's builder checks is the api's, and
 * the schemas read what the server hands to JSON.stringify the way clients receive it.
 */
import {
  CLOSE_CODES,
  isStepId,
  parseServerMessage,
  STEP_ID_MESSAGE,
  stepIdError,
  stepIdFrom,
  stepIdSchema,
  stepSchema,
  timestampSchema,
  workflowInputSchema,
  workflowSchema,
  type WorkflowDraft,
} from '@tributary/contracts';
import { z } from 'zod';

describe('step ids', () => {
  const valid = ['a', 'fetchUser', 'get_user_2', 'A1', 'x'.repeat(64)];
  const invalid = ['', 'get-user', '1step', '_x', 'has space', 'dots.in', 'é', 'x'.repeat(65), 'a-'];

  it('accepts letters, digits and _ after a leading letter, and refuses a `-` (the dashboard used to let it through)', () => {
    for (const id of valid) expect({ id, error: stepIdError(id) }).toEqual({ id, error: null });
    for (const id of invalid) expect({ id, valid: isStepId(id) }).toEqual({ id, valid: false });
    expect(stepIdError('get-user')).toBe(STEP_ID_MESSAGE);
    expect(stepIdError('')).toBe('Give the step an id');
  });

  it('agrees with what the api validates (the workflow schema), id for id', () => {
    for (const id of [...valid, ...invalid]) {
      expect({ id, api: stepIdSchema.safeParse(id).success }).toEqual({ id, api: isStepId(id) });
      const body = { name: 'w', trigger: { type: 'manual' }, steps: [{ id, connector: 'core', action: 'transform' }] };
      expect({ id, api: workflowInputSchema.safeParse(body).success }).toEqual({ id, api: isStepId(id) });
    }
  });

  it('makes a valid id from any text (the builder names new steps after their action)', () => {
    const cases: [string, string][] = [
      ['get-user', 'get_user'],
      ['sendMessage', 'send_message'],
      ['HTTP request', 'http_request'],
      ['2fa-check', 's2fa_check'],
      ['--', 'step'],
      ['', 'step'],
    ];
    for (const [text, id] of cases) expect(stepIdFrom(text)).toBe(id);
    for (const text of ['get-user', '---a---', '9', '_', 'x'.repeat(200), 'ünïcode', 'a'.repeat(63) + '-b']) expect(isStepId(stepIdFrom(text))).toBe(true);
  });
});

describe('schemas', () => {
  it('a timestamp is a Date on the server and an ISO string on the wire', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(timestampSchema.parse(at)).toBe('2026-01-02T03:04:05.678Z');
    expect(timestampSchema.parse(JSON.parse(JSON.stringify(at)))).toBe('2026-01-02T03:04:05.678Z');
    expect(timestampSchema.safeParse('yesterday').success).toBe(false);
  });

  it('response schemas are strict: a field the contract does not know fails', () => {
    const wf = {
      id: '00000000-0000-4000-8000-000000000001',
      name: 'w',
      description: '',
      enabled: true,
      trigger: { type: 'manual' },
      steps: [],
      errorWorkflowId: null,
      concurrency: null,
      priority: 'normal',
      inputSchema: null,
      environment: 'production',
      tool: null,
      pinData: {},
      promotedFrom: null,
      version: 1,
      createdAt: '2026-01-02T03:04:05.678Z',
      updatedAt: '2026-01-02T03:04:05.678Z',
    };
    expect(workflowSchema.safeParse(wf).success).toBe(true);
    expect(workflowSchema.safeParse({ ...wf, renamed: 1 }).success).toBe(false);
    const { version: _v, ...missing } = wf;
    expect(workflowSchema.safeParse(missing).success).toBe(false);
  });

  it('a draft as a client writes it is what the api accepts, defaults filled in', () => {
    const draft: WorkflowDraft = { name: ' w ', trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform' }] };
    expect(workflowInputSchema.parse(draft)).toEqual({
      name: 'w',
      description: '',
      enabled: true,
      trigger: { type: 'webhook', responseMode: 'async' },
      steps: [{ id: 'a', connector: 'core', action: 'transform', input: {} }],
    });
    expect(stepSchema.safeParse({ id: 'a-b', connector: 'core', action: 'transform' }).error?.issues[0]).toMatchObject({ path: ['id'], message: STEP_ID_MESSAGE });
  });

  it('realtime messages: known events with their payloads; anything else is refused', () => {
    const m = parseServerMessage({
      event: 'execution.step',
      data: {
        executionId: '00000000-0000-4000-8000-000000000001',
        workflowId: '00000000-0000-4000-8000-000000000002',
        step: { stepId: 'a', connector: 'core', action: 'transform', status: 'succeeded', attempts: 1, durationMs: 3 },
      },
    });
    expect(m.event).toBe('execution.step');
    expect(() => parseServerMessage({ event: 'execution.step', data: { executionId: 'x' } })).toThrow(z.ZodError);
    expect(() => parseServerMessage({ event: 'nope', data: {} })).toThrow(/Unknown event/);
    expect(CLOSE_CODES.unauthorized).toBe(4401);
  });
});
