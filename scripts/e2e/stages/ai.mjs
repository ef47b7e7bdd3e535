/**
 * AI steps in the dashboard: through the api, an `llm` connection to the mock model (scripts/mock-apis
 * providers/llm.js), a tool workflow `lookup_order` (offered as a tool, its input schema an order
 * id) and an agent workflow whose agent block may call it. The mock model is scripted to call the
 * tool, then answer. The run's execution page shows the agent's transcript (the prompt, the tool call
 * with its arguments, the tool's result, the final answer), its iterations and token usage, and the
 * iterations' recorded sub-results (model call, tool call); the overview counts the tokens. A second
 * agent whose tool asks for approval parks its run on `<id>[0].approve[0]`, and Approve on the
 * execution page moves it on. Then the builder: the agent block opens in its form (connection,
 * prompt, tools), saves back unchanged, and the tool workflow shows its "Available as a tool" setting.
 * An MCP client (the api's /mcp, with an API key) lists that tool as saved and runs it: the run's
 * trigger reads "MCP tool call" in the logs and on its page. Last, MCP on a new workflow: an MCP client step whose connection's server lists its tools (a
 * connection the server refuses says so), the chosen tool's arguments as a form of its input schema,
 * a dry run calling it; an agent added from the step menu with a tool of that MCP server; saved.
 */
import { API_URL, BASE_URL, MOCK_URL, RUN, apiAs, consoleErrors, fail, screenshot, showTree, stage, waitFor } from '../harness.mjs';

/** The mock model (scripts/mock-apis/providers/llm.js): OpenAI-compatible under /v1, scripted at /__script. */
const MODEL_MOCK = `${MOCK_URL}/llm`;
const KEY = `e2e-agent-${RUN}`;
const APPROVAL_KEY = `e2e-agent-approval-${RUN}`;
const ORDER = `A-${RUN}`;
const ANSWER = `Order ${ORDER} has shipped (${RUN}).`;
const TOOL_NAME = 'lookup_order';
const PROMPT = 'Where is order {{orderId}}? Use the tools.';

async function script(key, responses) {
  const res = await fetch(`${MODEL_MOCK}/__script`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key, responses }) });
  if (!res.ok) fail(`scripting the mock model answered ${res.status} ${await res.text()} (does scripts/mock-apis have the llm provider?)`);
}

const finished = (s) => s === 'succeeded' || s === 'failed' || s === 'cancelled';

async function runToEnd(page, workflowId, payload, what) {
  const { executionId } = await apiAs(page, 'POST', `/workflows/${workflowId}/run`, { payload });
  console.log(`    ${what}: execution ${executionId}`);
  const e = await waitFor(`${what} to finish`, async () => {
    const x = await apiAs(page, 'GET', `/executions/${executionId}`);
    return finished(x.status) ? x : undefined;
  }, { timeout: 60_000, interval: 500 });
  return e;
}

/** `page` is signed in as an admin (or editor). */
export async function aiStages(page) {
  let credentialId;
  let toolWorkflow;
  let agentWorkflow;
  let execution;

  await stage(page, 'ai-setup', async () => {
    const credential = await apiAs(page, 'POST', '/credentials', { connector: 'llm', name: `E2E LLM ${RUN}`, data: { baseUrl: `${MODEL_MOCK}/v1`, apiKey: `e2e-key-${RUN}`, model: 'mock-gpt' } });
    credentialId = credential.id;
    toolWorkflow = await apiAs(page, 'POST', '/workflows', {
      name: `E2E lookup order ${RUN}`,
      trigger: { type: 'manual' },
      inputSchema: { type: 'object', properties: { orderId: { type: 'string', description: 'The order id' } }, required: ['orderId'] },
      steps: [{ id: 'lookup', connector: 'core', action: 'transform', input: { value: { orderId: '{{orderId}}', status: 'shipped' } } }],
      tool: { enabled: true, name: `lookup_order_${RUN.replace(/[^a-z0-9]/gi, '')}`, description: 'Looks an order up by its id and answers its shipping status.' },
    });
    agentWorkflow = await apiAs(page, 'POST', '/workflows', {
      name: `E2E support agent ${RUN}`,
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'support',
          name: 'Support agent',
          type: 'agent',
          credentialId,
          system: `You are a support agent (${KEY}). Answer in one sentence.`,
          prompt: PROMPT,
          tools: [{ kind: 'workflow', workflowId: toolWorkflow.id, name: TOOL_NAME, description: 'Looks an order up by its id.' }],
          maxIterations: 5,
        },
      ],
    });
    await script(KEY, [{ toolCalls: [{ name: TOOL_NAME, arguments: { orderId: ORDER } }] }, { content: ANSWER }]);
  });

  await stage(page, 'ai-agent-run', async () => {
    execution = await runToEnd(page, agentWorkflow.id, { orderId: ORDER }, 'the agent run');
    if (execution.status !== 'succeeded') fail(`the agent run ${execution.status}: ${execution.error}`);
    if (!execution.usage?.totalTokens) fail(`the execution records no token usage: ${JSON.stringify(execution.usage)}`);
    const agent = execution.steps.findLast((s) => (s.path ?? s.stepId) === 'support');
    if (agent?.output?.answer !== ANSWER) fail(`the agent's answer is ${JSON.stringify(agent?.output?.answer)}, not the scripted one`);
  });

  await stage(page, 'ai-execution-transcript', async () => {
    await page.goto(`${BASE_URL}/logs/${execution.id}`);
    const detail = page.getByTestId('execution-detail');
    await detail.waitFor({ timeout: 20_000 });
    // The canvas is the default view; these checks read the tree.
    await showTree(page);
    if ((await detail.getAttribute('data-status')) !== 'succeeded') fail(`the execution page shows ${await detail.getAttribute('data-status')}`);

    // The header: total tokens, as the api counts them.
    const usage = page.getByTestId('execution-usage');
    await usage.waitFor().catch(() => fail('the execution header does not show the token usage'));
    if (Number(await usage.getAttribute('data-total')) !== execution.usage.totalTokens) fail(`the header shows ${await usage.getAttribute('data-total')} tokens, the api ${execution.usage.totalTokens}`);

    // The agent node opens on its answer and conversation.
    const node = page.locator('[data-testid="execution-step"][data-path="support"]').first();
    if ((await node.getAttribute('data-type')) !== 'agent') fail(`the agent step is shown as ${await node.getAttribute('data-type')}`);
    const run = node.getByTestId('agent-run');
    await run.waitFor().catch(() => fail('the agent step does not show its run (answer and conversation)'));
    const answer = await run.getByTestId('agent-answer').textContent();
    if (answer?.trim() !== ANSWER) fail(`the final answer shown is ${JSON.stringify(answer)}`);
    if ((await run.getByTestId('agent-iterations-count').getAttribute('data-count')) !== '2') fail(`the agent shows ${await run.getByTestId('agent-iterations-count').getAttribute('data-count')} iterations, expected 2`);
    const agentResult = execution.steps.findLast((s) => (s.path ?? s.stepId) === 'support');
    if (Number(await run.getByTestId('agent-usage').getAttribute('data-total')) !== agentResult.output.usage.totalTokens) fail('the agent\'s token count differs from its output\'s');

    const transcript = run.getByTestId('agent-transcript');
    const roles = await transcript.locator(':scope > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-role')));
    if (roles.join(',') !== 'system,user,assistant,tool,assistant') fail(`the conversation reads ${roles.join(', ')}, expected system, user, assistant (tool call), tool, assistant`);
    const user = await transcript.locator('[data-role="user"]').textContent();
    if (!user?.includes(`Where is order ${ORDER}?`)) fail(`the prompt shown is not the rendered one: ${user}`);
    if (await transcript.locator('[data-role="system"] details').getAttribute('open') !== null) fail('the system prompt is not folded');
    const call = transcript.locator(`[data-testid="agent-tool-call"][data-name="${TOOL_NAME}"]`);
    await call.waitFor().catch(() => fail(`the conversation does not show the call of ${TOOL_NAME}`));
    const args = JSON.parse((await call.getByTestId('agent-tool-call-arguments').textContent()) ?? 'null');
    if (args?.orderId !== ORDER) fail(`the tool call's arguments shown are ${JSON.stringify(args)}`);
    const result = transcript.locator(`[data-testid="agent-tool-result"][data-name="${TOOL_NAME}"]`);
    await result.waitFor().catch(() => fail('the conversation does not show the tool\'s result under the tool\'s name'));
    if (!(await result.textContent())?.includes('shipped')) fail(`the tool result shown does not say "shipped": ${await result.textContent()}`);
    await screenshot(page, 'ai-agent-transcript');

    // The iterations: the first called the tool, the second answered; their sub-results open like a loop's.
    const iterations = node.getByTestId('agent-iteration');
    if ((await iterations.count()) !== 2) fail(`the agent lists ${await iterations.count()} iterations, expected 2`);
    const summary = await iterations.first().getByTestId('agent-iteration-summary').textContent();
    if (!summary?.includes(`called ${TOOL_NAME}`)) fail(`iteration 1 does not say it called ${TOOL_NAME}: ${summary}`);
    await iterations.first().getByTestId('agent-iteration-toggle').click();
    const sub = (path) => page.locator(`[data-testid="execution-step"][data-path="${path}"]`).first();
    await sub('support[0].model').waitFor().catch(() => fail('iteration 1 does not show its model call (support[0].model)'));
    await sub('support[0].tools[0]').waitFor().catch(() => fail('iteration 1 does not show its tool call (support[0].tools[0])'));
    if ((await sub('support[0].tools[0]').getAttribute('data-status')) !== 'succeeded') fail('the tool call is not shown succeeded');
    await sub('support[0].model').getByTestId('execution-step-toggle').click();
    const modelUsage = sub('support[0].model').getByTestId('execution-step-usage');
    await modelUsage.waitFor().catch(() => fail('the model call does not show its tokens'));
    await sub('support[0].tools[0]').getByTestId('execution-step-toggle').click();
    const toolInput = JSON.parse((await sub('support[0].tools[0]').getByTestId('execution-step-input').textContent()) ?? 'null');
    if (toolInput?.tool !== TOOL_NAME || toolInput?.arguments?.orderId !== ORDER) fail(`the tool call's input is ${JSON.stringify(toolInput)}`);
    await sub('support[0].tools[0]').getByTestId('execution-step-output').scrollIntoViewIfNeeded();
    await screenshot(page, 'ai-agent-iterations');
  });

  await stage(page, 'ai-overview-tokens', async () => {
    await page.goto(`${BASE_URL}/`);
    const today = page.getByTestId('stat-tokens-today');
    await waitFor('the overview to count the agent\'s tokens today', async () => {
      if (!(await today.count())) return false;
      return Number(await today.getAttribute('data-tokens')) >= execution.usage.totalTokens;
    }, { timeout: 30_000, interval: 1000 }).catch(async () => fail(`the overview shows ${await today.getAttribute('data-tokens').catch(() => 'no')} tokens today, expected at least ${execution.usage.totalTokens}`));
    const row = page.locator(`[data-testid="workflow-tokens"][data-workflow-id="${agentWorkflow.id}"]`);
    await row.waitFor().catch(() => fail('the overview\'s table by workflow has no token count for the agent workflow'));
    const shown = Number((await row.textContent())?.replace(/[^0-9]/g, ''));
    if (shown < execution.usage.totalTokens) fail(`the agent workflow's row shows ${shown} tokens, expected at least ${execution.usage.totalTokens}`);
  });

  await stage(page, 'ai-agent-approval', async () => {
    const wf = await apiAs(page, 'POST', '/workflows', {
      name: `E2E agent with approval ${RUN}`,
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'careful',
          type: 'agent',
          credentialId,
          prompt: `Check order {{orderId}} (${APPROVAL_KEY}).`,
          tools: [{ kind: 'workflow', workflowId: toolWorkflow.id, name: TOOL_NAME, approval: true }],
        },
      ],
    });
    await script(APPROVAL_KEY, [{ toolCalls: [{ name: TOOL_NAME, arguments: { orderId: ORDER } }] }, { content: `Checked ${ORDER}.` }]);
    const { executionId } = await apiAs(page, 'POST', `/workflows/${wf.id}/run`, { payload: { orderId: ORDER } });
    console.log(`    the agent run with an approval: execution ${executionId}`);
    const parked = await waitFor('the agent run to wait for the approval of its tool call', async () => {
      const e = await apiAs(page, 'GET', `/executions/${executionId}`);
      if (finished(e.status)) fail(`the run ended ${e.status} instead of waiting for the approval: ${e.error}`);
      return e.status === 'waiting' ? e : undefined;
    }, { timeout: 45_000, interval: 500 });
    const approvePath = 'careful[0].approve[0]';
    if (!parked.waits?.some((w) => w.kind === 'approval' && w.path === approvePath)) fail(`the waiting run does not list its approval at ${approvePath}: ${JSON.stringify(parked.waits)}`);

    await page.goto(`${BASE_URL}/logs/${executionId}`);
    await showTree(page);
    const wait = page.locator(`[data-testid="pending-wait"][data-path="${approvePath}"]`);
    await wait.waitFor({ timeout: 20_000 }).catch(() => fail('the execution page does not show the pending tool call approval'));
    if ((await wait.getAttribute('data-agent')) !== 'true') fail('the pending wait is not shown as a tool call approval');
    const message = await wait.getByTestId('approval-message').textContent();
    if (!message?.includes(TOOL_NAME)) fail(`the approval message does not name the tool: ${message}`);
    const node = page.locator(`[data-testid="execution-step"][data-path="${approvePath}"]`).first();
    if (!(await node.count())) await page.locator('[data-testid="execution-step"][data-path="careful"]').getByTestId('agent-iteration-toggle').first().click();
    if ((await node.getAttribute('data-status')) !== 'waiting') fail(`the approval in the agent's iteration is shown ${await node.getAttribute('data-status')}, not waiting`);
    await screenshot(page, 'ai-agent-approval-waiting');

    await wait.getByTestId('approve-execution').click();
    const toast = page.getByTestId('toast').filter({ hasText: /Approved|Could not approve/ }).first();
    await toast.waitFor();
    if (!(await toast.textContent())?.includes('Approved')) fail(`approving failed: ${(await toast.innerText()).replace(/\s+/g, ' ')}`);
    const detail = page.getByTestId('execution-detail');
    const status = await waitFor('the approved agent run to finish on its page', async () => {
      const s = await detail.getAttribute('data-status');
      return finished(s) ? s : undefined;
    }, { timeout: 45_000, interval: 500 });
    if (status !== 'succeeded') fail(`the approved agent run ended ${status}: ${await page.getByTestId('execution-error').textContent().catch(() => '')}`);
    const answer = page.locator('[data-testid="execution-step"][data-path="careful"]').getByTestId('agent-answer');
    await answer.waitFor().catch(() => fail('the approved agent run does not show its answer'));
    if ((await answer.textContent())?.trim() !== `Checked ${ORDER}.`) fail(`the approved agent's answer is ${await answer.textContent()}`);
  });

  await stage(page, 'ai-builder-agent-form', async () => {
    const before = await apiAs(page, 'GET', `/workflows/${agentWorkflow.id}`);
    await page.goto(`${BASE_URL}/workflows/${agentWorkflow.id}`);
    // Selecting the agent's node on the canvas opens its form in the side panel.
    await page.locator('[data-testid="canvas-node"][data-step-id="support"]').click({ timeout: 20_000 });
    const card = page.locator('[data-testid="agent-card"][data-step-id="support"]');
    await card.waitFor({ timeout: 20_000 }).catch(() => fail('the builder does not open the agent block in its form'));
    const prompt = await page.getByTestId('field-steps.0.agent.prompt').inputValue();
    if (prompt !== PROMPT) fail(`the agent form's prompt is ${JSON.stringify(prompt)}`);
    const system = await page.getByTestId('field-steps.0.agent.system').inputValue();
    if (!system.includes(KEY)) fail(`the agent form's system prompt is ${JSON.stringify(system)}`);
    const credential = page.getByTestId('step-0-credential');
    await waitFor('the LLM connection to be chosen in the agent form', async () => (await credential.inputValue()) === credentialId, { timeout: 10_000, interval: 200 });
    const tools = card.getByTestId('agent-tool');
    if ((await tools.count()) !== 1 || (await tools.first().getAttribute('data-kind')) !== 'workflow') fail('the agent form does not list its one workflow tool');
    await waitFor('the tool workflow to be chosen in the agent form', async () => (await page.getByTestId('step-0-tool-0-workflow').inputValue()) === toolWorkflow.id, { timeout: 10_000, interval: 200 });
    if ((await page.getByTestId('step-0-tool-0-name').inputValue()) !== TOOL_NAME) fail('the tool\'s name is not in the form');
    if ((await page.getByTestId('step-0-agent-max-iterations').inputValue()) !== '5') fail('the agent form does not show max iterations 5');
    const nodes = await page.getByTestId('workflow-canvas').getAttribute('data-node-count');
    if (nodes !== '2') fail(`the canvas shows ${nodes} nodes, expected trigger + the agent`);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'ai-builder-agent-form');

    // Saved as it is: a new version with the same steps and tool setting.
    await page.getByTestId('save-workflow').click();
    const toast = page.getByTestId('toast').filter({ hasText: /Saved as v2|refused|Could not/ }).first();
    await toast.waitFor({ timeout: 15_000 }).catch(async () => {
      const err = await page.getByTestId('save-errors').textContent().catch(() => null);
      fail(`saving the agent workflow did not answer${err ? `: ${err}` : ''}`);
    });
    const after = await apiAs(page, 'GET', `/workflows/${agentWorkflow.id}`);
    if (after.version !== before.version + 1) fail(`the save did not make a new version (${after.version}): ${await toast.textContent()}`);
    if (JSON.stringify(after.steps) !== JSON.stringify(before.steps)) fail(`saving from the form changed the agent block:\nbefore ${JSON.stringify(before.steps)}\nafter  ${JSON.stringify(after.steps)}`);
    if (after.tool !== null) fail(`saving gave the agent workflow a tool setting: ${JSON.stringify(after.tool)}`);
  });

  await stage(page, 'ai-builder-tool-setting', async () => {
    await page.goto(`${BASE_URL}/workflows/${toolWorkflow.id}`);
    const settings = page.getByTestId('workflow-tool-settings');
    await settings.waitFor({ timeout: 20_000 }).catch(() => fail('the builder has no "Available as a tool" setting'));
    if ((await settings.getAttribute('data-enabled')) !== 'true') fail('the tool workflow is not shown available as a tool');
    if ((await page.getByTestId('workflow-tool-name').inputValue()) !== toolWorkflow.tool.name) fail('the tool name is not in the form');
    if (!(await page.getByTestId('mcp-url').textContent())?.endsWith('/mcp')) fail('the hint does not show the MCP URL');
    if (!(await page.getByTestId('workflow-tool-hint').textContent())?.includes('orderId')) fail('the hint does not say the input schema (orderId) is the tool\'s');
    // A name a model does not accept is refused before anything is sent.
    await page.getByTestId('workflow-tool-name').fill('lookup order!');
    await page.getByTestId('save-workflow').click();
    await page.locator('#f-tool-name-error').waitFor({ timeout: 5000 }).catch(() => fail('an invalid tool name is not refused on the form'));
    await settings.scrollIntoViewIfNeeded();
    await screenshot(page, 'ai-tool-setting-invalid');
    await page.getByTestId('workflow-tool-name').fill(toolWorkflow.tool.name);
    await page.getByTestId('workflow-tool-description').fill('Looks an order up by its id and answers its status.');
    await page.getByTestId('save-workflow').click();
    await page.getByTestId('toast').filter({ hasText: /Saved as v2/ }).first().waitFor({ timeout: 15_000 }).catch(async () => fail(`saving the tool setting failed: ${await page.getByTestId('save-errors').textContent().catch(() => 'no answer')}`));
    const saved = await apiAs(page, 'GET', `/workflows/${toolWorkflow.id}`);
    if (saved.tool?.description !== 'Looks an order up by its id and answers its status.' || saved.tool?.enabled !== true) fail(`the saved tool setting is ${JSON.stringify(saved.tool)}`);
  });

  await stage(page, 'ai-mcp-client-run', async () => {
    // An MCP client (JSON-RPC over the api's /mcp, an API key) sees the tool as the builder saved it and runs it.
    const { key } = await apiAs(page, 'POST', '/api-keys', { name: `E2E MCP client ${RUN}`, kind: 'personal', scope: 'write' });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const rpc = async (body, session) => {
      const res = await fetch(`${API_URL}/mcp`, { method: 'POST', headers: { ...headers, ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } : {}) }, body: JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) fail(`POST /mcp ${body.method} answered ${res.status} ${text.slice(0, 300)}`);
      return { session: res.headers.get('mcp-session-id'), data: text ? JSON.parse(text) : null };
    };
    const { session } = await rpc({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'tributary-e2e', version: '1' } } });
    await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    const listed = (await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, session)).data?.result?.tools ?? [];
    const offered = listed.find((t) => t.name === toolWorkflow.tool.name);
    if (!offered) fail(`the MCP server does not list ${toolWorkflow.tool.name}: ${listed.map((t) => t.name).join(', ')}`);
    if (offered.description !== 'Looks an order up by its id and answers its status.') fail(`the MCP tool's description is not the one saved in the builder: ${offered.description}`);
    const called = (await rpc({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: offered.name, arguments: { orderId: ORDER } } }, session)).data;
    if (called?.result?.isError || !JSON.stringify(called?.result ?? '').includes('shipped')) fail(`the MCP tool call answered ${JSON.stringify(called)}`);

    const runs = await apiAs(page, 'GET', `/executions?workflowId=${toolWorkflow.id}&limit=10`);
    const run = runs.items.find((e) => e.triggerType === 'mcp');
    if (!run) fail(`no execution of the tool workflow with the trigger mcp: ${runs.items.map((e) => e.triggerType).join(', ')}`);
    await page.goto(`${BASE_URL}/logs?workflowId=${toolWorkflow.id}`);
    const row = page.locator(`[data-testid="execution-row"][data-execution-id="${run.id}"]`);
    await row.waitFor({ timeout: 20_000 }).catch(() => fail('the logs page does not list the MCP-triggered run'));
    if ((await row.getByTestId('execution-trigger').textContent())?.trim() !== 'MCP tool call') fail(`the logs row labels the trigger ${await row.getByTestId('execution-trigger').textContent()}`);
    await row.getByTestId('execution-link').click();
    const trigger = page.getByTestId('execution-detail').getByTestId('execution-trigger');
    await trigger.waitFor();
    if ((await trigger.textContent())?.trim() !== 'MCP tool call') fail(`the execution page labels the trigger ${await trigger.textContent()}`);
  });

  await stage(page, 'ai-mcp-step-form', async () => {
    const good = await apiAs(page, 'POST', '/credentials', { connector: 'mcp', name: `E2E MCP ${RUN}`, data: { url: `${MOCK_URL}/mcp/mcp` } });
    const refused = await apiAs(page, 'POST', '/credentials', { connector: 'mcp', name: `E2E MCP refused ${RUN}`, data: { url: `${MOCK_URL}/mcp/mcp`, token: 'invalid' } });
    await page.goto(`${BASE_URL}/workflows/new`);
    await page.getByTestId('workflow-name').fill(`E2E MCP ${RUN}`);
    await page.getByTestId('trigger-type-manual').click();
    await page.getByTestId('add-step').click();
    const picker = page.getByTestId('connector-picker');
    await picker.getByTestId('connector-search').fill('mcp');
    await picker.getByTestId('pick-mcp-callTool').click().catch(() => fail('the connector picker offers no MCP server → Call a tool'));
    const credential = page.getByTestId('step-0-credential');
    await waitFor('the MCP connections in the step\'s picker', async () => (await credential.locator('option').allTextContents()).includes(`E2E MCP ${RUN}`));

    // A connection the server refuses: the tools cannot be listed, and the step says why.
    await credential.selectOption(refused.id);
    const error = page.getByTestId('step-0-mcp-tools-error');
    await error.waitFor({ timeout: 20_000 }).catch(() => fail('a refused MCP connection does not show why its tools cannot be listed'));
    if (!/Could not list the tools/.test((await error.textContent()) ?? '')) fail(`the error reads: ${await error.textContent()}`);
    const reason = await error.getByTestId('step-0-mcp-tools-error-reason').textContent();
    if (!reason?.includes('401')) fail(`the error does not say the server refused the credentials (401): ${reason}`);
    await screenshot(page, 'ai-mcp-tools-error');

    // The server's tools as a select; the chosen tool's description; its arguments as a form of its input schema.
    await credential.selectOption(good.id);
    const tool = page.getByTestId('step-0-mcp-tool');
    await waitFor('the MCP server\'s tools in the step\'s tool select', async () => {
      const options = await tool.locator('option').evaluateAll((os) => os.map((o) => o.value));
      return ['lookup_order', 'add', 'fail'].every((t) => options.includes(t));
    }, { timeout: 20_000 });
    await tool.selectOption('add');
    const description = await page.getByTestId('step-0-mcp-tool-description').textContent();
    if (description !== 'Adds two numbers') fail(`the tool's description shown is ${JSON.stringify(description)}`);
    const form = page.getByTestId('step-0-mcp-arguments-form');
    await form.waitFor().catch(() => fail('the arguments are not a form of the tool\'s input schema'));
    await page.getByTestId('field-mcpArgs0.a').fill('2');
    await page.getByTestId('field-mcpArgs0.b').fill('3');
    await screenshot(page, 'ai-mcp-step-form');
    await page.getByTestId('steps-view-json').click();
    const steps = JSON.parse(await page.getByTestId('steps-json').inputValue());
    if (JSON.stringify(steps[0].input) !== JSON.stringify({ tool: 'add', arguments: { a: 2, b: 3 } })) fail(`the step's input is ${JSON.stringify(steps[0].input)}`);
    await page.getByTestId('steps-view-form').click();
    await form.waitFor();
    if ((await page.getByTestId('field-mcpArgs0.a').inputValue()) !== '2') fail('the arguments form lost its values through the JSON view');

    await page.getByTestId('tab-dry-run').click();
    await page.getByTestId('dry-run').click();
    const result = page.getByTestId('dry-run-result');
    await result.waitFor({ timeout: 30_000 }).catch(async () => fail(`no dry-run result: ${(await page.locator('[role=alert]').allTextContents()).join(' | ')}`));
    if ((await result.getAttribute('data-status')) !== 'succeeded') fail(`the dry run of the MCP step ${await result.getAttribute('data-status')}: ${(await result.getByTestId('dry-run-error').allTextContents()).join(' | ')}`);
    const output = JSON.parse((await result.getByTestId('dry-run-output').first().textContent()) ?? 'null');
    if (output?.text !== '5') fail(`the MCP tool answered ${JSON.stringify(output)}, expected the text 5`);

    // An agent from the step menu, with a tool of that MCP server.
    await page.getByTestId('add-step').click();
    await picker.getByTestId('connector-search').fill('agent');
    await picker.getByTestId('pick-block-agent').click().catch(() => fail('the step menu offers no AI agent'));
    const card = page.locator('[data-testid="agent-card"][data-step-index="1"]');
    await card.waitFor().catch(() => fail('adding an AI agent did not add its form'));
    const llm = page.getByTestId('step-1-credential');
    await waitFor('the LLM connections in the agent\'s picker', async () => (await llm.locator('option').evaluateAll((os) => os.map((o) => o.value))).includes(credentialId));
    await llm.selectOption(credentialId);
    await page.getByTestId('field-steps.1.agent.prompt').fill('Check order {{orderId}}');
    await page.getByTestId('step-1-add-mcp-tool').click();
    const toolCredential = page.getByTestId('step-1-tool-0-credential');
    await waitFor('the MCP connections in the agent tool\'s picker', async () => (await toolCredential.locator('option').evaluateAll((os) => os.map((o) => o.value))).includes(good.id));
    await toolCredential.selectOption(good.id);
    const agentTool = page.getByTestId('step-1-tool-0-mcp-tool');
    await waitFor('the MCP server\'s tools in the agent tool\'s select', async () => (await agentTool.locator('option').evaluateAll((os) => os.map((o) => o.value))).includes('lookup_order'), { timeout: 20_000 });
    await agentTool.selectOption('lookup_order');
    const toolDescription = await page.getByTestId('step-1-tool-0-mcp-tool-description').textContent();
    if (!toolDescription?.includes('by its id')) fail(`the agent tool's description shown is ${JSON.stringify(toolDescription)}`);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'ai-agent-mcp-tool');

    await page.getByTestId('save-workflow').click();
    await page.waitForURL(/\/workflows\/(?!new)[^/]+$/, { timeout: 20_000 }).catch(async () => fail(`saving did not open the saved workflow: ${await page.getByTestId('save-errors').textContent().catch(() => 'no answer')}`));
    const saved = await apiAs(page, 'GET', `/workflows/${new URL(page.url()).pathname.split('/').pop()}`);
    const [mcpStep, agentStep] = saved.steps;
    if (mcpStep?.connector !== 'mcp' || mcpStep.credentialId !== good.id || JSON.stringify(mcpStep.input) !== JSON.stringify({ tool: 'add', arguments: { a: 2, b: 3 } })) fail(`the saved MCP step is ${JSON.stringify(mcpStep)}`);
    if (agentStep?.type !== 'agent' || agentStep.credentialId !== credentialId || agentStep.prompt !== 'Check order {{orderId}}' || agentStep.maxIterations !== 8) fail(`the saved agent is ${JSON.stringify(agentStep)}`);
    const [t, ...more] = agentStep.tools ?? [];
    if (more.length || t?.kind !== 'mcp' || t.credentialId !== good.id || t.tool !== 'lookup_order' || Object.keys(t).length !== 3) fail(`the saved agent's tools are ${JSON.stringify(agentStep.tools)}`);
    const errors = consoleErrors.filter((e) => e.includes('pageerror'));
    if (errors.length) fail(`the page threw: ${errors.join(' | ')}`);
  });
}
