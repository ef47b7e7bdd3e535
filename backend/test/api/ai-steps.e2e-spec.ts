/**
 * AI steps end to end (SPEC "AI steps", docs/ai.md), on real PostgreSQL and Redis, against the mock
 * APIs' scriptable OpenAI-compatible model and MCP server: the `llm` step's structured output
 * (refused, sent back, accepted), the `agent` block's loop with a workflow tool and an MCP tool (each
 * model and tool call recorded at its own path), structured output refused and retried, the
 * iteration cap, the token budget, approval before a tool runs (approved and rejected), token usage
 * per step, per execution and in the stats, the MCP client step and tool discovery, and a worker
 * killed with SIGKILL in the middle of an agent loop: no finished model or tool call is repeated.
 */
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { exited, spawnWorker } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';
import { startMockApis, type MockApis } from '../../../scripts/mock-apis/server.js';

jest.setTimeout(120_000);

type Scripted = { content?: string; toolCalls?: { name: string; arguments: unknown }[]; delayMs?: number; status?: number; usage?: { prompt?: number; completion?: number } };

describe('AI steps', () => {
  let t: TestApp;
  let mock: MockApis;
  let token: string;
  let llmId: string;
  let mcpId: string;
  let lookupId: string;
  const children: ChildProcess[] = [];

  const script = async (key: string, responses: Scripted[]) => {
    const r = await fetch(`${mock.url}/llm/__script`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key, responses }) });
    expect(r.status).toBe(200);
  };
  const modelStats = async (key: string) => (await (await fetch(`${mock.url}/llm/__stats?key=${key}`)).json()) as { calls: number; byTurn: Record<string, number> };
  const mcpCalls = async () => ((await (await fetch(`${mock.url}/mcp/__stats`)).json()) as { calls: Record<string, number> }).calls;
  const create = async (steps: unknown[], extra: Record<string, unknown> = {}) => {
    const r = await t.request('POST', '/api/workflows', { token, body: { name: 'ai', trigger: { type: 'manual' }, steps, ...extra } });
    expect(r.body).toMatchObject({ id: expect.any(String) });
    return r.body.id as string;
  };
  const run = async (workflowId: string, payload: unknown = {}) => (await t.request('POST', `/api/workflows/${workflowId}/run`, { token, body: { payload } })).body.executionId as string;
  const detail = async (id: string) => (await t.request('GET', `/api/executions/${id}`, { token })).body;
  const until = (id: string, statuses: string[], timeoutMs = 60_000) =>
    waitFor(`execution ${id} to be ${statuses.join(' or ')}`, async () => {
      const e = await detail(id);
      return statuses.includes(e.status) ? e : undefined;
    }, timeoutMs);
  const agent = (key: string, extra: Record<string, unknown> = {}) => ({ id: 'agent', type: 'agent', credentialId: llmId, system: `You help customers. [${key}]`, prompt: 'Where is order #{{orderId}}?', ...extra });

  const apps: TestApp[] = [];
  /** An app (with an in-process worker unless told otherwise) and a workspace with the two connections and the lookup workflow: what the tests use. */
  const setup = async (withWorker: boolean) => {
    t = await createTestApp({ WAIT_DURABLE_AFTER_MS: '0' });
    apps.push(t);
    if (withWorker) await t.startWorker();
    token = (await t.register()).token;
    const llm = await t.request('POST', '/api/credentials', { token, body: { name: 'Mock model', connector: 'llm', data: { baseUrl: `${mock.url}/llm/v1`, apiKey: 'sk-test', model: 'mock-gpt' } } });
    expect(llm.status).toBe(201);
    llmId = llm.body.id;
    const server = await t.request('POST', '/api/credentials', { token, body: { name: 'Mock MCP', connector: 'mcp', data: { url: `${mock.url}/mcp/mcp`, token: 'mcp-secret-token' } } });
    expect(server.status).toBe(201);
    mcpId = server.body.id;
    lookupId = await create([{ id: 'find', connector: 'core', action: 'transform', input: { value: { orderId: '{{orderId}}', status: 'shipped', carrier: 'DHL' } } }], {
      name: 'lookup order',
      description: 'Looks up an order',
      inputSchema: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
    });
  };

  beforeAll(async () => {
    mock = await startMockApis({ port: 0 });
    await setup(true);
  });
  afterEach(async () => {
    const alive = children.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of alive) c.kill('SIGKILL');
    await Promise.all(alive.map((c) => exited(c)));
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await mock?.close();
  });

  it('tests the connections and lists an MCP server\'s tools with their input schemas', async () => {
    expect((await t.request('POST', `/api/credentials/${llmId}/test`, { token })).body).toMatchObject({ ok: true, message: 'Reached the model provider: 2 models, mock-gpt among them' });
    expect((await t.request('POST', `/api/credentials/${mcpId}/test`, { token })).body).toMatchObject({ ok: true, message: 'Connected: the server offers 3 tools (lookup_order, add, fail)' });
    const tools = await t.request('GET', `/api/credentials/${mcpId}/mcp/tools`, { token });
    expect(tools.status).toBe(200);
    expect(tools.body.items.find((x: { name: string }) => x.name === 'add')).toEqual({ name: 'add', description: 'Adds two numbers', inputSchema: expect.objectContaining({ type: 'object', required: ['a', 'b'] }) });
    const wrong = await t.request('GET', `/api/credentials/${llmId}/mcp/tools`, { token });
    expect(wrong.status).toBe(400);
    const bad = await t.request('POST', '/api/credentials', { token, body: { name: 'Refusing MCP', connector: 'mcp', data: { url: `${mock.url}/mcp/mcp`, token: 'invalid' } } });
    const refused = await t.request('GET', `/api/credentials/${bad.body.id}/mcp/tools`, { token });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('401');
  });

  it('an llm step with a response schema: a reply that does not match is sent back, the next one is the step\'s json; tokens on the step, the execution and the stats', async () => {
    await script('TRIAGE-1', [{ content: 'It looks urgent!', usage: { prompt: 30, completion: 5 } }, { content: '{"priority":"high","reason":"angry"}', usage: { prompt: 50, completion: 10 } }]);
    const wf = await create([
      { id: 'triage', connector: 'llm', action: 'chat', credentialId: llmId, input: { system: 'Triage [TRIAGE-1]', prompt: 'Ticket: {{text}}', responseSchema: { type: 'object', properties: { priority: { enum: ['low', 'high'] }, reason: { type: 'string' } }, required: ['priority'] } } },
    ]);
    const e = await until(await run(wf, { text: 'my order never came' }), ['succeeded', 'failed']);
    expect(e.status).toBe('succeeded');
    const step = e.steps[0];
    expect(step.output).toMatchObject({ content: '{"priority":"high","reason":"angry"}', json: { priority: 'high', reason: 'angry' }, model: 'mock-gpt' });
    expect(step.usage).toEqual({ promptTokens: 80, completionTokens: 15, totalTokens: 95 });
    expect(e.usage).toEqual({ promptTokens: 80, completionTokens: 15, totalTokens: 95 });
    expect((await modelStats('TRIAGE-1')).calls).toBe(2);
    const stats = (await t.request('GET', '/api/stats', { token })).body;
    expect(stats.perWorkflow.find((w: { workflowId: string }) => w.workflowId === wf).tokens).toBe(95);
    expect(stats.today.tokens).toBeGreaterThanOrEqual(95);

    // Never matching: the step fails after its retries with what was wrong.
    await script('TRIAGE-2', [{ content: '{"priority":"urgent"}' }]);
    const never = await create([{ id: 'triage', connector: 'llm', action: 'chat', credentialId: llmId, input: { system: '[TRIAGE-2]', prompt: 'x', structuredRetries: 1, responseSchema: { type: 'object', properties: { priority: { enum: ['low', 'high'] } }, required: ['priority'] } } }]);
    const failed = await until(await run(never), ['succeeded', 'failed']);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain("The model's answer does not match the response schema after 2 tries: priority: must be equal to one of the allowed values");
    expect((await modelStats('TRIAGE-2')).calls).toBe(2);
  });

  it('an agent calls a workflow tool and an MCP tool, then answers: each call at its own path, the conversation and usage on its output', async () => {
    await script('AGENT-1', [
      { toolCalls: [{ name: 'lookup_order', arguments: { orderId: '1001' } }, { name: 'add', arguments: { a: 2, b: 3 } }] },
      { content: 'Order 1001 has shipped with DHL; 2 + 3 = 5.' },
    ]);
    const before = (await mcpCalls()).add ?? 0;
    const wf = await create([agent('AGENT-1', { tools: [{ kind: 'workflow', workflowId: lookupId, name: 'lookup_order', description: 'Finds an order' }, { kind: 'mcp', credentialId: mcpId, tool: 'add' }] }), { id: 'reply', connector: 'core', action: 'transform', input: { value: 'Reply: {{steps.agent.answer}}' } }]);
    const id = await run(wf, { orderId: '1001' });
    const e = await until(id, ['succeeded', 'failed']);
    expect(e.status).toBe('succeeded');
    expect(e.output).toBe('Reply: Order 1001 has shipped with DHL; 2 + 3 = 5.');
    const paths = e.steps.map((s: { path?: string; stepId: string; status: string }) => `${s.path ?? s.stepId}:${s.status}`);
    expect(paths).toEqual(expect.arrayContaining(['agent.servers[0]:succeeded', 'agent[0].model:succeeded', 'agent[0].tools[0]:succeeded', 'agent[0].tools[1]:succeeded', 'agent[1].model:succeeded', 'agent:succeeded', 'reply:succeeded']));
    const byPath = (p: string) => e.steps.filter((s: { path?: string }) => s.path === p).at(-1);
    // The workflow tool ran as a sub-workflow (a `call` child), its output what the model read.
    expect(byPath('agent[0].tools[0]').output).toEqual({ orderId: '1001', status: 'shipped', carrier: 'DHL' });
    const child = await detail(byPath('agent[0].tools[0]').input.executionId);
    expect(child).toMatchObject({ triggerType: 'call', status: 'succeeded', parentExecutionId: id });
    expect(byPath('agent[0].tools[1]').output).toMatchObject({ text: '5', structuredContent: { sum: 5 } });
    expect((await mcpCalls()).add).toBe(before + 1);
    const out = byPath('agent').output;
    expect(out).toMatchObject({ answer: 'Order 1001 has shipped with DHL; 2 + 3 = 5.', iterations: 2 });
    expect(out.conversation.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'assistant']);
    expect(out.conversation[2].toolCalls).toEqual([{ id: 'call_0_0', name: 'lookup_order', arguments: { orderId: '1001' } }, { id: 'call_0_1', name: 'add', arguments: { a: 2, b: 3 } }]);
    expect(JSON.parse(out.conversation[3].content)).toEqual({ orderId: '1001', status: 'shipped', carrier: 'DHL' });
    expect(out.conversation[4]).toMatchObject({ role: 'tool', content: '5', toolCallId: 'call_0_1' });
    // Usage: each model call's, the agent's sum, the execution's (not counted twice).
    const m0 = byPath('agent[0].model').usage;
    const m1 = byPath('agent[1].model').usage;
    expect(out.usage.totalTokens).toBe(m0.totalTokens + m1.totalTokens);
    expect(e.usage.totalTokens).toBe(out.usage.totalTokens);
    // The tree: the agent's turns with their calls.
    const node = e.tree[0];
    expect(node.iterations.map((it: { steps: { stepId: string }[] }) => it.steps.map((s) => s.stepId))).toEqual([['model', 'tools[0]', 'tools[1]'], ['model']]);
    // The model saw the tools with their schemas: the workflow's inputSchema, the MCP tool's.
    const sent = mock.requests.filter((r) => r.path === '/llm/v1/chat/completions' && JSON.stringify(r.body).includes('AGENT-1'));
    expect((sent[0].body as { tools: { function: { name: string; parameters: unknown } }[] }).tools.map((x) => [x.function.name, (x.function.parameters as { required?: string[] }).required])).toEqual([['lookup_order', ['orderId']], ['add', ['a', 'b']]]);
    expect(sent[0].headers.authorization).toBe('Bearer sk-test');
    expect(sent[0].headers['idempotency-key']).toBe(`${id}:agent[0].model`);
  });

  it('refuses a final answer that does not match the output schema and asks again; stops at maxIterations; keeps to maxTokens', async () => {
    await script('AGENT-2', [{ content: 'Sure! The reply is hi.' }, { content: '{"reply":"Hi Ada"}' }]);
    const schema = { type: 'object', properties: { reply: { type: 'string' } }, required: ['reply'] };
    const ok = await until(await run(await create([agent('AGENT-2', { outputSchema: schema })])), ['succeeded', 'failed']);
    expect(ok.status).toBe('succeeded');
    expect(ok.steps.at(-1).output).toMatchObject({ json: { reply: 'Hi Ada' }, iterations: 2 });
    expect(ok.steps.at(-1).output.conversation[3]).toMatchObject({ role: 'user', content: expect.stringContaining('does not match the required JSON schema') });

    await script('AGENT-3', [{ toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] }]);
    const capped = await until(await run(await create([agent('AGENT-3', { maxIterations: 3, tools: [{ kind: 'mcp', credentialId: mcpId, tool: 'add' }] })])), ['succeeded', 'failed']);
    expect(capped.status).toBe('failed');
    expect(capped.error).toBe('Step "agent" failed: the agent stopped after 3 iterations without a final answer (raise maxIterations, or tell it when to stop)');
    expect((await modelStats('AGENT-3')).calls).toBe(3);

    await script('AGENT-4', [{ toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }], usage: { prompt: 400, completion: 200 } }]);
    const budget = await until(await run(await create([agent('AGENT-4', { maxTokens: 1000, tools: [{ kind: 'mcp', credentialId: mcpId, tool: 'add' }] })])), ['succeeded', 'failed']);
    expect(budget.error).toBe('Step "agent" failed: the agent used 1200 tokens, more than its maxTokens (1000)');
    expect((await modelStats('AGENT-4')).calls).toBe(2);
  });

  it('asks a person before a tool that needs approval: approved, the tool runs; rejected, the model hears why and goes on', async () => {
    await script('AGENT-5', [{ toolCalls: [{ name: 'add', arguments: { a: 20, b: 22 } }] }, { content: 'done' }]);
    const wf = await create([agent('AGENT-5', { tools: [{ kind: 'mcp', credentialId: mcpId, tool: 'add', approval: true }] })]);
    const before = (await mcpCalls()).add ?? 0;
    const id = await run(wf);
    const waiting = await until(id, ['waiting', 'failed']);
    expect(waiting.status).toBe('waiting');
    // The agent node waits with its approval (it has no result of its own yet).
    expect(waiting.tree[0]).toMatchObject({ stepId: 'agent', status: 'waiting' });
    expect(waiting.waits).toEqual([expect.objectContaining({ stepId: 'agent', path: 'agent[0].approve[0]', kind: 'approval', message: 'The agent "agent" asks to call add with {"a":20,"b":22}' })]);
    expect((await mcpCalls()).add ?? 0).toBe(before);
    expect((await t.request('POST', `/api/executions/${id}/approve`, { token, body: { stepId: 'agent', data: { by: 'ops' } } })).status).toBe(200);
    const approved = await until(id, ['succeeded', 'failed']);
    expect(approved.status).toBe('succeeded');
    expect((await mcpCalls()).add).toBe(before + 1);
    // Resumed, the first model call stood: the model was asked twice in all, not three times.
    expect((await modelStats('AGENT-5')).byTurn).toEqual({ 0: 1, 1: 1 });
    // The agent's time and start are its first call's, not the resumed pass's.
    const firstCall = approved.steps.find((s: { path?: string }) => s.path === 'agent[0].model');
    const agentResult = approved.steps.at(-1);
    expect(agentResult.startedAt).toBe(firstCall.startedAt);
    expect(agentResult.durationMs).toBeGreaterThanOrEqual(Date.parse(agentResult.finishedAt) - Date.parse(firstCall.startedAt) - 5);

    await script('AGENT-6', [{ toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] }, { content: 'I was not allowed to add.' }]);
    const id2 = await run(await create([agent('AGENT-6', { tools: [{ kind: 'mcp', credentialId: mcpId, tool: 'add', approval: true }] })]));
    await until(id2, ['waiting']);
    expect((await t.request('POST', `/api/executions/${id2}/reject`, { token, body: { stepId: 'agent', data: { reason: 'not today' } } })).status).toBe(200);
    const rejected = await until(id2, ['succeeded', 'failed']);
    expect(rejected.status).toBe('succeeded');
    const out = rejected.steps.at(-1).output;
    expect(out.answer).toBe('I was not allowed to add.');
    expect(out.conversation[3]).toMatchObject({ role: 'tool', content: expect.stringMatching(/^Not called: /) });
    expect((await mcpCalls()).add).toBe(before + 1);
  });

  it('an MCP client step calls a tool; a tool error fails the step with its text', async () => {
    const wf = await create([{ id: 'order', connector: 'mcp', action: 'callTool', credentialId: mcpId, input: { tool: 'lookup_order', arguments: { orderId: '{{orderId}}' } } }]);
    const e = await until(await run(wf, { orderId: '77' }), ['succeeded', 'failed']);
    expect(e.steps[0].output).toMatchObject({ structuredContent: { orderId: '77', status: 'shipped' } });
    const bad = await create([{ id: 'oops', connector: 'mcp', action: 'callTool', credentialId: mcpId, input: { tool: 'fail', arguments: { reason: 'boom' } } }]);
    const f = await until(await run(bad), ['succeeded', 'failed']);
    expect(f.error).toBe('Step "oops" failed: The tool "fail" failed: failed: boom');
    expect(JSON.stringify(f)).not.toContain('mcp-secret-token');
  });

  it('refuses a second enabled tool of the same name in a workspace (409), on create and on update', async () => {
    const tool = { enabled: true, name: 'same_tool', description: 'A tool' };
    const steps = [{ id: 'x', connector: 'core', action: 'transform', input: { value: 1 } }];
    const first = await t.request('POST', '/api/workflows', { token, body: { name: 'tool one', trigger: { type: 'manual' }, steps, tool } });
    expect(first.status).toBe(201);
    const second = await t.request('POST', '/api/workflows', { token, body: { name: 'tool two', trigger: { type: 'manual' }, steps, tool } });
    expect(second.status).toBe(409);
    expect(second.body.message).toBe('Another workflow of this workspace is the tool "same_tool" already: choose another tool name');
    const other = await t.request('POST', '/api/workflows', { token, body: { name: 'tool three', trigger: { type: 'manual' }, steps, tool: { ...tool, name: 'other_tool' } } });
    const renamed = await t.request('PUT', `/api/workflows/${other.body.id}`, { token, body: { tool } });
    expect(renamed.status).toBe(409);
  });

  it('refuses agents with a credential of another connector, unknown workflows and duplicate tool names, each at its path', async () => {
    const r = await t.request('POST', '/api/workflows', {
      token,
      body: { name: 'bad agent', trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'agent', credentialId: mcpId, prompt: 'hi {{steps.nope.x}}', tools: [{ kind: 'mcp', credentialId: llmId, tool: 'add', name: 'x' }, { kind: 'workflow', workflowId: '00000000-0000-4000-8000-000000000000', name: 'x' }] }] },
    });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual(expect.arrayContaining([
      { path: 'steps.0.credentialId', message: 'Credential is for "mcp", not "llm"' },
      { path: 'steps.0.prompt', message: expect.stringContaining('Unknown step "nope"') },
      { path: 'steps.0.tools.0.credentialId', message: 'Credential is for "llm", not "mcp"' },
      { path: 'steps.0.tools.1.name', message: 'Two tools are named "x": name one of them' },
      { path: 'steps.0.tools.1.workflowId', message: 'No workflow with this id in this workspace' },
    ]));
  });

  it('a worker killed with SIGKILL in the middle of an agent loop: the run finishes on another worker and no finished model or tool call is repeated', async () => {
    // Turn 2 answers slowly: the worker is killed while it waits for it.
    await script('AGENT-KILL', [
      { toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] },
      { toolCalls: [{ name: 'lookup_order', arguments: { orderId: '9' } }] },
      { content: 'all done', delayMs: 4000 },
    ]);
    // Only spawned workers take this run: an app and a workspace of its own, without an in-process worker.
    await setup(false);
    const before = (await mcpCalls()).add ?? 0;
    const wf = await create([agent('AGENT-KILL', { tools: [{ kind: 'mcp', credentialId: mcpId, tool: 'add' }, { kind: 'workflow', workflowId: lookupId, name: 'lookup_order' }] })]);
    const first = spawnWorker(t.env);
    children.push(first);
    const id = await run(wf);
    await waitFor('the third model call to be in flight', async () => (await modelStats('AGENT-KILL')).byTurn[2] === 1, 60_000, 50);
    first.kill('SIGKILL');
    await exited(first);
    children.push(spawnWorker(t.env));
    const e = await until(id, ['succeeded', 'failed'], 90_000);
    expect(e.status).toBe('succeeded');
    expect(e.steps.at(-1).output.answer).toBe('all done');
    // Turns 0 and 1 and their tool calls ran once; only the call in flight at the kill ran again.
    expect((await modelStats('AGENT-KILL')).byTurn).toEqual({ 0: 1, 1: 1, 2: 2 });
    expect((await mcpCalls()).add).toBe(before + 1);
    const children2 = (await t.request('GET', `/api/executions?workflowId=${lookupId}&limit=100`, { token })).body.items.filter((x: { triggerType: string }) => x.triggerType === 'call');
    const mine = [];
    for (const c of children2) if ((await detail(c.id)).parentExecutionId === id) mine.push(c.id);
    expect(mine).toHaveLength(1);
  });
});
