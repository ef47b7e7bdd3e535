/**
 * errorWorkflowId: a failed execution starts the named workflow with what failed, whatever triggered
 * it (webhook and manual alike); an error run that fails starts nothing (no loops); the reference is
 * validated (same tenant, not itself), cleared with null, and by deleting the error workflow.
 */
import { jest } from '@jest/globals';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

jest.setTimeout(60_000);

describe('error workflows', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ ALLOW_PRIVATE_TARGETS: 'true' });
    await t.startWorker();
    token = (await t.register()).token;
  });
  afterAll(async () => t?.close());

  // Nothing listens on port 1: the request fails at once, and one attempt ends the step.
  const failing = { id: 'call', connector: 'http', action: 'request', input: { method: 'POST', url: 'http://127.0.0.1:1/' }, retry: { attempts: 1, backoffMs: 0 } };
  const create = async (body: Record<string, unknown>, as = token) => t.request('POST', '/api/workflows', { token: as, body: { name: 'wf', ...body } });
  const executionsOf = async (workflowId: string) => (await t.request('GET', `/api/executions?workflowId=${workflowId}&limit=50`, { token })).body.items as { id: string; status: string; triggerType: string }[];
  const detail = async (id: string) => (await t.request('GET', `/api/executions/${id}`, { token })).body;

  it('runs the error workflow with the failed execution, for a webhook and for a manual run, and an error run that fails starts nothing', async () => {
    const handler = await create({ trigger: { type: 'manual' }, steps: [{ id: 'note', connector: 'core', action: 'transform', input: { value: '{{execution.failedStepId}}: {{execution.error}}' } }] });
    expect(handler.status).toBe(201);
    const wf = await create({ trigger: { type: 'webhook' }, steps: [failing], errorWorkflowId: handler.body.id });
    expect(wf.status).toBe(201);
    expect(wf.body.errorWorkflowId).toBe(handler.body.id);

    const fired = await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { order: 42 } });
    const manual = await t.request('POST', `/api/workflows/${wf.body.id}/run`, { token, body: { payload: { order: 43 } } });
    const failedIds = [fired.body.executionId, manual.body.executionId];
    const runs = await waitFor('two error runs', async () => {
      const items = await executionsOf(handler.body.id);
      return items.length === 2 && items.every((e) => e.status === 'succeeded') ? items : undefined;
    });
    expect(runs.map((r) => r.triggerType)).toEqual(['error', 'error']);
    const payloads = await Promise.all(runs.map(async (r) => (await detail(r.id)).payload));
    expect(payloads.map((p) => p.execution.id).sort()).toEqual([...failedIds].sort());
    const first = payloads.find((p) => p.execution.id === fired.body.executionId);
    expect(first).toEqual({
      execution: { id: fired.body.executionId, workflowId: wf.body.id, error: expect.stringMatching(/^Step "call" failed: /), failedStepId: 'call' },
      payload: { order: 42 },
    });
    expect((await detail(runs[0].id)).output).toMatch(/^call: Step "call" failed: /);

    // The error workflow fails too, and names the first as its own error workflow: no loop.
    const loopA = await create({ trigger: { type: 'manual' }, steps: [failing] });
    const loopB = await create({ trigger: { type: 'manual' }, steps: [failing], errorWorkflowId: loopA.body.id });
    expect((await t.request('PUT', `/api/workflows/${loopA.body.id}`, { token, body: { errorWorkflowId: loopB.body.id } })).status).toBe(200);
    await t.request('POST', `/api/workflows/${loopA.body.id}/run`, { token, body: {} });
    await waitFor('the error run to fail', async () => (await executionsOf(loopB.body.id)).some((e) => e.status === 'failed'));
    await new Promise((r) => setTimeout(r, 1000));
    expect((await executionsOf(loopA.body.id)).map((e) => e.triggerType)).toEqual(['manual']);
    expect((await executionsOf(loopB.body.id)).map((e) => e.triggerType)).toEqual(['error']);
  });

  it('a failure whose error run was never started (the process died in between) gets it from the reconciler, once', async () => {
    const handler = await create({ trigger: { type: 'manual' }, steps: [{ id: 'note', connector: 'core', action: 'transform', input: { value: '{{execution.id}}' } }] });
    const wf = await create({ trigger: { type: 'manual' }, steps: [failing] });
    const run = await t.request('POST', `/api/workflows/${wf.body.id}/run`, { token, body: {} });
    await waitFor('the run to fail', async () => (await detail(run.body.executionId)).status === 'failed');
    // Named as error workflow only after the failure: no hook started anything, as if the process had died then.
    expect((await t.request('PUT', `/api/workflows/${wf.body.id}`, { token, body: { errorWorkflowId: handler.body.id } })).status).toBe(200);
    const runs = await waitFor('the reconciler to start the error run', async () => {
      const items = await executionsOf(handler.body.id);
      return items.length && items.every((e) => e.status === 'succeeded') ? items : undefined;
    }, 20_000);
    expect(runs.map((r) => r.triggerType)).toEqual(['error']);
    expect((await detail(runs[0].id)).output).toBe(run.body.executionId);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await executionsOf(handler.body.id)).toHaveLength(1);
  });

  it('validates the reference: not itself, not another tenant\'s, not unknown; null clears it, deleting the error workflow too', async () => {
    const handler = await create({ trigger: { type: 'manual' }, steps: [] });
    const wf = await create({ trigger: { type: 'manual' }, steps: [] });
    const put = (body: Record<string, unknown>) => t.request('PUT', `/api/workflows/${wf.body.id}`, { token, body });
    const self = await put({ errorWorkflowId: wf.body.id });
    expect(self.status).toBe(400);
    expect(self.body.details).toEqual([{ path: 'errorWorkflowId', message: 'A workflow cannot be its own error workflow' }]);
    const other = (await t.register()).token;
    const theirs = await create({ trigger: { type: 'manual' }, steps: [] }, other);
    expect((await put({ errorWorkflowId: theirs.body.id })).body.details).toEqual([{ path: 'errorWorkflowId', message: 'No workflow with this id in this workspace' }]);
    expect((await put({ errorWorkflowId: '00000000-0000-4000-8000-000000000000' })).status).toBe(400);
    expect((await put({ errorWorkflowId: 'not-a-uuid' })).status).toBe(400);
    expect((await create({ trigger: { type: 'manual' }, steps: [], errorWorkflowId: theirs.body.id })).status).toBe(400);

    expect((await put({ errorWorkflowId: handler.body.id })).body.errorWorkflowId).toBe(handler.body.id);
    // A save that does not name it keeps it.
    expect((await put({ name: 'renamed' })).body.errorWorkflowId).toBe(handler.body.id);
    expect((await put({ errorWorkflowId: null })).body.errorWorkflowId).toBeNull();
    await put({ errorWorkflowId: handler.body.id });
    expect((await t.request('DELETE', `/api/workflows/${handler.body.id}`, { token })).status).toBe(204);
    expect((await t.request('GET', `/api/workflows/${wf.body.id}`, { token })).body.errorWorkflowId).toBeNull();
  });
});
