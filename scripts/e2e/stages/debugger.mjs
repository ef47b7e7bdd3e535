/**
 * The run debugger (an execution on its workflow's canvas): a run followed live as it goes (a step
 * done, a timer waiting, the next step done, without reloading the page); a failed HTTP step opened
 * from its node, its target fixed (a workspace variable the URL reads), "Retry from here" opening a
 * new run that succeeds with the earlier step carried over; a loop's iterations browsed from its
 * node; an approval decided from its node; a step's output pinned from its node and a dry run in the
 * builder using it (the step's target broken again, so only the pin lets the dry run succeed).
 */
import { BASE_URL, MOCK_URL, RUN, apiAs, fail, screenshot, stage, waitFor } from '../harness.mjs';

const TARGET_VAR = `DBG_TARGET_${RUN}`;
const BROKEN = `${MOCK_URL}/http/status/404`;
const FIXED = `${MOCK_URL}/http/anything/debugger-${RUN}`;

const LIVE_STEPS = [
  { id: 'first', connector: 'core', action: 'transform', input: { value: 'first {{who}}' } },
  // Past 5 s a wait is durable: the run parks (`waiting`) and a timer resumes it.
  { id: 'pause', name: 'Pause', type: 'wait', for: 'duration', seconds: 8 },
  { id: 'second', connector: 'core', action: 'transform', input: { value: 'second {{who}}' } },
];

const FLAKY_STEPS = [
  { id: 'prepare', connector: 'core', action: 'transform', input: { value: { order: '{{order}}' } } },
  { id: 'fetch', connector: 'http', action: 'request', input: { method: 'GET', url: `{{vars.${TARGET_VAR}}}` }, retry: { attempts: 1, backoffMs: 0 } },
  { id: 'after', connector: 'core', action: 'transform', input: { value: 'fetched {{steps.fetch.status}}' } },
];

const LOOP_STEPS = [
  { id: 'each', type: 'loop', items: '{{items}}', steps: [{ id: 'pick', connector: 'core', action: 'transform', input: { value: 'pick {{item}} #{{$index}}' } }] },
  { id: 'gate', name: 'Approve the picks', type: 'wait', for: 'approval', message: `Picks of ${RUN} ok?` },
  { id: 'done', connector: 'core', action: 'transform', input: { value: 'approved {{steps.gate.approved}}' } },
];

/** How long a worker may keep reading a variable's earlier value (backend VARIABLES_TTL_MS, plus a margin). */
const VARIABLES_CACHE_MS = 5_500;

const finished = (s) => s === 'succeeded' || s === 'failed' || s === 'cancelled';
const node = (page, id) => page.locator(`[data-testid="canvas-node"][data-step-id="${id}"]`).first();
const canvasStatuses = (page) => page.locator('[data-testid="canvas-node"]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-step-id'), e.getAttribute('data-status')])));
const panel = (page) => page.getByTestId('run-node-panel');

/** Opens a node's panel from the canvas: focus the node and press Enter (the keyboard path), else click it. */
async function openNode(page, id) {
  const n = node(page, id);
  await n.waitFor().catch(() => fail(`the canvas has no node ${id}`));
  await n.click({ position: { x: 24, y: 24 } });
  await page.locator(`[data-testid="run-node-panel"][data-step-id="${id}"]`).waitFor({ timeout: 5000 }).catch(() => fail(`clicking the node ${id} did not open its panel`));
  return panel(page);
}

async function startRun(page, workflowId, payload) {
  const { executionId } = await apiAs(page, 'POST', `/workflows/${workflowId}/run`, { payload });
  return executionId;
}

async function runUntil(page, executionId, want) {
  return waitFor(`execution ${executionId} to be ${want}`, async () => {
    const e = await apiAs(page, 'GET', `/executions/${executionId}`);
    if (e.status === want) return e;
    if (finished(e.status)) fail(`execution ${executionId} ended ${e.status} (${e.error}) instead of ${want}`);
    return undefined;
  }, { timeout: 45_000, interval: 400 });
}

/** `page` is signed in as an admin (or editor). */
export async function debuggerStages(page) {
  let flakyId;
  let retriedId;
  let created;

  await stage(page, 'debugger-live', async () => {
    // Made first: a worker reads the workspace's variables through a cache of a few seconds.
    await apiAs(page, 'POST', '/variables', { name: TARGET_VAR, values: { production: BROKEN } });
    created = Date.now();
    const wf = await apiAs(page, 'POST', '/workflows', { name: `E2E debugger live ${RUN}`, trigger: { type: 'manual' }, steps: LIVE_STEPS });
    const executionId = await startRun(page, wf.id, { who: 'ada' });
    await page.goto(`${BASE_URL}/logs/${executionId}`);
    await page.getByTestId('run-debugger').waitFor({ timeout: 20_000 }).catch(() => fail('the execution page does not open on the canvas'));
    await page.evaluate(() => (window.__debuggerNoReload = true));
    // The canvas follows the run: the first step done and the pause waiting, then the rest, with no reload.
    await node(page, 'first').waitFor({ timeout: 20_000 }).catch(() => fail('the canvas does not draw the steps'));
    await waitFor('the first step succeeded and the pause waiting on the canvas', async () => (await node(page, 'first').getAttribute('data-status')) === 'succeeded' && (await node(page, 'pause').getAttribute('data-status')) === 'waiting', { timeout: 15_000, interval: 200 }).catch(async (err) => {
      fail(`${err.message}; the canvas shows ${JSON.stringify(await canvasStatuses(page))}, the run is ${(await apiAs(page, 'GET', `/executions/${executionId}`)).status}`);
    });
    if (await node(page, 'second').getAttribute('data-status')) fail(`the step after the pause shows ${await node(page, 'second').getAttribute('data-status')} before the pause ended`);
    await screenshot(page, 'debugger-live-waiting');
    await waitFor('the run to finish on the canvas', async () => (await page.getByTestId('run-debugger').getAttribute('data-execution-status')) === 'succeeded', { timeout: 30_000, interval: 300 });
    for (const id of ['first', 'pause', 'second']) if ((await node(page, id).getAttribute('data-status')) !== 'succeeded') fail(`${id} is shown ${await node(page, id).getAttribute('data-status')} after the run succeeded`);
    if (!(await page.evaluate(() => window.__debuggerNoReload === true))) fail('the page reloaded to follow the run');
    const p = await openNode(page, 'second');
    const out = await p.getByTestId('execution-step-output').textContent();
    if (!out?.includes('second ada')) fail(`the last step's output is not "second ada": ${out}`);
  });

  await stage(page, 'debugger-failed-run', async () => {
    const wf = await apiAs(page, 'POST', '/workflows', { name: `E2E debugger retry ${RUN}`, trigger: { type: 'manual' }, steps: FLAKY_STEPS });
    flakyId = wf.id;
    await waitFor('the worker to see the new variable', async () => Date.now() - created >= VARIABLES_CACHE_MS, { timeout: 10_000, interval: 200 });
    const executionId = await startRun(page, wf.id, { order: 7 });
    await runUntil(page, executionId, 'failed');
    await page.goto(`${BASE_URL}/logs/${executionId}`);
    await page.getByTestId('run-debugger').waitFor({ timeout: 20_000 });
    if ((await node(page, 'prepare').getAttribute('data-status')) !== 'succeeded') fail('the step before the failure is not shown succeeded');
    if ((await node(page, 'fetch').getAttribute('data-status')) !== 'failed') fail(`the failed HTTP step is shown ${await node(page, 'fetch').getAttribute('data-status')}`);
    if (await node(page, 'after').getAttribute('data-status')) fail('the step after the failure shows a status');
    const p = await openNode(page, 'fetch');
    if ((await p.getAttribute('data-status')) !== 'failed') fail('the panel of the failed step does not say failed');
    const err = await p.getByTestId('execution-step-error').textContent();
    if (!err?.includes('404')) fail(`the failed step's error does not show the 404: ${err}`);
    if ((await p.getByTestId('run-node-attempts').textContent())?.trim() !== '1') fail('the panel does not show one attempt');
    const input = await p.getByTestId('execution-step-input').textContent();
    if (!input?.includes('/http/status/404')) fail(`the failed step's rendered input does not show its URL: ${input}`);
    await screenshot(page, 'debugger-failed-node');
  });

  await stage(page, 'debugger-retry-from-here', async () => {
    // Fix the target the step reads, then retry from the failed node: a new run carrying `prepare` over.
    const v = (await apiAs(page, 'GET', '/variables')).items.find((x) => x.name === TARGET_VAR);
    await apiAs(page, 'PUT', `/variables/${v.id}`, { values: { production: FIXED } });
    await new Promise((r) => setTimeout(r, VARIABLES_CACHE_MS));
    const before = page.url();
    await panel(page).getByTestId('run-node-retry').click();
    await page.waitForURL((u) => u.toString() !== before && /\/logs\/[0-9a-f-]{36}/.test(u.toString()), { timeout: 15_000 }).catch(() => fail('Retry from here did not open the new execution'));
    retriedId = new URL(page.url()).pathname.split('/').pop();
    await page.getByTestId('run-debugger').waitFor({ timeout: 20_000 });
    await waitFor('the retried run to succeed on the canvas', async () => {
      const s = await page.getByTestId('run-debugger').getAttribute('data-execution-status');
      if (s === 'failed' || s === 'cancelled') fail(`the retried run ended ${s}`);
      return s === 'succeeded';
    }, { timeout: 30_000, interval: 300 });
    if ((await page.getByTestId('execution-trigger').getAttribute('data-trigger')) !== 'retry') fail('the new execution is not a retry');
    if (!(await node(page, 'prepare').textContent())?.includes('reused')) fail('the carried-over step is not marked reused on the canvas');
    if ((await node(page, 'fetch').textContent())?.includes('reused')) fail('the step run again is marked reused');
    let p = await openNode(page, 'prepare');
    if ((await p.getByTestId('run-node-origin').textContent())?.trim() !== 'carried over') fail('the panel of the carried-over step does not say so');
    p = await openNode(page, 'fetch');
    if ((await p.getAttribute('data-status')) !== 'succeeded') fail('the step run again did not succeed');
    if ((await p.getByTestId('run-node-origin').textContent())?.trim() !== 'ran') fail('the step run again is not shown as run');
    const e = await apiAs(page, 'GET', `/executions/${retriedId}`);
    if (!e.steps.some((s) => s.stepId === 'prepare' && s.reused) || e.steps.some((s) => s.stepId === 'fetch' && s.reused)) fail(`the api's record of the retry differs: ${JSON.stringify(e.steps.map((s) => [s.stepId, s.reused]))}`);
    await screenshot(page, 'debugger-retried');
  });

  await stage(page, 'debugger-loop-iterations', async () => {
    const wf = await apiAs(page, 'POST', '/workflows', { name: `E2E debugger loop ${RUN}`, trigger: { type: 'manual' }, steps: LOOP_STEPS });
    const executionId = await startRun(page, wf.id, { items: ['a', 'b', 'c'] });
    await runUntil(page, executionId, 'waiting');
    await page.goto(`${BASE_URL}/logs/${executionId}`);
    await page.getByTestId('run-debugger').waitFor({ timeout: 20_000 });
    if (!(await node(page, 'each').textContent())?.includes('3 iterations')) fail(`the loop's node does not count 3 iterations: ${await node(page, 'each').textContent()}`);
    let p = await openNode(page, 'each');
    const picker = p.getByTestId('run-node-iteration');
    if ((await picker.getAttribute('data-count')) !== '3') fail(`the loop's panel lists ${await picker.getAttribute('data-count')} iterations`);
    await p.getByTestId('run-node-iteration-select').selectOption('1');
    if (!(await node(page, 'pick').textContent())?.includes('#2 of 3')) fail('the loop body does not show it is at iteration 2 of 3');
    p = await openNode(page, 'pick');
    let out = await p.getByTestId('execution-step-output').textContent();
    if (!out?.includes('pick b #1')) fail(`iteration 2's step output is not "pick b #1": ${out}`);
    await screenshot(page, 'debugger-loop-iteration-2');
    // Next, from the step's own panel (its loop's picker).
    await p.getByTestId('run-node-loop-iteration-next').click();
    await waitFor('iteration 3 to show', async () => (await panel(page).getByTestId('execution-step-output').textContent())?.includes('pick c #2'), { timeout: 5000, interval: 100 });
    if (!(await node(page, 'pick').textContent())?.includes('#3 of 3')) fail('the canvas did not follow to iteration 3');
    await p.getByTestId('run-node-loop-iteration-prev').click();
    await p.getByTestId('run-node-loop-iteration-prev').click();
    out = await panel(page).getByTestId('execution-step-output').textContent();
    if (!out?.includes('pick a #0')) fail(`previous twice did not reach iteration 1: ${out}`);
  });

  await stage(page, 'debugger-approve-from-node', async () => {
    if ((await node(page, 'gate').getAttribute('data-status')) !== 'waiting') fail('the approval is not shown waiting on the canvas');
    const p = await openNode(page, 'gate');
    const wait = p.getByTestId('run-node-wait');
    await wait.waitFor().catch(() => fail("the approval's panel does not show what it waits for"));
    if (!(await wait.getByTestId('approval-message').textContent())?.includes(`Picks of ${RUN} ok?`)) fail("the approval's message is not shown in its panel");
    await screenshot(page, 'debugger-approval-node');
    await wait.getByRole('button', { name: 'Approve' }).click();
    const toast = page.getByTestId('toast').filter({ hasText: /Approved|Could not approve/ }).first();
    await toast.waitFor();
    if (!(await toast.textContent())?.includes('Approved')) fail(`approving from the node failed: ${(await toast.innerText()).replace(/\s+/g, ' ')}`);
    await waitFor('the approved run to succeed on the canvas', async () => (await page.getByTestId('run-debugger').getAttribute('data-execution-status')) === 'succeeded', { timeout: 30_000, interval: 300 });
    if ((await node(page, 'gate').getAttribute('data-status')) !== 'succeeded') fail('the approval is not shown succeeded');
    if ((await node(page, 'done').getAttribute('data-status')) !== 'succeeded') fail('the step after the approval did not run');
  });

  await stage(page, 'debugger-pin-and-dry-run', async () => {
    await page.goto(`${BASE_URL}/logs/${retriedId}`);
    await page.getByTestId('run-debugger').waitFor({ timeout: 20_000 });
    const p = await openNode(page, 'fetch');
    await p.getByTestId('run-node-pin').click();
    const pinned = p.getByTestId('pinned-output');
    await pinned.waitFor({ timeout: 10_000 }).catch(() => fail('pinning did not show the pinned output'));
    if (!(await pinned.getByTestId('pinned-output-json').textContent())?.includes(`debugger-${RUN}`)) fail('the pinned output is not the step\'s output');
    await waitFor('the canvas to mark the step pinned', async () => (await node(page, 'fetch').getByTestId('node-pin').count()) > 0, { timeout: 5000 });
    const wf = await apiAs(page, 'GET', `/workflows/${flakyId}`);
    if (!wf.pinData?.fetch) fail(`the workflow does not hold the pin: ${JSON.stringify(wf.pinData)}`);
    await screenshot(page, 'debugger-pinned');

    // Break the target again: only the pin lets a dry run get past `fetch`.
    const v = (await apiAs(page, 'GET', '/variables')).items.find((x) => x.name === TARGET_VAR);
    await apiAs(page, 'PUT', `/variables/${v.id}`, { values: { production: BROKEN } });
    await page.goto(`${BASE_URL}/workflows/${flakyId}`);
    await page.getByTestId('workflow-builder').waitFor({ timeout: 20_000 });
    await page.getByTestId('tab-dry-run').click();
    await page.getByTestId('sample-payload').fill(JSON.stringify({ order: 9 }));
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/workflows/${flakyId}/dry-run`) && r.request().method() === 'POST'), page.getByTestId('dry-run').click()]);
    const body = await response.json();
    const result = page.getByTestId('dry-run-result');
    await result.waitFor();
    if ((await result.getAttribute('data-status')) !== 'succeeded') fail(`the dry run with the pin ${await result.getAttribute('data-status')}: ${body.error}`);
    const fetch = body.steps.find((s) => s.id === 'fetch');
    if (!fetch?.pinned) fail(`the dry run ran fetch instead of using its pin: ${JSON.stringify(fetch)}`);
    const step = page.locator('[data-testid="dry-run-step"][data-step-id="fetch"]');
    if (!(await step.textContent())?.includes(`debugger-${RUN}`)) fail('the dry run does not show the pinned output for fetch');
    const after = await page.locator('[data-testid="dry-run-step"][data-step-id="after"]').textContent();
    if (!after?.includes('fetched 200')) fail(`the step after the pinned one did not read the pinned output: ${after}`);
    await screenshot(page, 'debugger-dry-run-pinned');
  });
}
