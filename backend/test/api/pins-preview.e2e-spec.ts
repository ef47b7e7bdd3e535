/**
 * Builder v2's test data on the real api and PostgreSQL: outputs pinned per step id stand for their
 * steps in dry runs (saved and draft), at any depth, and never in real runs; bad pins are refused and
 * store nothing. The template preview renders exactly as a run does (sample payload, earlier outputs,
 * a loop's item and index, workspace variables with secrets masked) and names the template at fault.
 */
import { workflowSchema } from '@tributary/contracts';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

describe('pinned test data and the template preview', () => {
  let t: TestApp;
  let token: string;
  let other: string;

  beforeAll(async () => {
    t = await createTestApp();
    token = (await t.register()).token;
    other = (await t.register()).token;
    await t.startWorker();
  });
  afterAll(async () => t?.close());

  const api = <T = any>(method: string, url: string, body?: unknown, as = token) => t.request<T>(method, url, { token: as, body });

  /** `fetch` always throws (no provider to call in a test); `check` inside a condition also throws; `use` reads fetch's output. */
  async function workflow() {
    const res = await api('POST', '/api/workflows', {
      name: 'Pinned',
      trigger: { type: 'manual' },
      steps: [
        { id: 'fetch', connector: 'code', action: 'javascript', input: { code: 'throw new Error("provider down")' } },
        { id: 'gate', type: 'condition', if: '{{steps.fetch.ok}}', then: [{ id: 'check', connector: 'code', action: 'javascript', input: { code: 'throw new Error("nope")' } }], else: [] },
        { id: 'use', connector: 'core', action: 'transform', input: { value: '{{steps.fetch.order.id}}/{{steps.check.n}}' } },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.pinData).toEqual({});
    return res.body.id as string;
  }

  it('pins outputs by step id (nested too), uses them in dry runs only, unpins, and refuses bad pins', async () => {
    const id = await workflow();
    // Without pins the dry run fails on its first step.
    const unpinned = await api('POST', `/api/workflows/${id}/dry-run`, { payload: {} });
    expect(unpinned.body).toMatchObject({ status: 'failed' });

    const pin = await api('PUT', `/api/workflows/${id}/pins/fetch`, { output: { ok: true, order: { id: 42 } } });
    expect(pin.status).toBe(200);
    expect(pin.body).toEqual({ pinData: { fetch: { ok: true, order: { id: 42 } } } });
    expect((await api('PUT', `/api/workflows/${id}/pins/check`, { output: { n: 7 } })).status).toBe(200);
    const wf = await api('GET', `/api/workflows/${id}`);
    expect(workflowSchema.parse(wf.body).pinData).toEqual({ fetch: { ok: true, order: { id: 42 } }, check: { n: 7 } });
    expect(wf.body.version).toBe(1); // test data is not a new version

    const dry = await api('POST', `/api/workflows/${id}/dry-run`, { payload: {} });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ status: 'succeeded', output: '42/7' });
    const byId = Object.fromEntries(dry.body.steps.map((s: any) => [s.id, s]));
    expect(byId.fetch).toMatchObject({ status: 'succeeded', pinned: true, output: { ok: true, order: { id: 42 } }, attempts: 0 });
    expect(byId.check).toMatchObject({ status: 'succeeded', pinned: true, path: 'check' });
    expect(byId.use.pinned).toBeUndefined();

    // A draft dry run takes the pins it is sent (the builder's unsaved workflow).
    const draftSteps = [wf.body.steps[0], { id: 'use', connector: 'core', action: 'transform', input: { value: 'order {{steps.fetch.order.id}}' } }];
    const draft = await api('POST', '/api/workflows/dry-run', { workflow: { steps: draftSteps }, payload: {}, pinData: { fetch: { order: { id: 'draft' } } } });
    expect(draft.body).toMatchObject({ status: 'succeeded', output: 'order draft' });

    // A real run never reads pins: it fails on the first step, as the provider would make it.
    const run = await api('POST', `/api/workflows/${id}/run`, { payload: {} });
    expect(run.status).toBe(202);
    const done = await waitFor('the run to finish', async () => {
      const e = await api('GET', `/api/executions/${run.body.executionId}`);
      return e.body.status === 'failed' || e.body.status === 'succeeded' ? e.body : undefined;
    });
    expect(done.status).toBe('failed');
    expect(done.steps[0]).toMatchObject({ stepId: 'fetch', status: 'failed' });
    expect(done.steps[0].pinned).toBeUndefined();

    // Refused, storing nothing: an unknown step, no output, too much JSON, another workspace's workflow.
    const unknown = await api('PUT', `/api/workflows/${id}/pins/nope`, { output: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0]).toMatchObject({ path: 'stepId' });
    expect((await api('PUT', `/api/workflows/${id}/pins/fetch`, {})).status).toBe(400);
    const big = await api('PUT', `/api/workflows/${id}/pins/use`, { output: 'x'.repeat(256 * 1024 + 1) });
    expect(big.status).toBe(400);
    expect(big.body.details[0]).toMatchObject({ path: 'output' });
    expect((await api('PUT', `/api/workflows/${id}/pins/fetch`, { output: 1 }, other)).status).toBe(404);
    expect((await api('DELETE', `/api/workflows/${id}/pins/fetch`, undefined, other)).status).toBe(404);
    expect((await api('GET', `/api/workflows/${id}`)).body.pinData).toEqual({ fetch: { ok: true, order: { id: 42 } }, check: { n: 7 } });

    const unpin = await api('DELETE', `/api/workflows/${id}/pins/check`);
    expect(unpin.status).toBe(200);
    expect(unpin.body).toEqual({ pinData: { fetch: { ok: true, order: { id: 42 } } } });
    const audit = await api('GET', `/api/audit?action=workflow.`);
    const actions = audit.body.items.filter((i: any) => i.targetId === id).map((i: any) => i.action);
    expect(actions).toEqual(expect.arrayContaining(['workflow.pin', 'workflow.unpin']));
  });

  it('previews a template as a run renders it: payload, outputs, loop item and index, variables (secrets masked)', async () => {
    const preview = (body: unknown) => api('POST', '/api/workflows/template-preview', body);
    expect((await preview({ template: 'Hi {{user.name}}', payload: { user: { name: 'Alex' } } })).body).toEqual({ value: 'Hi Alex', warnings: [] });
    // One expression keeps its type; an object of templates renders field by field; missing paths warn.
    const typed = await preview({ template: { total: '{{steps.sum.total}}', who: '{{item.name}} #{{$index}}', gone: '{{nothing.here}}' }, steps: { sum: { total: 12.5 } }, item: { name: 'Ada' }, index: 3 });
    expect(typed.status).toBe(200);
    expect(typed.body).toEqual({ value: { total: 12.5, who: 'Ada #3', gone: '' }, warnings: ['missing path: nothing.here'] });

    expect((await api('POST', '/api/variables', { name: 'REGION', values: { production: 'eu-1', staging: 'us-2' } })).status).toBe(201);
    expect((await api('POST', '/api/variables', { name: 'TOKEN', secret: true, values: { production: 'sk_live_supersecret' } })).status).toBe(201);
    const vars = await preview({ template: '{{vars.REGION}} {{vars.TOKEN}}' });
    expect(vars.body.value).toBe('eu-1 ••••••');
    expect(JSON.stringify(vars.body)).not.toContain('sk_live');
    expect((await preview({ template: '{{vars.REGION}}', environment: 'staging' })).body.value).toBe('us-2');
    const missingVar = await preview({ template: '{{vars.NOPE}}' });
    expect(missingVar.status).toBe(400);
    expect(missingVar.body.message).toContain('NOPE');

    const syntax = await preview({ template: { a: 'ok', b: { c: '{{#if x}}unclosed' } } });
    expect(syntax.status).toBe(400);
    expect(syntax.body.details[0].path).toBe('template.b.c');
    expect(syntax.body.details[0].message).toMatch(/line 1/);
    expect((await preview({})).status).toBe(400);
  });
});
