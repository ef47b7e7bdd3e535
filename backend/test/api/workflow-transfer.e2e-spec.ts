/**
 * Workflow export and import (docs/templates.md) on the real api and PostgreSQL: an export holds
 * references (`cred:<n>`, `wf:<n>`) instead of ids and no secret (credential fields, the webhook's
 * signing secret); an import into another workspace maps them by connector and name, answers 400
 * with each unmapped reference (field path and machine-readable details) when it cannot, succeeds with
 * an explicit mapping, refuses another workspace's credential and a document of another format, and
 * an export then import round-trips the steps.
 */
import { workflowExportSchema, workflowSchema } from '@tributary/contracts';
import { getConnector } from '../../src/connectors/registry.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('workflow export and import', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  const credsA: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    a = (await t.register()).token;
    b = (await t.register()).token;
  });
  afterAll(async () => t?.close());

  const api = <T = any>(method: string, url: string, token: string, body?: unknown) => t.request<T>(method, url, { token, body });
  const credential = async (token: string, connector: string, name: string) => {
    const res = await api('POST', '/api/credentials', token, { connector, name, data: getConnector(connector)!.sampleCredentials });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  /** A workflow with every kind of reference: action and agent credentials, an MCP tool, a call and a workflow tool. */
  async function richWorkflow(): Promise<{ id: string; childId: string }> {
    credsA.slack = await credential(a, 'slack', 'Team Slack');
    credsA.llm = await credential(a, 'llm', 'Main LLM');
    credsA.mcp = await credential(a, 'mcp', 'Order tools');
    const child = await api('POST', '/api/workflows', a, { name: 'Lookup child', trigger: { type: 'manual' }, steps: [{ id: 'x', connector: 'core', action: 'transform', input: { value: 1 } }] });
    expect(child.status).toBe(201);
    const res = await api('POST', '/api/workflows', a, {
      name: 'Everything',
      description: 'refs everywhere',
      trigger: { type: 'webhook', secret: 'super-secret-signing-key', responseMode: 'async' },
      priority: 'high',
      concurrency: { max: 3 },
      steps: [
        { id: 'post', connector: 'slack', action: 'send_message', credentialId: credsA.slack, input: { text: 'hi {{name}}' } },
        {
          id: 'each',
          type: 'loop',
          items: '{{items}}',
          steps: [{ id: 'sub', type: 'call', workflowId: child.body.id, input: { item: '{{item}}' } }],
        },
        {
          id: 'agent',
          type: 'agent',
          credentialId: credsA.llm,
          prompt: '{{question}}',
          tools: [
            { kind: 'workflow', workflowId: child.body.id, name: 'lookup' },
            { kind: 'mcp', credentialId: credsA.mcp, tool: 'add' },
          ],
        },
        {
          id: 'maybe',
          type: 'condition',
          if: '{{flag}}',
          then: [{ id: 'again', connector: 'slack', action: 'send_message', credentialId: credsA.slack, input: { text: 'again' } }],
          else: [],
        },
      ],
    });
    expect(res.status).toBe(201);
    return { id: res.body.id, childId: child.body.id };
  }

  let exported: any;
  let original: any;
  let childId: string;

  it('exports references instead of ids, and no secret', async () => {
    const wf = await richWorkflow();
    childId = wf.childId;
    original = (await api('GET', `/api/workflows/${wf.id}`, a)).body;
    const res = await api('GET', `/api/workflows/${wf.id}/export`, a);
    expect(res.status).toBe(200);
    exported = workflowExportSchema.parse(res.body);
    expect(res.body.format).toBe('tributary.workflow/v1');
    expect(res.body.workflow).toMatchObject({ name: 'Everything', priority: 'high', concurrency: { max: 3 }, errorWorkflowId: null, trigger: { type: 'webhook', responseMode: 'async' } });
    expect(res.body.workflow.trigger.secret).toBeUndefined();
    expect(res.body.notes.join(' ')).toMatch(/secret/);
    expect(res.body.credentials).toEqual([
      { ref: 'cred:0', connector: 'slack', name: 'Team Slack' },
      { ref: 'cred:1', connector: 'llm', name: 'Main LLM' },
      { ref: 'cred:2', connector: 'mcp', name: 'Order tools' },
    ]);
    expect(res.body.workflows).toEqual([{ ref: 'wf:0', name: 'Lookup child' }]);
    const steps = res.body.workflow.steps;
    expect(steps[0].credentialId).toBe('cred:0');
    expect(steps[1].steps[0].workflowId).toBe('wf:0');
    expect(steps[2].credentialId).toBe('cred:1');
    expect(steps[2].tools).toEqual([expect.objectContaining({ kind: 'workflow', workflowId: 'wf:0' }), expect.objectContaining({ kind: 'mcp', credentialId: 'cred:2' })]);
    expect(steps[3].then[0].credentialId).toBe('cred:0');
    const text = JSON.stringify(res.body);
    for (const id of [...Object.values(credsA), wf.id, wf.childId]) expect(text).not.toContain(id);
    for (const secret of ['super-secret-signing-key', 'sk-mock', 'tributarymockwebhook0001']) expect(text).not.toContain(secret);
    expect((await api('GET', `/api/workflows/${wf.id}/export`, b)).status).toBe(404);
  });

  it('round-trips in the same workspace: same steps, ids mapped back', async () => {
    const res = await api('POST', '/api/workflows/import', a, { document: exported, name: 'Everything (copy)' });
    expect(res.status).toBe(201);
    const created = workflowSchema.parse(res.body);
    expect(created.name).toBe('Everything (copy)');
    expect(created.enabled).toBe(false);
    expect(created.steps).toEqual(original.steps);
    expect({ priority: created.priority, concurrency: created.concurrency, description: created.description }).toEqual({ priority: 'high', concurrency: { max: 3 }, description: 'refs everywhere' });
    // The copy exports to the same document (but its time, and the note on the secret it never had).
    const again = (await api('GET', `/api/workflows/${created.id}/export`, a)).body;
    const comparable = (d: any) => ({ ...d, exportedAt: undefined, notes: undefined, workflow: { ...d.workflow, name: 'Everything' } });
    expect(comparable(again)).toEqual(comparable(exported));
  });

  it('in another workspace: 400 listing unmapped refs, then maps by connector and name, and by explicit mapping', async () => {
    const missing = await api('POST', '/api/workflows/import', b, { document: exported });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/could not be mapped/);
    const paths = missing.body.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['credentials.cred:0', 'credentials.cred:1', 'credentials.cred:2', 'workflows.wf:0']);
    const slackNeed = missing.body.details.find((d: { path: string }) => d.path === 'credentials.cred:0');
    expect(slackNeed).toMatchObject({ ref: 'cred:0', kind: 'credential', connector: 'slack', name: 'Team Slack', candidates: [] });
    expect(slackNeed.message).toMatch(/"slack".*"Team Slack"/);

    // Workspace B gets credentials: one slack with the same name (plus another), the only llm and mcp ones under other names.
    const bSlack = await credential(b, 'slack', 'Team Slack');
    await credential(b, 'slack', 'Other Slack');
    const bLlm = await credential(b, 'llm', 'Some LLM');
    const bMcp = await credential(b, 'mcp', 'Some MCP');
    const bChild = (await api('POST', '/api/workflows', b, { name: 'Lookup child', trigger: { type: 'manual' }, steps: [] })).body.id;
    const ok = await api('POST', '/api/workflows/import', b, { document: exported });
    expect(ok.status).toBe(201);
    const steps = ok.body.steps;
    expect(steps[0].credentialId).toBe(bSlack);
    expect(steps[1].steps[0].workflowId).toBe(bChild);
    expect(steps[2].credentialId).toBe(bLlm);
    expect(steps[2].tools[1].credentialId).toBe(bMcp);
    expect(steps[3].then[0].credentialId).toBe(bSlack);

    // Two slack credentials and no name match: it asks, with the candidates; an explicit mapping answers.
    const renamed = structuredClone(exported);
    renamed.credentials[0].name = 'Nobody has this';
    const ask = await api('POST', '/api/workflows/import', b, { document: renamed });
    expect(ask.status).toBe(400);
    expect(ask.body.details).toEqual([expect.objectContaining({ path: 'credentials.cred:0', connector: 'slack', candidates: expect.arrayContaining([expect.objectContaining({ id: bSlack })]) })]);
    const other = await credential(b, 'slack', 'Third Slack');
    const mapped = await api('POST', '/api/workflows/import', b, { document: renamed, credentials: { 'cred:0': other } });
    expect(mapped.status).toBe(201);
    expect(mapped.body.steps[0].credentialId).toBe(other);
  });

  it("refuses another workspace's credential or workflow in the mapping, and a wrong connector", async () => {
    const foreign = await api('POST', '/api/workflows/import', b, { document: exported, credentials: { 'cred:0': credsA.slack }, workflows: { 'wf:0': childId } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.details).toEqual(
      expect.arrayContaining([
        { path: 'credentials.cred:0', message: 'No credential with this id in this workspace' },
        { path: 'workflows.wf:0', message: 'No workflow with this id in this workspace' },
      ]),
    );
    const bLlm = (await api('GET', '/api/credentials?connector=llm', b)).body.items[0].id;
    const wrong = await api('POST', '/api/workflows/import', b, { document: exported, credentials: { 'cred:0': bLlm } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details).toEqual([{ path: 'credentials.cred:0', message: 'Credential is for "llm", not "slack"' }]);
  });

  it('refuses a document of another format or version, a malformed one, and answers field errors of the workflow', async () => {
    const v2 = await api('POST', '/api/workflows/import', a, { document: { ...exported, format: 'tributary.workflow/v2' } });
    expect(v2.status).toBe(400);
    expect(v2.body.message).toMatch(/Unsupported document format "tributary.workflow\/v2"/);
    expect(v2.body.details[0].path).toBe('document.format');
    const none = await api('POST', '/api/workflows/import', a, { document: { name: 'x' } });
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/Not a Tributary workflow export/);
    const undeclared = structuredClone(exported);
    undeclared.workflow.steps[0].credentialId = 'cred:9';
    const u = await api('POST', '/api/workflows/import', a, { document: undeclared });
    expect(u.status).toBe(400);
    expect(u.body.details).toEqual([{ path: 'document.workflow.steps.0.credentialId', message: expect.stringMatching(/credential reference/) }]);
    const badStep = structuredClone(exported);
    badStep.workflow.steps[0].action = 'nope';
    const bad = await api('POST', '/api/workflows/import', a, { document: badStep });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ path: 'steps.0.action', message: expect.stringMatching(/Unknown action "nope"/) })]);
  });
});
