import { workflowVersionSchema } from '@tributary/contracts';
import { createTestApp, type TestApp } from '../helpers/app.js';

const transformStep = (id: string, value: unknown) => ({ id, connector: 'core', action: 'transform', input: { value } });

describe('workflows', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    token = (await t.register()).token;
  });
  afterAll(async () => t?.close());

  const create = (body: unknown, tok = token) => t.request('POST', '/api/workflows', { token: tok, body });

  it('creates a webhook workflow with its URL, and reads it back', async () => {
    const res = await create({ name: 'Greeter', trigger: { type: 'webhook' }, steps: [transformStep('greet', 'Hello {{user.name}}!')] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Greeter', enabled: true, version: 1, trigger: { type: 'webhook', responseMode: 'async' } });
    expect(res.body.webhookUrl).toBe(`http://localhost:8080/api/webhooks/${res.body.id}`);
    const got = await t.request('GET', `/api/workflows/${res.body.id}`, { token });
    expect(got.body.steps).toEqual([{ id: 'greet', connector: 'core', action: 'transform', input: { value: 'Hello {{user.name}}!' } }]);
  });

  it('updates, keeps every version, rolls back as a new version, toggles and deletes', async () => {
    const { body: wf } = await create({ name: 'v1', trigger: { type: 'manual' }, steps: [transformStep('a', 1)] });
    const upd = await t.request('PUT', `/api/workflows/${wf.id}`, { token, body: { name: 'v2', steps: [transformStep('a', 2)] } });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ name: 'v2', version: 2 });

    const versions = await t.request('GET', `/api/workflows/${wf.id}/versions`, { token });
    expect(versions.body.items.map((v: { version: number; name: string }) => [v.version, v.name])).toEqual([[2, 'v2'], [1, 'v1']]);
    // One version alone (what an execution of it ran): the same document as in the list.
    const one = await t.request('GET', `/api/workflows/${wf.id}/versions/1`, { token });
    expect(one.status).toBe(200);
    expect(workflowVersionSchema.parse(one.body)).toEqual(workflowVersionSchema.parse(versions.body.items[1]));
    expect((await t.request('GET', `/api/workflows/${wf.id}/versions/9`, { token })).status).toBe(404);
    expect((await t.request('GET', `/api/workflows/${wf.id}/versions/0`, { token })).status).toBe(400);

    const rb = await t.request('POST', `/api/workflows/${wf.id}/rollback/1`, { token });
    expect(rb.status).toBe(200);
    expect(rb.body).toMatchObject({ name: 'v1', version: 3, steps: [transformStep('a', 1)] });
    expect((await t.request('POST', `/api/workflows/${wf.id}/rollback/99`, { token })).status).toBe(404);
    // A version past PostgreSQL's integer range (or not a version at all) is the caller's mistake: 400 on `version`, not 500.
    for (const version of ['99999999999999999999', '2147483648', '0', '-1', '1.5', '1e3', 'abc']) {
      const bad = await t.request('POST', `/api/workflows/${wf.id}/rollback/${version}`, { token });
      expect({ version, status: bad.status, body: bad.body }).toEqual({
        version,
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: 'Path is invalid', details: [{ path: 'version', message: 'must be a whole number from 1 to 2147483647' }] },
      });
    }
    expect((await t.request('POST', `/api/workflows/${wf.id}/rollback/2147483647`, { token })).status).toBe(404);

    const off = await t.request('PUT', `/api/workflows/${wf.id}/toggle`, { token, body: { enabled: false } });
    expect(off.body.enabled).toBe(false);
    const flip = await t.request('PUT', `/api/workflows/${wf.id}/toggle`, { token, body: {} });
    expect(flip.body.enabled).toBe(true);

    expect((await t.request('DELETE', `/api/workflows/${wf.id}`, { token })).status).toBe(204);
    expect((await t.request('GET', `/api/workflows/${wf.id}`, { token })).status).toBe(404);
  });

  it('a PUT changes what it names and keeps the rest (steps, description, enabled)', async () => {
    const { body: wf } = await create({ name: 'keep', description: 'kept', enabled: false, trigger: { type: 'manual' }, steps: [transformStep('a', 1)] });
    const upd = await t.request('PUT', `/api/workflows/${wf.id}`, { token, body: { name: 'renamed' } });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ name: 'renamed', description: 'kept', enabled: false, steps: [transformStep('a', 1)], version: 2 });
  });

  it('answers field-level errors for a bad trigger and bad steps', async () => {
    const res = await create({
      name: '',
      trigger: { type: 'schedule', cron: 'not a cron', timezone: 'Mars/Olympus' },
      steps: [{ id: '1bad', connector: 'core', action: 'transform', input: {} }],
    });
    expect(res.status).toBe(400);
    const paths = res.body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'trigger.timezone', 'steps.0.id']));
  });

  it('refuses unknown connectors and actions, and template syntax errors with step and position', async () => {
    const res = await create({
      name: 'Broken',
      trigger: { type: 'webhook' },
      steps: [
        { id: 'a', connector: 'nope', action: 'x', input: {} },
        { id: 'b', connector: 'core', action: 'explode', input: {} },
        { id: 'c', connector: 'core', action: 'transform', input: { value: { text: 'Hi {{user.name}' } } },
        { id: 'd', connector: 'core', action: 'transform', input: { value: 1 }, when: '{{#if x}}' },
        // Handlebars' `log` helper wrote its arguments to the api's log (a forged JSON line): removed, refused like any unknown helper.
        { id: 'e', connector: 'core', action: 'transform', input: { value: { line: 'ok\n{{log \'{"level":30,"msg":"admin login"}\' level="info"}}' } } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Workflow is invalid');
    const byPath = Object.fromEntries(res.body.details.map((d: { path: string; message: string }) => [d.path, d.message]));
    expect(byPath['steps.0.connector']).toBe('Unknown connector "nope"');
    expect(byPath['steps.1.action']).toMatch(/^Unknown action "explode" for connector "core"/);
    expect(byPath['steps.2.input.value.text']).toMatch(/^Template error in step "c" at line 1, column 15: Parse error/);
    expect(byPath['steps.3.when']).toMatch(/^Template error in step "d" at line 1/);
    expect(byPath['steps.4.input.value.line']).toMatch(/^Template error in step "e" at line 2, column 3: Unknown helper "log"/);
  });

  it('refuses duplicate step ids and a credential of another tenant', async () => {
    const res = await create({
      name: 'Dup',
      trigger: { type: 'manual' },
      steps: [transformStep('a', 1), { ...transformStep('a', 2), credentialId: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(res.status).toBe(400);
    const paths = res.body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['steps.1.id', 'steps.1.credentialId']));
  });

  it('shows next run times for a schedule in its time zone', async () => {
    const res = await create({ name: 'Nightly', trigger: { type: 'schedule', cron: '0 2 * * *', timezone: 'Europe/Paris' }, steps: [] });
    expect(res.status).toBe(201);
    expect(res.body.nextRuns).toHaveLength(5);
    for (const r of res.body.nextRuns) expect(['00', '01']).toContain(new Date(r).toISOString().slice(11, 13));
  });

  it("keeps tenants apart: another tenant's workflow answers 404 everywhere", async () => {
    const { body: wf } = await create({ name: 'Private', trigger: { type: 'manual' }, steps: [] });
    const other = await t.register();
    for (const [method, url, body] of [
      ['GET', `/api/workflows/${wf.id}`],
      ['PUT', `/api/workflows/${wf.id}`, { name: 'stolen' }],
      ['PUT', `/api/workflows/${wf.id}/toggle`, {}],
      ['GET', `/api/workflows/${wf.id}/versions`],
      ['GET', `/api/workflows/${wf.id}/versions/1`],
      ['POST', `/api/workflows/${wf.id}/rollback/1`],
      ['DELETE', `/api/workflows/${wf.id}`],
    ] as [string, string, unknown?][]) {
      const res = await t.request(method, url, { token: other.token, body });
      expect([method, url, res.status]).toEqual([method, url, 404]);
    }
    const list = await t.request('GET', '/api/workflows', { token: other.token });
    expect(list.body).toEqual({ items: [], nextCursor: null });
    expect((await t.request('GET', `/api/workflows/${wf.id}`, { token })).body.name).toBe('Private');
  });

  it('paginates with a cursor', async () => {
    const own = await t.register();
    for (let i = 0; i < 5; i++) await create({ name: `wf${i}`, trigger: { type: 'manual' }, steps: [] }, own.token);
    const first = await t.request('GET', '/api/workflows?limit=2', { token: own.token });
    expect(first.body.items.map((w: { name: string }) => w.name)).toEqual(['wf4', 'wf3']);
    const second = await t.request('GET', `/api/workflows?limit=2&cursor=${first.body.nextCursor}`, { token: own.token });
    expect(second.body.items.map((w: { name: string }) => w.name)).toEqual(['wf2', 'wf1']);
    const third = await t.request('GET', `/api/workflows?limit=2&cursor=${second.body.nextCursor}`, { token: own.token });
    expect(third.body).toMatchObject({ nextCursor: null });
    expect(third.body.items).toHaveLength(1);
    expect((await t.request('GET', '/api/workflows?limit=500', { token: own.token })).status).toBe(400);
    expect((await t.request('GET', '/api/workflows?cursor=garbage', { token: own.token })).status).toBe(400);
  });
});
