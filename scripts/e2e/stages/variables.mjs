/**
 * Variables and environments in the dashboard: create a variable with a value in two environments on
 * the Variables page, and a secret one (shown only as "set"); a workflow in `staging` reading both
 * runs with staging's value, and its step's recorded input shows the value and `***` for the secret;
 * the builder's "Promote to…" copies it to production and says which version it made there.
 */
import { BASE_URL, RUN, apiAs, fail, screenshot, showTree, stage, waitFor } from '../harness.mjs';

const BASE = `E2E_BASE_${RUN}`;
const KEY = `E2E_KEY_${RUN}`;
const STAGING_VALUE = `https://staging-${RUN}.example`;
const PRODUCTION_VALUE = `https://api-${RUN}.example`;
const SECRET_VALUE = `sk_e2e_${RUN}_0123456789`;

/** `page` is signed in as an admin (or editor). */
export async function variablesStages(page) {
  let workflowId;
  let executionId;

  await stage(page, 'variables-create', async () => {
    await page.goto(`${BASE_URL}/variables`);
    await page.getByTestId('new-variable').click();
    let dialog = page.getByTestId('variable-dialog');
    await dialog.getByTestId('variable-name').fill(BASE);
    // The first row is production; staging is added (unless the workspace lists it already).
    const rows = dialog.getByTestId('variable-value-row');
    await rows.first().waitFor();
    if ((await dialog.locator('[data-testid="variable-value-row"][data-environment="staging"]').count()) === 0) {
      await dialog.getByTestId('variable-add-env').click();
      await rows.last().getByTestId('variable-env').fill('staging');
    }
    await dialog.locator('[data-testid="variable-value-row"][data-environment="production"]').getByTestId('variable-value').fill(PRODUCTION_VALUE);
    await dialog.locator('[data-testid="variable-value-row"][data-environment="staging"]').getByTestId('variable-value').fill(STAGING_VALUE);
    await dialog.getByTestId('variable-save').click();
    await dialog.waitFor({ state: 'detached' }).catch(async () => fail(`the variable was not created: ${(await dialog.locator('[role=alert]').allTextContents()).join(' | ')}`));
    const row = page.locator(`[data-testid="variable-row"][data-name="${BASE}"]`);
    await row.waitFor();
    if ((await row.locator('[data-environment="staging"]').textContent())?.trim() !== STAGING_VALUE) fail('the table does not show the staging value');
    if ((await row.locator('[data-environment="production"]').textContent())?.trim() !== PRODUCTION_VALUE) fail('the table does not show the production value');

    // A bad name is refused on the page, before anything is sent.
    await page.getByTestId('new-variable').click();
    dialog = page.getByTestId('variable-dialog');
    await dialog.getByTestId('variable-name').fill('has spaces');
    await dialog.getByTestId('variable-save').click();
    await dialog.getByText(/Letters, digits and _/).first().waitFor().catch(() => fail('a name with spaces is not refused with a clear message'));
    await dialog.getByTestId('variable-name').fill(KEY);
    await dialog.getByTestId('variable-secret').click();
    await dialog.locator('#variable-default').fill(SECRET_VALUE);
    await dialog.getByTestId('variable-save').click();
    await dialog.waitFor({ state: 'detached' }).catch(async () => fail(`the secret variable was not created: ${(await dialog.locator('[role=alert]').allTextContents()).join(' | ')}`));
    const secretRow = page.locator(`[data-testid="variable-row"][data-name="${KEY}"]`);
    await secretRow.getByTestId('variable-secret-set').first().waitFor().catch(() => fail('the secret is not shown as "set"'));
    if ((await page.content()).includes(SECRET_VALUE)) fail('the secret value is on the page');
    await screenshot(page, 'variables-table');

    // Editing a secret: its value is never put back into the form.
    await secretRow.getByTestId('variable-edit').click();
    dialog = page.getByTestId('variable-dialog');
    if ((await dialog.locator('#variable-default').inputValue()) !== '') fail('the secret is filled into the edit form');
    if (!/Set \(/.test((await dialog.locator('#variable-default').getAttribute('placeholder')) ?? '')) fail('the edit form does not say the secret is set');
    await screenshot(page, 'variables-edit-secret');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  await stage(page, 'variables-in-a-run', async () => {
    const wf = await apiAs(page, 'POST', '/workflows', {
      name: `E2E variables ${RUN}`,
      trigger: { type: 'manual' },
      environment: 'staging',
      steps: [{ id: 'shape', connector: 'core', action: 'transform', input: { value: { url: `{{vars.${BASE}}}/orders`, auth: `Bearer {{vars.${KEY}}}` } } }],
    });
    workflowId = wf.id;
    executionId = (await apiAs(page, 'POST', `/workflows/${workflowId}/run`, { payload: {} })).executionId;
    await waitFor('the run to finish', async () => ['succeeded', 'failed'].includes((await apiAs(page, 'GET', `/executions/${executionId}`)).status));
    await page.goto(`${BASE_URL}/logs/${executionId}`);
    await page.getByTestId('execution-detail').waitFor();
    if ((await page.getByTestId('execution-detail').getAttribute('data-status')) !== 'succeeded') fail('the run did not succeed');
    if ((await page.getByTestId('execution-environment').textContent())?.trim() !== 'staging') fail('the execution does not show its environment');
    await showTree(page);
    const step = page.locator('[data-testid="execution-step"][data-step-id="shape"]').first();
    const detail = step.getByTestId('execution-step-detail');
    if (!(await detail.isVisible().catch(() => false))) await step.getByTestId('execution-step-toggle').first().click();
    await detail.waitFor();
    const text = (await detail.textContent()) ?? '';
    if (!text.includes(`${STAGING_VALUE}/orders`)) fail(`the step's input does not show staging's value: ${text.slice(0, 300)}`);
    if (!text.includes('Bearer ***')) fail(`the secret is not masked in the step's input: ${text.slice(0, 300)}`);
    if ((await page.content()).includes(SECRET_VALUE)) fail('the secret value is on the page');
    await screenshot(page, 'variables-step-input');
  });

  await stage(page, 'variables-promote', async () => {
    await page.goto(`${BASE_URL}/workflows/${workflowId}`);
    const panel = page.getByTestId('workflow-environment');
    await panel.waitFor();
    if ((await panel.getByTestId('workflow-environment-current').textContent())?.trim() !== 'staging') fail('the builder does not show the environment');
    await panel.getByTestId('promote-target').fill('production');
    await panel.getByTestId('promote-workflow').click();
    const result = panel.getByTestId('promote-result');
    await result.waitFor().catch(async () => fail(`no promotion result: ${(await panel.locator('[role=alert]').allTextContents()).join(' | ')}`));
    const said = (await result.textContent()) ?? '';
    if (!/production/.test(said) || !/v1/.test(said) || !/promoted from staging v1/.test(said)) fail(`the promotion result does not say what it made: ${said}`);
    await screenshot(page, 'variables-promoted');
  });
}
