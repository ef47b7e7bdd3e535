/**
 * Variables and environments (docs/variables.md) on the real api, worker, PostgreSQL and Redis: CRUD
 * and its validation (nothing stored on a refusal), secret values sealed in the table and masked in
 * every answer and in recorded step inputs, `{{vars.NAME}}` per environment in real HTTP calls,
 * unknown variables refused on save with the field path and failing the step at run time, promotion
 * (a new version of the counterpart with its note, audited; refused for the same environment and for
 * a variable without a value there), and tenants kept apart.
 */
import { jest } from '@jest/globals';
import pg from 'pg';
import { variableListSchema, variableSchema, environmentListSchema, workflowPromotionSchema, executionSchema } from '@tributary/contracts';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { waitFor } from '../helpers/wait.js';

jest.setTimeout(120_000);

describe('variables and environments', () => {
  let t: TestApp;
  let token: string;
  let tenantId: string;
  let sink: Sink;
  let db: pg.Client;

  beforeAll(async () => {
    t = await createTestApp();
    await t.startWorker();
    const reg = await t.register();
    token = reg.token;
    tenantId = reg.user.tenantId;
    sink = await startSink();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await sink?.close();
    await t?.close();
  });

  const api = <T = any>(method: string, url: string, body?: unknown, as = token) => t.request<T>(method, url, { token: as, body });
  const countVariables = async () => Number((await db.query(`SELECT count(*) FROM variables WHERE tenant_id = $1`, [tenantId])).rows[0].count);
  const finished = (id: string) =>
    waitFor(`execution ${id}`, async () => {
      const r = await api('GET', `/api/executions/${id}`);
      return ['succeeded', 'failed'].includes(r.body.status) ? r.body : undefined;
    });
  const httpStep = (id: string, input: Record<string, unknown>) => ({ id, connector: 'http', action: 'request', input: { method: 'POST', ...input } });

  it('refuses bad input with a clear 400 (or 409 for a taken name) and stores nothing', async () => {
    const before = await countVariables();
    const spaces = await api('POST', '/api/variables', { name: 'API BASE', values: { production: 'x' } });
    expect(spaces.status).toBe(400);
    expect(JSON.stringify(spaces.body.details)).toMatch(/name/);
    expect(spaces.body.details[0].message).toMatch(/Letters, digits and _/);

    const badEnv = await api('POST', '/api/variables', { name: 'OK_NAME', values: { 'Prod Env': 'x' } });
    expect(badEnv.status).toBe(400);
    expect(JSON.stringify(badEnv.body.details)).toMatch(/Lowercase letters/);

    expect((await api('POST', '/api/variables', { name: 'DUP', values: { production: 'a' } })).status).toBe(201);
    const dup = await api('POST', '/api/variables', { name: 'DUP', values: { staging: 'b' } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toMatch(/DUP/);
    expect(await countVariables()).toBe(before + 1);
    const stored = await db.query(`SELECT environment, value FROM variable_values vv JOIN variables v ON v.id = vv.variable_id WHERE v.tenant_id = $1 AND v.name = 'DUP'`, [tenantId]);
    expect(stored.rows).toEqual([{ environment: 'production', value: 'a' }]);

    const bad = await api('POST', '/api/variables', { name: '1ST' });
    expect(bad.status).toBe(400);
  });

  it('CRUD: values per environment and a default; PUT replaces the environments it names, null deletes; secret values sealed and masked', async () => {
    const created = await api('POST', '/api/variables', { name: 'REGION', description: 'where', defaultValue: 'eu', values: { staging: 'eu-test', production: 'eu-1' } });
    expect(created.status).toBe(201);
    const v = variableSchema.parse(created.body);
    expect(v.values.staging.value).toBe('eu-test');
    expect(v.defaultValue?.value).toBe('eu');

    const updated = await api('PUT', `/api/variables/${v.id}`, { values: { staging: null, qa: 'eu-qa' }, defaultValue: null });
    expect(updated.status).toBe(200);
    expect(Object.fromEntries(Object.entries(updated.body.values).map(([k, x]: [string, any]) => [k, x.value]))).toEqual({ production: 'eu-1', qa: 'eu-qa' });
    expect(updated.body.defaultValue).toBeNull();
    expect((await api('PUT', `/api/variables/${v.id}`, { name: 'RENAMED' })).status).toBe(400);

    const secretValue = 'sk_live_0123456789abcdef';
    const secret = await api('POST', '/api/variables', { name: 'SECRET_TOKEN', secret: true, values: { production: secretValue, staging: 'sk_test_zyxwvutsrq987' } });
    expect(secret.status).toBe(201);
    expect(secret.text).not.toContain(secretValue);
    expect(secret.body.values.production).toMatchObject({ value: null, hint: '••••cdef' });
    // Sealed in the table: no plain text, ciphertext that is not the value.
    const rows = await db.query(`SELECT environment, value, hint, key_id, ciphertext FROM variable_values WHERE variable_id = $1 ORDER BY environment`, [secret.body.id]);
    expect(rows.rows).toHaveLength(2);
    for (const r of rows.rows) {
      expect(r.value).toBeNull();
      expect(r.key_id).toBeTruthy();
      expect(Buffer.from(r.ciphertext).toString('utf8')).not.toContain('sk_');
    }
    // Masked in every answer: list, get, update.
    const list = await api('GET', '/api/variables');
    variableListSchema.parse(list.body);
    expect(list.text).not.toContain(secretValue);
    expect(list.text).not.toContain('sk_test_zyxwvutsrq987');
    expect((await api('GET', `/api/variables/${secret.body.id}`)).text).not.toContain(secretValue);
    const put = await api('PUT', `/api/variables/${secret.body.id}`, { values: { qa: 'sk_qa_secret_value_1' } });
    expect(put.status).toBe(200);
    expect(put.text).not.toContain('sk_qa_secret_value_1');
    // A secret stays secret.
    expect((await api('PUT', `/api/variables/${secret.body.id}`, { secret: false })).status).toBe(400);
    // A plain variable made secret: its stored values are sealed then.
    const plain = await api('POST', '/api/variables', { name: 'LATER_SECRET', values: { production: 'was-plain-value' } });
    const sealed = await api('PUT', `/api/variables/${plain.body.id}`, { secret: true });
    expect(sealed.body).toMatchObject({ secret: true, values: { production: { value: null } } });
    expect((await db.query(`SELECT value FROM variable_values WHERE variable_id = $1`, [plain.body.id])).rows).toEqual([{ value: null }]);

    expect((await api('DELETE', `/api/variables/${plain.body.id}`)).status).toBe(204);
    expect((await api('GET', `/api/variables/${plain.body.id}`)).status).toBe(404);
    const audited = await db.query(`SELECT action, details FROM audit_logs WHERE tenant_id = $1 AND action LIKE 'variable.%' ORDER BY created_at`, [tenantId]);
    expect(audited.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['variable.create', 'variable.update', 'variable.delete']));
    expect(JSON.stringify(audited.rows)).not.toContain(secretValue);
  });

  it('runs read the values of their environment; a secret is sent but masked in the recorded step input', async () => {
    const base = await api('POST', '/api/variables', { name: 'API_BASE', values: { staging: `${sink.url}/stg`, production: `${sink.url}/prod` } });
    expect(base.status).toBe(201);
    const key = await api('POST', '/api/variables', { name: 'API_KEY', secret: true, values: { staging: 'staging-key-1234567890', production: 'production-key-0987654321' } });
    expect(key.status).toBe(201);
    const steps = [httpStep('send', { url: '{{vars.API_BASE}}/hook', body: { key: '{{vars.API_KEY}}', note: 'key is {{vars.API_KEY}}' } })];
    const staging = await api('POST', '/api/workflows', { name: 'envs staging', trigger: { type: 'webhook' }, environment: 'staging', steps });
    expect(staging.status).toBe(201);
    expect(staging.body.environment).toBe('staging');
    const production = await api('POST', '/api/workflows', { name: 'envs production', trigger: { type: 'webhook' }, steps });
    expect(production.body.environment).toBe('production');

    const runS = await t.request('POST', `/api/webhooks/${staging.body.id}`, { body: {} });
    const runP = await t.request('POST', `/api/webhooks/${production.body.id}`, { body: {} });
    const [s, p] = await Promise.all([finished(runS.body.executionId), finished(runP.body.executionId)]);
    expect(s.status).toBe('succeeded');
    expect(p.status).toBe('succeeded');
    executionSchema.parse(s);
    expect(s.environment).toBe('staging');
    expect(p.environment).toBe('production');
    // The right value per environment reached the provider, the secret included.
    expect(sink.deliveries.find((d) => d.path === '/stg/hook')?.body).toEqual({ key: 'staging-key-1234567890', note: 'key is staging-key-1234567890' });
    expect(sink.deliveries.find((d) => d.path === '/prod/hook')?.body).toEqual({ key: 'production-key-0987654321', note: 'key is production-key-0987654321' });
    // Recorded: the plain value as is, the secret masked.
    const input = s.steps[0].input;
    expect(input.url).toBe(`${sink.url}/stg/hook`);
    expect(input.body).toEqual({ key: '***', note: 'key is ***' });
    expect(JSON.stringify(s)).not.toContain('staging-key-1234567890');
    expect(JSON.stringify(p)).not.toContain('production-key-0987654321');

    // A value changed through the api reaches the next run (the api's own cache is refreshed at once; workers within seconds).
    await api('PUT', `/api/variables/${base.body.id}`, { values: { staging: `${sink.url}/stg2` } });
    await waitFor('the new value in a run', async () => {
      const run = await t.request('POST', `/api/webhooks/${staging.body.id}`, { body: {} });
      const e = await finished(run.body.executionId);
      return e.steps[0].input.url === `${sink.url}/stg2/hook` ? true : undefined;
    }, 20_000, 500);

    // Environments: the union of values' and workflows' environments, production always.
    const envs = environmentListSchema.parse((await api('GET', '/api/environments')).body);
    expect(envs.items.map((e) => e.name)).toEqual(expect.arrayContaining(['production', 'staging', 'qa']));
    expect(envs.items.find((e) => e.name === 'staging')).toMatchObject({ workflows: 1 });
  });

  it('an unknown vars.NAME is refused on save with its path; without a value in the environment the step fails clearly', async () => {
    const refused = await api('POST', '/api/workflows', { name: 'unknown var', trigger: { type: 'manual' }, steps: [httpStep('call', { url: 'http://127.0.0.1:1/x', body: { a: '{{vars.NOPE}}' } })] });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([expect.objectContaining({ path: 'steps.0.input.body.a', message: expect.stringMatching(/Unknown variable "NOPE"/) })]);
    expect((await db.query(`SELECT count(*) FROM workflows WHERE tenant_id = $1 AND name = 'unknown var'`, [tenantId])).rows[0].count).toBe('0');

    // Known, but no value in `eu` (and no default): the run's step fails saying so.
    await api('POST', '/api/variables', { name: 'ONLY_PROD', values: { production: 'p' } });
    const wf = await api('POST', '/api/workflows', { name: 'no value', trigger: { type: 'manual' }, environment: 'eu', steps: [{ id: 'shape', connector: 'core', action: 'transform', input: { value: '{{vars.ONLY_PROD}}' } }] });
    expect(wf.status).toBe(201);
    const run = await api('POST', `/api/workflows/${wf.body.id}/run`, { payload: {} });
    const e = await finished(run.body.executionId);
    expect(e.status).toBe('failed');
    expect(e.steps[0].error).toMatch(/variable "ONLY_PROD" has no value in environment "eu"/);
  });

  it('promotion: a new version of the counterpart with its note, audited; refused to the same environment and for a variable without a value there', async () => {
    await api('POST', '/api/variables', { name: 'PROMO_URL', values: { staging: `${sink.url}/promo-stg` } });
    const src = await api('POST', '/api/workflows', {
      name: 'promoted',
      trigger: { type: 'webhook' },
      environment: 'staging',
      steps: [httpStep('send', { url: '{{vars.PROMO_URL}}/in', body: {} })],
    });
    expect(src.status).toBe(201);
    await api('PUT', `/api/workflows/${src.body.id}`, { description: 'second version' });

    const same = await api('POST', `/api/workflows/${src.body.id}/promote`, { environment: 'staging' });
    expect(same.status).toBe(400);
    expect(same.body.details[0]).toMatchObject({ path: 'environment' });

    const missing = await api('POST', `/api/workflows/${src.body.id}/promote`, { environment: 'production' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/PROMO_URL/);
    const copies = async () => Number((await db.query(`SELECT count(*) FROM workflows WHERE promoted_from = $1`, [src.body.id])).rows[0].count);
    expect(await copies()).toBe(0);

    const badEnv = await api('POST', `/api/workflows/${src.body.id}/promote`, { environment: 'Prod!' });
    expect(badEnv.status).toBe(400);

    const url = (await api('GET', '/api/variables')).body.items.find((v: any) => v.name === 'PROMO_URL');
    await api('PUT', `/api/variables/${url.id}`, { values: { production: `${sink.url}/promo-prod` } });
    const first = await api('POST', `/api/workflows/${src.body.id}/promote`, { environment: 'production' });
    expect(first.status).toBe(200);
    const promotion = workflowPromotionSchema.parse(first.body);
    expect(promotion).toMatchObject({ source: { workflowId: src.body.id, environment: 'staging', version: 2 }, target: { environment: 'production', version: 1, created: true }, note: 'promoted from staging v2' });
    const target = (await api('GET', `/api/workflows/${promotion.target.workflowId}`)).body;
    expect(target).toMatchObject({ environment: 'production', promotedFrom: src.body.id, description: 'second version', steps: src.body.steps });

    // The next promotion is a new version of the same counterpart.
    await api('PUT', `/api/workflows/${src.body.id}`, { name: 'promoted v3' });
    const second = await api('POST', `/api/workflows/${src.body.id}/promote`, { environment: 'production' });
    expect(second.body).toMatchObject({ target: { workflowId: promotion.target.workflowId, version: 2, created: false }, note: 'promoted from staging v3' });
    const versions = (await api('GET', `/api/workflows/${promotion.target.workflowId}/versions`)).body.items;
    expect(versions.map((v: any) => [v.version, v.note, v.name])).toEqual([
      [2, 'promoted from staging v3', 'promoted v3'],
      [1, 'promoted from staging v2', 'promoted'],
    ]);
    expect(await copies()).toBe(1);

    const audited = await db.query(`SELECT details FROM audit_logs WHERE tenant_id = $1 AND action = 'workflow.promote' AND target_id = $2 ORDER BY created_at`, [tenantId, src.body.id]);
    expect(audited.rows.map((r) => r.details)).toEqual([
      { from: { workflowId: src.body.id, environment: 'staging', version: 2 }, to: { workflowId: promotion.target.workflowId, environment: 'production', version: 1, created: true } },
      { from: { workflowId: src.body.id, environment: 'staging', version: 3 }, to: { workflowId: promotion.target.workflowId, environment: 'production', version: 2, created: false } },
    ]);

    // The copy runs with production's value.
    const run = await t.request('POST', `/api/webhooks/${promotion.target.workflowId}`, { body: {} });
    const e = await finished(run.body.executionId);
    expect(e).toMatchObject({ status: 'succeeded', environment: 'production' });
    expect(sink.deliveries.some((d) => d.path === '/promo-prod/in')).toBe(true);

    // The copy may not move into the environment its source runs in (one per lineage and environment).
    expect((await api('PUT', `/api/workflows/${promotion.target.workflowId}`, { environment: 'staging' })).status).toBe(409);
  });

  it("another tenant's variables are invisible and unusable", async () => {
    const other = (await t.register()).token;
    const mine = (await api('GET', '/api/variables')).body.items[0];
    expect((await api('GET', '/api/variables', undefined, other)).body.items).toEqual([]);
    expect((await api('GET', `/api/variables/${mine.id}`, undefined, other)).status).toBe(404);
    expect((await api('PUT', `/api/variables/${mine.id}`, { description: 'x' }, other)).status).toBe(404);
    expect((await api('DELETE', `/api/variables/${mine.id}`, undefined, other)).status).toBe(404);
    // Their templates cannot name my variables.
    const wf = await api('POST', '/api/workflows', { name: 'x', trigger: { type: 'manual' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: '{{vars.API_BASE}}' } }] }, other);
    expect(wf.status).toBe(400);
    // Same name in another tenant is fine.
    expect((await api('POST', '/api/variables', { name: 'API_BASE', values: { production: 'theirs' } }, other)).status).toBe(201);
  });
});
