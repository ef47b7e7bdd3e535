/**
 * Templates (docs/templates.md) on the real api and PostgreSQL: the gallery lists each template with
 * its connectors and the credentials it needs; in a workspace without them, using one that needs a
 * credential answers 400 listing its refs; once the workspace has a credential of each connector
 * (the connectors' sample credentials, as the seed makes them) every template creates a valid
 * workflow, mapped to them; an explicit mapping picks among several, another workspace's is refused.
 */
import { templateListSchema, workflowSchema, type TemplateSummary } from '@tributary/contracts';
import { connectors, getConnector } from '../../src/connectors/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('templates', () => {
  let t: TestApp;
  let token: string;
  let items: TemplateSummary[];

  beforeAll(async () => {
    t = await createTestApp();
    token = (await t.register()).token;
  });
  afterAll(async () => t?.close());

  const api = <T = any>(method: string, url: string, body?: unknown, as = token) => t.request<T>(method, url, { token: as, body });

  it('lists at least twelve templates with their connectors and needed credentials', async () => {
    const res = await api('GET', '/api/templates');
    expect(res.status).toBe(200);
    items = templateListSchema.parse(res.body).items;
    expect(items.length).toBeGreaterThanOrEqual(12);
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
    const known = new Set(connectors.map((c) => c.key));
    for (const i of items) {
      expect(i.name.length).toBeGreaterThan(0);
      expect(i.description.length).toBeGreaterThan(0);
      for (const c of i.connectors) expect(known.has(c)).toBe(true);
      for (const c of i.credentials) expect(i.connectors).toContain(c.connector);
    }
    const slack = items.find((i) => i.key === 'webhook-order-slack')!;
    expect(slack).toMatchObject({ connectors: ['slack'], credentials: [{ ref: 'cred:0', connector: 'slack', name: 'Slack' }], triggerType: 'webhook' });
  });

  it('refuses with 400 listing the refs while a needed connector has no credential; 404 for an unknown key', async () => {
    for (const i of items.filter((x) => x.credentials.length)) {
      const res = await api('POST', `/api/templates/${i.key}/use`, {});
      expect({ key: i.key, status: res.status }).toEqual({ key: i.key, status: 400 });
      expect(res.body.details.map((d: { path: string }) => d.path)).toEqual(i.credentials.map((c) => `credentials.${c.ref}`));
      expect(res.body.details[0]).toMatchObject({ kind: 'credential', connector: i.credentials[0].connector, candidates: [] });
    }
    expect((await api('POST', '/api/templates/nope/use', {})).status).toBe(404);
  });

  it('creates every template once the workspace has a credential of each connector', async () => {
    const needed = [...new Set(items.flatMap((i) => i.credentials.map((c) => c.connector)))];
    const ids: Record<string, string> = {};
    for (const connector of needed) {
      const res = await api('POST', '/api/credentials', { connector, name: `My ${connector}`, data: getConnector(connector)!.sampleCredentials });
      expect(res.status).toBe(201);
      ids[connector] = res.body.id;
    }
    for (const i of items) {
      const res = await api('POST', `/api/templates/${i.key}/use`, {});
      expect({ key: i.key, status: res.status, details: res.body.details }).toEqual({ key: i.key, status: 201, details: undefined });
      const wf = workflowSchema.parse(res.body);
      expect(wf.name).toBe(i.name);
      expect(wf.enabled).toBe(false);
      const text = JSON.stringify(wf.steps);
      expect(text).not.toMatch(/cred:\d/);
      for (const c of i.credentials) expect(text).toContain(ids[c.connector]);
    }
  });

  it('takes an explicit mapping and a name; refuses another workspace credential and a wrong connector', async () => {
    const second = (await api('POST', '/api/credentials', { connector: 'slack', name: 'Second Slack', data: getConnector('slack')!.sampleCredentials })).body.id;
    // Two slack credentials, neither named "Slack": it asks.
    const ask = await api('POST', '/api/templates/webhook-order-slack/use', {});
    expect(ask.status).toBe(400);
    expect(ask.body.details[0]).toMatchObject({ path: 'credentials.cred:0', connector: 'slack', name: 'Slack' });
    expect(ask.body.details[0].candidates).toHaveLength(2);
    const res = await api('POST', '/api/templates/webhook-order-slack/use', { credentials: { 'cred:0': second }, name: 'Orders to #sales' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Orders to #sales', steps: [{ credentialId: second }] });

    const other = await t.register();
    const foreign = await api('POST', '/api/templates/webhook-order-slack/use', { credentials: { 'cred:0': second } }, other.token);
    expect(foreign.status).toBe(400);
    expect(foreign.body.details).toEqual([{ path: 'credentials.cred:0', message: 'No credential with this id in this workspace' }]);
    const badRef = await api('POST', '/api/templates/webhook-order-slack/use', { credentials: { slack: second } });
    expect(badRef.status).toBe(400);
  });
});
