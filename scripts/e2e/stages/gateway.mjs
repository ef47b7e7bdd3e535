/**
 * Gateway page: a Kong template for the workflow built earlier and a refused one, the whole config,
 * an API consumer (key shown once, rotated) and its usage. Usage is made the way Kong makes it, by
 * requests with the consumer's headers, which the api believes only from TRUSTED_PROXIES (loopback
 * in scripts/e2e/run.mjs).
 */
import { API_URL, BASE_URL, RUN, apiAs, fail, screenshot, stage, waitFor } from '../harness.mjs';

const MANUAL_WORKFLOW_NAME = `E2E manual ${RUN}`;
const CONSUMER_NAME = `e2e-partner-${RUN}`;
const USAGE_REQUESTS = 3;

/** `page` is signed in as an admin; the workflow is a saved webhook workflow whose webhook accepts `payload`. */
export async function gatewayStages(page, { workflowId, workflowName, payload }) {
  await stage(page, 'kong-template', async () => {
    await page.goto(`${BASE_URL}/gateway`);
    const form = page.getByTestId('kong-template-form');
    await form.waitFor();
    await form.getByTestId('kong-workflow').selectOption({ label: workflowName });
    await form.getByTestId('use-case-webhook_handler').click();
    await form.getByTestId('kong-generate').click();
    const dialog = page.getByTestId('kong-template-dialog');
    await dialog.waitFor().catch(async () => fail(`no generated template: ${(await form.locator('[role=alert]').allTextContents()).join(' | ')}`));
    const yaml = await dialog.getByTestId('kong-template-config-text').textContent();
    for (const want of ["_format_version: '3.0'", 'rate-limiting', `/api/webhooks/${workflowId}`]) {
      if (!yaml?.includes(want)) fail(`the generated YAML lacks ${want}:\n${yaml}`);
    }
    if (!(await dialog.textContent())?.includes(`/hooks/${workflowId}`)) fail('the dialog does not show the public path /hooks/<workflow id>');
    await dialog.getByTestId('kong-template-config-json').click();
    const json = JSON.parse((await dialog.getByTestId('kong-template-config-text').textContent()) ?? '{}');
    if (json.services?.[0]?.routes?.[0]?.plugins?.[0]?.name !== 'rate-limiting') fail('the JSON view does not hold the rate-limited route');
    await dialog.getByTestId('kong-template-config-copy').click();
    await dialog.getByText('Copied').waitFor({ timeout: 3000 }).catch(() => fail('the copy button did not confirm'));
    await screenshot(page, 'kong-template-generated');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.locator(`[data-testid="kong-template-row"][data-workflow-id="${workflowId}"][data-use-case="webhook_handler"]`).waitFor();
  });

  await stage(page, 'kong-template-refused', async () => {
    // A workflow without a webhook: the api refuses to put a Kong route in front of it.
    await apiAs(page, 'POST', '/workflows', { name: MANUAL_WORKFLOW_NAME, trigger: { type: 'manual' }, steps: [] });
    await page.goto(`${BASE_URL}/gateway`);
    const form = page.getByTestId('kong-template-form');
    await form.getByTestId('kong-workflow').selectOption({ label: `${MANUAL_WORKFLOW_NAME} (manual trigger)` });
    await form.getByTestId('kong-template-hint').waitFor().catch(() => fail('no hint that a manual workflow cannot have a Kong route'));
    await form.getByTestId('use-case-usage_tracking').click();
    await form.getByTestId('kong-generate').click();
    const error = form.getByTestId('inline-error');
    await error.waitFor().catch(() => fail('the api refusal is not shown'));
    if (!/manual trigger/.test((await error.textContent()) ?? '')) fail(`the error does not say why: ${await error.textContent()}`);
    if (!/webhook trigger/.test((await form.getByTestId('error-kong-workflow').textContent()) ?? '')) fail('the workflow field does not show the api\'s field error');
  });

  await stage(page, 'kong-config', async () => {
    await page.getByTestId('gateway-tab-config').click();
    await page.waitForURL(/tab=config/);
    const text = page.getByTestId('kong-full-config-text');
    await waitFor('the whole config with the generated route', async () => (await text.textContent())?.includes(`wf-${workflowId}-hooks`));
    await page.getByTestId('kong-config-valid').waitFor().catch(() => fail('the whole config is not reported valid'));
  });

  let consumerId;
  let apiKey;
  await stage(page, 'api-consumer', async () => {
    await page.getByTestId('gateway-tab-consumers').click();
    await page.getByTestId('new-consumer').first().click();
    const dialog = page.getByTestId('consumer-dialog');
    await dialog.getByTestId('consumer-username').fill(CONSUMER_NAME);
    await dialog.getByTestId('consumer-plan').fill('pro');
    await dialog.getByTestId('consumer-groups').fill('partners');
    await dialog.getByTestId('consumer-save').click();
    const keyDialog = page.getByTestId('api-key-dialog');
    await keyDialog.waitFor().catch(async () => fail(`no key dialog: ${(await dialog.locator('[role=alert]').allTextContents()).join(' | ')}`));
    apiKey = await keyDialog.getByTestId('api-key-dialog-value').inputValue();
    if (!/^trb_[A-Za-z0-9_-]{20,}$/.test(apiKey)) fail(`the key shown does not look like an API key: ${apiKey}`);
    if (!/shown only this once/.test((await keyDialog.getByTestId('api-key-dialog-warning').textContent()) ?? '')) fail('no warning that the key is shown once');
    await keyDialog.getByTestId('api-key-dialog-copy').click();
    await keyDialog.getByText('Copied').waitFor({ timeout: 3000 });
    await screenshot(page, 'api-key-once');
    await keyDialog.getByTestId('api-key-dialog-done').click();
    await keyDialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('consumer-row').filter({ hasText: CONSUMER_NAME });
    await row.waitFor();
    consumerId = await row.getAttribute('data-consumer-id');
    if (!(await row.textContent())?.includes('pro')) fail('the consumer row does not show its plan');
    if ((await page.content()).includes(apiKey)) fail('the API key is still on the page after its dialog closed');

    // Rotation shows a new key once, and the old one is gone.
    await row.getByTestId('consumer-rotate').click();
    await page.getByTestId('confirm-rotate').click();
    await keyDialog.waitFor();
    const rotated = await keyDialog.getByTestId('api-key-dialog-value').inputValue();
    if (!rotated.startsWith('trb_') || rotated === apiKey) fail('rotating did not show a new key');
    await keyDialog.getByTestId('api-key-dialog-done').click();
    await keyDialog.waitFor({ state: 'detached' });
    const hint = (await row.getByTestId('consumer-key-hint').textContent())?.replace(/[^A-Za-z0-9_-]/g, '') ?? '';
    if (hint.length < 4 || !rotated.endsWith(hint)) fail(`the key hint (${hint}) is not the rotated key's`);
    apiKey = rotated;
  });

  await stage(page, 'consumer-usage', async () => {
    // What Kong does after key-auth: forward with the consumer's headers (trusted from loopback in this run).
    for (let i = 0; i < USAGE_REQUESTS; i++) {
      const res = await fetch(`${API_URL}/api/webhooks/${workflowId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-consumer-id': consumerId, 'x-consumer-username': CONSUMER_NAME },
        body: JSON.stringify(payload),
      });
      if (res.status !== 202) fail(`the webhook through "Kong" answered ${res.status}`);
    }
    await page.getByTestId('consumer-row').filter({ hasText: CONSUMER_NAME }).getByTestId('consumer-usage-open').click();
    await page.waitForURL(new RegExp(`consumer=${consumerId}`));
    const usage = page.getByTestId('consumer-usage');
    await usage.waitFor();
    const total = usage.getByTestId('usage-total');
    await waitFor(`${USAGE_REQUESTS} requests in the usage`, async () => (await total.textContent()) === String(USAGE_REQUESTS), { timeout: 10_000 }).catch(async () =>
      fail(`usage shows ${await total.textContent().catch(() => 'nothing')} requests, expected ${USAGE_REQUESTS} (does the api trust loopback in TRUSTED_PROXIES?)`),
    );
    await usage.getByTestId('usage-chart').locator('.recharts-bar-rectangle').first().waitFor().catch(() => fail('the usage chart draws no bar'));
    const route = usage.getByTestId('usage-route-row').filter({ hasText: 'POST /api/webhooks/:workflowId' });
    if ((await route.getByTestId('usage-route-count').textContent()) !== String(USAGE_REQUESTS)) fail('the per-route table does not count the webhook route');
  });
}
