/**
 * Workflow language v2 in the dashboard: a workflow with blocks (a condition, a loop, a `wait` for an
 * approval) loads in the builder as read-only block cards and saves back unchanged; its run parks on
 * the approval (status `waiting`, found by the logs filter, shown as a tree with the pending wait);
 * Approve with a comment moves it on to `succeeded`, and the step after the approval reads the
 * approver's comment.
 */
import { BASE_URL, RUN, apiAs, fail, screenshot, showTree, stage, waitFor } from '../harness.mjs';

const WORKFLOW_NAME = `E2E approval ${RUN}`;
const MESSAGE = `Ship order 42 (${RUN})?`;
const COMMENT = `lgtm ${RUN}`;

const STEPS = [
  { id: 'prepare', connector: 'core', action: 'transform', input: { value: { order: '{{order.id}}', items: '{{json order.items}}' } } },
  {
    id: 'route',
    type: 'condition',
    if: '{{order.express}}',
    then: [{ id: 'express', connector: 'core', action: 'transform', input: { value: 'express {{order.id}}' } }],
    else: [{ id: 'standard', connector: 'core', action: 'transform', input: { value: 'standard {{order.id}}' } }],
  },
  { id: 'each', type: 'loop', items: '{{order.items}}', steps: [{ id: 'pick', connector: 'core', action: 'transform', input: { value: 'pick {{item}} #{{$index}}' } }] },
  { id: 'gate', name: 'Manager approval', type: 'wait', for: 'approval', message: MESSAGE },
  { id: 'after', connector: 'core', action: 'transform', input: { value: 'approved by {{steps.gate.by}}: {{steps.gate.data.comment}}' } },
];
const PAYLOAD = { order: { id: 42, express: true, items: ['a', 'b', 'c'] } };

/** The parts of a step the api stores (defaults applied) that the test wrote; for comparing saves. */
const canonical = (steps) => JSON.stringify(steps);

/** `page` is signed in as an admin (or editor). */
export async function engineV2Stages(page) {
  let workflowId;
  let executionId;
  let stored;

  await stage(page, 'builder-keeps-blocks', async () => {
    const wf = await apiAs(page, 'POST', '/workflows', { name: WORKFLOW_NAME, trigger: { type: 'manual' }, steps: STEPS });
    workflowId = wf.id;
    stored = wf.steps;
    await page.goto(`${BASE_URL}/workflows/${workflowId}`);
    await page.getByTestId('workflow-builder').waitFor().catch(() => fail('the builder did not open a workflow with blocks'));
    // The canvas draws every step, the ones nested in blocks too: trigger + 5 steps + 3 nested.
    await page.locator('[data-testid="workflow-canvas"][data-laid-out="true"]').waitFor();
    const nodes = await page.getByTestId('workflow-canvas').getAttribute('data-node-count');
    if (nodes !== '9') fail(`the canvas shows ${nodes} nodes, expected trigger + 5 steps + 3 nested`);
    const kindsOnCanvas = await page.locator('[data-testid="canvas-node"][data-kind]:not([data-kind="action"]):not([data-kind="trigger"])').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')}:${e.getAttribute('data-step-id')}`));
    if (kindsOnCanvas.join(',') !== 'condition:route,loop:each,wait:gate') fail(`the canvas draws the blocks as ${kindsOnCanvas.join(', ')}`);
    // The list view: one card per top-level step.
    await page.getByTestId('steps-view-form').click();
    const blocks = page.getByTestId('block-card');
    await blocks.first().waitFor().catch(() => fail('no read-only card for the blocks'));
    const kinds = await blocks.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-block-type')}:${e.getAttribute('data-step-id')}`));
    if (kinds.join(',') !== 'condition:route,loop:each,wait:gate') fail(`the block cards are ${kinds.join(', ')}, expected condition:route, loop:each, wait:gate`);
    if ((await page.getByTestId('step-card').count()) !== 2) fail('the two action steps are not editable step cards');
    const summary = await page.locator('[data-testid="block-card"][data-step-id="gate"]').getByTestId('block-summary').textContent();
    if (!summary?.includes(MESSAGE)) fail(`the approval block's summary does not show its message: ${summary}`);

    // The JSON view holds the blocks as they are.
    await page.getByTestId('steps-view-json').click();
    const json = JSON.parse(await page.getByTestId('steps-json').inputValue());
    if (canonical(json.slice(1, 4)) !== canonical(stored.slice(1, 4))) fail(`the JSON view does not hold the blocks as stored:\n${JSON.stringify(json.slice(1, 4))}\n${JSON.stringify(stored.slice(1, 4))}`);
    await page.getByTestId('steps-view-form').click();
    await page.getByTestId('block-card').first().waitFor();

    // A save from the form sends the blocks back unchanged.
    await page.getByTestId('workflow-name').fill(`${WORKFLOW_NAME} (saved)`);
    await page.getByTestId('save-workflow').click();
    const toast = page.getByTestId('toast').filter({ hasText: /Saved as v2|refused|Could not/ }).first();
    await toast.waitFor({ timeout: 15_000 }).catch(async () => {
      const err = await page.getByTestId('save-errors').textContent().catch(() => null);
      fail(`saving a workflow with blocks did not answer${err ? `: ${err}` : ''}`);
    });
    const saved = await apiAs(page, 'GET', `/workflows/${workflowId}`);
    if (saved.version !== 2) fail(`the save did not make version 2 (version ${saved.version})`);
    if (canonical(saved.steps) !== canonical(stored)) fail(`saving from the builder changed the steps:\nbefore ${JSON.stringify(stored)}\nafter  ${JSON.stringify(saved.steps)}`);
  });

  await stage(page, 'approval-waiting', async () => {
    executionId = (await apiAs(page, 'POST', `/workflows/${workflowId}/run`, { payload: PAYLOAD })).executionId;
    console.log(`    execution ${executionId}`);
    const parked = await waitFor(
      'the run to park on its approval (status waiting)',
      async () => {
        const e = await apiAs(page, 'GET', `/executions/${executionId}`);
        if (e.status === 'failed' || e.status === 'succeeded' || e.status === 'cancelled') fail(`the run ended ${e.status} instead of waiting for the approval: ${e.error}`);
        return e.status === 'waiting' ? e : undefined;
      },
      { timeout: 45_000, interval: 500 },
    );
    if (!parked.waits?.some((w) => w.kind === 'approval' && w.path === 'gate')) fail(`the waiting run does not list its approval: ${JSON.stringify(parked.waits)}`);

    // The logs filter finds it.
    await page.goto(`${BASE_URL}/logs?status=waiting`);
    const row = page.locator(`[data-testid="execution-row"][data-execution-id="${executionId}"]`);
    await row.waitFor({ timeout: 20_000 }).catch(() => fail('the logs page filtered on "waiting" does not list the waiting run'));
    if ((await page.getByTestId('filter-status').inputValue()) !== 'waiting') fail('the status filter does not show "waiting"');
    await row.getByTestId('execution-link').click();

    const detail = page.getByTestId('execution-detail');
    await detail.waitFor();
    // The canvas is the default view; these checks read the tree.
    await showTree(page);
    if ((await detail.getAttribute('data-status')) !== 'waiting') fail(`the execution page shows ${await detail.getAttribute('data-status')}, not waiting`);
    const wait = page.locator('[data-testid="pending-wait"][data-kind="approval"]');
    await wait.waitFor().catch(() => fail('the execution page does not show the pending approval'));
    if (!(await wait.getByTestId('approval-message').textContent())?.includes(MESSAGE)) fail('the pending approval does not show its message');
    if (!(await page.getByTestId('cancel-execution').isEnabled())) fail('a waiting execution cannot be cancelled from its page');

    // The tree: the condition took "then", the loop ran three iterations, the approval waits, the last step is pending.
    const node = (path) => page.locator(`[data-testid="execution-step"][data-path="${path}"]`).first();
    if ((await node('route').getByTestId('condition-branch').getAttribute('data-branch')) !== 'then') fail('the condition does not show the branch it took (then)');
    if ((await node('express').getAttribute('data-status')) !== 'succeeded') fail('the step of the branch taken is not shown succeeded');
    if ((await node('each').getByTestId('loop-iteration').count()) !== 3) fail('the loop does not list its three iterations');
    await node('each').getByTestId('loop-iteration').nth(1).getByTestId('loop-iteration-toggle').click();
    await node('each[1].pick').waitFor().catch(() => fail('opening iteration 2 does not show its step'));
    await node('each[1].pick').getByTestId('execution-step-toggle').click();
    const out = await node('each[1].pick').getByTestId('execution-step-output').textContent();
    if (!out?.includes('pick b #1')) fail(`iteration 2's step output is not "pick b #1": ${out}`);
    if ((await node('gate').getAttribute('data-status')) !== 'waiting') fail('the approval step is not shown waiting');
    if ((await node('after').getAttribute('data-status')) !== 'pending') fail('the step after the approval is not shown pending');
    await screenshot(page, 'execution-waiting-approval');
  });

  await stage(page, 'approve-execution', async () => {
    const wait = page.locator('[data-testid="pending-wait"][data-kind="approval"]');
    await wait.getByTestId('approval-comment').fill(COMMENT);
    await wait.getByRole('button', { name: 'Approve' }).click();
    const toast = page.getByTestId('toast').filter({ hasText: /Approved|Could not approve/ }).first();
    await toast.waitFor();
    if (!(await toast.textContent())?.includes('Approved')) fail(`approving failed: ${(await toast.innerText()).replace(/\s+/g, ' ')}`);
    // The page follows the run (live events or polling) until it ends.
    const detail = page.getByTestId('execution-detail');
    const status = await waitFor('the approved run to finish on the execution page', async () => {
      const s = await detail.getAttribute('data-status');
      return s === 'succeeded' || s === 'failed' || s === 'cancelled' ? s : undefined;
    }, { timeout: 45_000, interval: 500 });
    if (status !== 'succeeded') fail(`the approved run ended ${status}: ${await page.getByTestId('execution-error').textContent().catch(() => '')}`);
    if (await page.getByTestId('execution-waits').count()) fail('the pending approval is still shown after the run went on');
    const after = page.locator('[data-testid="execution-step"][data-path="after"]').first();
    if ((await after.getAttribute('data-status')) !== 'succeeded') fail('the step after the approval did not run');
    await after.getByTestId('execution-step-toggle').click();
    const output = await after.getByTestId('execution-step-output').textContent();
    if (!output?.includes(`: ${COMMENT}`)) fail(`the step after the approval does not read the approver's comment: ${output}`);
    const e = await apiAs(page, 'GET', `/executions/${executionId}`);
    const gate = e.steps.findLast((s) => (s.path ?? s.stepId) === 'gate');
    if (gate?.status !== 'succeeded' || gate.output?.approved !== true || gate.output?.data?.comment !== COMMENT) fail(`the approval step's output does not record the approval and comment: ${JSON.stringify(gate)}`);
  });
}
