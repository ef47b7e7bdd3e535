/**
 * The builder's canvas: the "order fan-out" workflow built from an empty canvas with the mouse and
 * the keyboard (a webhook trigger; a loop over {{order.items}} with a step using {{item}}; a step
 * after the loop), undo and redo, moves by keyboard and by dragging a step onto a +, the ? sheet, the JSON view's round trip, save (the api holds the
 * nested structure built), a run that succeeds; then a step on a condition's else branch whose
 * error from the api lands on its node.
 */
import { API_URL, BASE_URL, RUN, apiAs, fail, screenshot, stage, waitFor } from '../harness.mjs';

const WORKFLOW_NAME = `E2E canvas fan-out ${RUN}`;
const PAYLOAD = { order: { id: 7, items: ['apple', 'pear', 'plum'] } };

const node = (page, id) => page.locator(`[data-testid="workflow-canvas"] .react-flow__node[data-id="${id}"]`);
const nodeIds = (page) => page.locator('[data-testid="canvas-node"][data-step-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step-id')));

async function pick(page, search, testId) {
  const picker = page.getByTestId('connector-picker');
  await picker.waitFor();
  await picker.getByTestId('connector-search').fill(search);
  await picker.getByTestId(testId).click().catch(() => fail(`the step picker offers no ${testId}`));
  await picker.waitFor({ state: 'detached' });
}

async function laidOut(page) {
  await page.locator('[data-testid="workflow-canvas"][data-laid-out="true"]').waitFor({ timeout: 10_000 }).catch(() => fail('the canvas was not laid out'));
}

/** `page` is signed in as an admin (or editor). */
export async function canvasStages(page) {
  let workflowId;

  await stage(page, 'canvas-build-from-empty', async () => {
    await page.goto(`${BASE_URL}/workflows/new`);
    await page.getByTestId('workflow-name').fill(WORKFLOW_NAME);
    await page.getByTestId('trigger-type-webhook').click();
    await laidOut(page);
    if ((await page.getByTestId('workflow-canvas').getAttribute('data-node-count')) !== '1') fail('a new workflow\'s canvas is not just its trigger');
    const trigger = node(page, '$trigger');
    if (!(await trigger.getAttribute('aria-label'))?.startsWith('Trigger: Webhook')) fail(`the trigger node is named "${await trigger.getAttribute('aria-label')}"`);
    await screenshot(page, 'canvas-empty');

    // Mouse: the empty canvas's "Add the first step" → a loop block.
    await page.locator('[data-testid="canvas-empty"][data-list=":root"]').click();
    await pick(page, 'loop', 'pick-block-loop');
    await node(page, 'loop').waitFor();
    const panel = page.getByTestId('node-panel');
    if ((await panel.getAttribute('data-node-id')) !== 'loop') fail('the new loop is not the selected node');
    await panel.getByTestId('block-items').fill('{{order.items}}');
    await laidOut(page);

    // Keyboard: focus the loop body's empty slot, Enter opens the picker.
    const body = page.locator('[data-testid="workflow-canvas"] .react-flow__node').filter({ has: page.locator('[data-testid="canvas-empty"][data-list="loop:steps"]') });
    await body.focus();
    await page.keyboard.press('Enter');
    await pick(page, 'transform', 'pick-core-transform');
    await node(page, 'transform').waitFor();
    if ((await panel.getAttribute('data-node-id')) !== 'transform') fail('the step added in the loop is not selected');
    const inner = panel.locator('[data-testid^="field-steps."][data-testid$=".input.value"]');
    await inner.fill('{"sku": "{{item}}", "n": "{{$index}}"}');
    const label = await node(page, 'transform').getAttribute('aria-label');
    if (!/^Step transform: [^·]+ · Transform/.test(label ?? '')) fail(`the nested step's accessible name is "${label}"`);
    // The loop draws as a frame holding its step.
    const parent = await page.evaluate(() => {
      const n = document.querySelector('.react-flow__node[data-id="transform"]');
      const l = document.querySelector('.react-flow__node[data-id="loop"]');
      if (!n || !l) return false;
      const a = n.getBoundingClientRect();
      const b = l.getBoundingClientRect();
      return a.top > b.top && a.bottom < b.bottom && a.left > b.left && a.right < b.right;
    });
    if (!parent) fail('the loop does not frame its body');

    // Keyboard: on the loop, A adds after it.
    await node(page, 'loop').focus();
    await page.keyboard.press('a');
    await pick(page, 'transform', 'pick-core-transform');
    await node(page, 'transform_2').waitFor();
    await panel.locator('[data-testid="field-steps.1.input.value"]').fill('{"done": "{{steps.loop}}"}');
    await laidOut(page);
    const ids = await nodeIds(page);
    if (ids.join(',') !== '$trigger,loop,transform,transform_2') fail(`the canvas holds ${ids.join(', ')}`);
    await screenshot(page, 'canvas-fan-out');
  });

  await stage(page, 'canvas-undo-redo', async () => {
    await node(page, 'transform_2').focus();
    await page.keyboard.press('Delete');
    await node(page, 'transform_2').waitFor({ state: 'detached' }).catch(() => fail('Delete did not remove the step'));
    await page.getByTestId('workflow-canvas').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    await node(page, 'transform_2').waitFor({ timeout: 5000 }).catch(() => fail('Ctrl+Z did not bring the step back'));
    // Only the delete is taken back, whatever was typed just before it (structural edits are history steps of their own).
    if ((await nodeIds(page)).join(',') !== '$trigger,loop,transform,transform_2') fail(`Ctrl+Z after the delete left ${(await nodeIds(page)).join(', ')}`);
    await page.waitForTimeout(500);
    await page.keyboard.press('Control+Shift+z');
    await node(page, 'transform_2').waitFor({ state: 'detached', timeout: 5000 }).catch(() => fail('Ctrl+Shift+Z did not redo the delete'));
    await page.waitForTimeout(500);
    await page.getByTestId('undo').click();
    await node(page, 'transform_2').waitFor({ timeout: 5000 }).catch(() => fail('Undo did not bring the step back'));
    // Alt+ArrowUp moves it within its list, undo puts it back.
    await node(page, 'transform_2').focus();
    await page.keyboard.press('Alt+ArrowUp');
    await waitFor('transform_2 to move before the loop', async () => (await nodeIds(page)).join(',') === '$trigger,transform_2,loop,transform', { timeout: 5000, interval: 100 });
    await page.waitForTimeout(500);
    await page.keyboard.press('Alt+ArrowDown');
    await waitFor('transform_2 to move back', async () => (await nodeIds(page)).join(',') === '$trigger,loop,transform,transform_2', { timeout: 5000, interval: 100 });
    // Mouse: drag transform_2 onto the + between the trigger and the loop (the node's middle on the +), then undo.
    await page.waitForTimeout(500);
    const from = await node(page, 'transform_2').boundingBox();
    const to = await page.locator('[data-testid="edge-add"][data-list=":root"][data-index="0"]').boundingBox();
    if (!from || !to) fail('the step or the + before the loop is not on screen');
    const [x0, y0, x1, y1] = [from.x + from.width / 2, from.y + from.height / 2, to.x + to.width / 2, to.y + to.height / 2];
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 20, y0 + ((y1 - y0) * i) / 20);
    await page.mouse.up();
    await waitFor('the dragged step to land before the loop', async () => (await nodeIds(page)).join(',') === '$trigger,transform_2,loop,transform', { timeout: 5000, interval: 100 }).catch(async () =>
      fail(`dragging transform_2 onto the + before the loop left ${(await nodeIds(page)).join(', ')}`),
    );
    await screenshot(page, 'canvas-after-drag');
    await page.waitForTimeout(500);
    await page.getByTestId('workflow-canvas').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    await waitFor('undo to put the dragged step back', async () => (await nodeIds(page)).join(',') === '$trigger,loop,transform,transform_2', { timeout: 5000, interval: 100 });
    await screenshot(page, 'canvas-after-undo');
  });

  await stage(page, 'canvas-shortcuts-sheet', async () => {
    await node(page, 'loop').focus();
    await page.keyboard.press('?');
    const sheet = page.getByTestId('shortcuts-dialog');
    await sheet.waitFor({ timeout: 5000 }).catch(() => fail('? did not open the shortcuts sheet'));
    if (!(await sheet.textContent())?.includes('Undo')) fail('the shortcuts sheet does not list undo');
    await screenshot(page, 'canvas-shortcuts');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    await page.getByTestId('shortcuts-button').click();
    await sheet.waitFor();
    await page.keyboard.press('Escape');
  });

  await stage(page, 'canvas-json-round-trip', async () => {
    await page.getByTestId('steps-view-json').click();
    const first = await page.getByTestId('steps-json').inputValue();
    const steps = JSON.parse(first);
    if (steps.length !== 2 || steps[0].type !== 'loop' || steps[0].items !== '{{order.items}}' || steps[0].steps?.[0]?.id !== 'transform' || steps[1].id !== 'transform_2')
      fail(`the JSON view does not hold the nested structure: ${first}`);
    await page.getByTestId('steps-view-canvas').click();
    await node(page, 'transform').waitFor();
    await page.getByTestId('steps-view-json').click();
    const second = await page.getByTestId('steps-json').inputValue();
    if (second !== first) fail(`canvas → JSON → canvas changed the JSON:\n${first}\n${second}`);
    await page.getByTestId('steps-view-canvas').click();
    await laidOut(page);
  });

  await stage(page, 'canvas-save-and-run', async () => {
    await page.getByTestId('save-workflow').click();
    await page.waitForURL(/\/workflows\/(?!new)[^/]+$/, { timeout: 20_000 }).catch(async () => fail(`saving did not open the saved workflow: ${await page.getByTestId('save-errors').textContent().catch(() => '')}`));
    workflowId = new URL(page.url()).pathname.split('/').pop();
    const wf = await apiAs(page, 'GET', `/workflows/${workflowId}`);
    const [loop, after] = wf.steps;
    if (wf.steps.length !== 2 || loop.type !== 'loop' || loop.items !== '{{order.items}}' || loop.steps.length !== 1 || loop.steps[0].id !== 'transform' || loop.steps[0].input?.value?.sku !== '{{item}}' || loop.steps[0].input?.value?.n !== '{{$index}}' || after.id !== 'transform_2')
      fail(`the saved steps are not the structure built: ${JSON.stringify(wf.steps)}`);
    await laidOut(page);
    const res = await fetch(`${API_URL}/api/webhooks/${workflowId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(PAYLOAD) });
    const body = await res.json().catch(() => ({}));
    if (res.status !== 202 || !body.executionId) fail(`the webhook answered ${res.status} ${JSON.stringify(body)}`);
    const done = await waitFor('the run to finish', async () => {
      const e = await apiAs(page, 'GET', `/executions/${body.executionId}`);
      return ['succeeded', 'failed', 'cancelled'].includes(e.status) ? e : null;
    }, { timeout: 45_000, interval: 1000 });
    if (done.status !== 'succeeded') fail(`the run ${done.status}: ${done.error ?? ''}`);
    const loopResult = done.steps?.find((s) => s.id === 'loop');
    if (loopResult && JSON.stringify(loopResult.output) !== JSON.stringify(PAYLOAD.order.items.map((sku, n) => ({ sku, n: String(n) }))) && !Array.isArray(loopResult.output)) fail(`the loop's output is ${JSON.stringify(loopResult.output)}`);
    await screenshot(page, 'canvas-saved');
  });

  await stage(page, 'canvas-else-branch-error', async () => {
    // Mouse: the + on the edge after the last step adds a condition.
    await page.locator('[data-testid="edge-add"][data-list=":root"][data-index="2"]').click();
    await pick(page, 'condition', 'pick-block-condition');
    await node(page, 'condition').waitFor();
    await laidOut(page);
    await page.locator('[data-testid="canvas-empty"][data-list="condition:else"]').click();
    await pick(page, 'transform', 'pick-core-transform');
    await node(page, 'transform_3').waitFor();
    const panel = page.getByTestId('node-panel');
    // The card of a branch's first step is numbered in its branch, not in the form behind it.
    await panel
      .getByTestId('step-position')
      .filter({ hasText: /^1$/ })
      .waitFor({ timeout: 5000 })
      .catch(async () => fail(`the else branch's first step is numbered ${await panel.getByTestId('step-position').textContent().catch(() => '(no number)')}, not 1`));
    if ((await panel.getByRole('button', { name: 'Remove step 1', exact: true }).count()) !== 1) fail("the else branch's first step's buttons do not name it step 1");
    // A reference to a step that does not exist: the api refuses it at steps.2.else.0.input.value.
    await panel.locator('[data-testid^="field-steps."][data-testid$=".input.value"]').fill('{"x": "{{steps.nowhere.output}}"}');
    await page.waitForTimeout(300);
    await page.locator('[data-testid="workflow-canvas"] .react-flow__pane').click({ position: { x: 10, y: 10 } });
    await page.getByTestId('save-workflow').click();
    await page.getByTestId('save-errors').waitFor({ timeout: 15_000 }).catch(() => fail('the api did not refuse the unknown step reference'));
    const marked = page.locator('[data-testid="canvas-node"][data-step-id="transform_3"][data-has-error="true"]');
    await marked.waitFor({ timeout: 5000 }).catch(() => fail('the api error did not land on the else-branch step'));
    if ((await panel.getAttribute('data-node-id')) !== 'transform_3') fail('the step with the error is not opened in the side panel');
    const listed = await panel.getByTestId('node-errors').textContent();
    if (!listed?.includes('nowhere')) fail(`the side panel does not list the error: ${listed}`);
    const saved = await apiAs(page, 'GET', `/workflows/${workflowId}`);
    if (saved.steps.length !== 2) fail('the refused version was saved');
    await screenshot(page, 'canvas-error-on-node');

    // The edits are unsaved: a link inside the dashboard asks first, in the dashboard's own dialog.
    const here = page.url();
    await page.getByTestId('nav-overview').click();
    const leave = page.getByTestId('leave-dialog');
    await leave.waitFor({ timeout: 5000 }).catch(() => fail('leaving with unsaved edits did not ask first'));
    await page.getByTestId('leave-stay').click();
    await leave.waitFor({ state: 'detached', timeout: 5000 }).catch(() => fail('"Stay" did not close the dialog'));
    if (page.url() !== here) fail(`"Stay" left the workflow for ${page.url()}`);
    await node(page, 'transform_3').waitFor().catch(() => fail('"Stay" lost the unsaved edits'));
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('leave-confirm').click();
    await page.waitForURL((u) => !u.href.startsWith(here), { timeout: 10_000 }).catch(() => fail('"Leave" did not leave the workflow'));
  });
}
