#!/usr/bin/env node
/**
 * Dashboard end-to-end test in a real browser (Debian's chromium driven by playwright-core):
 * dev-mode login → Slack connection → webhook→Slack workflow with a template → dry run →
 * save → fire the webhook → the execution in Logs with its step detail → Gateway: a Kong template
 * for that workflow and a refused one, the whole config, an API consumer (key shown once, rotated)
 * and its usage (requests sent as Kong would, which needs TRUSTED_PROXIES to include loopback) →
 * Team: invite a teammate, accept the link in a fresh browser as them, what their role may see,
 * change their role (their session follows), remove them (their session ends, the link is spent).
 *
 * Env: BASE_URL (dashboard, default http://localhost:3000), API_URL (default http://localhost:8080),
 * MOCK_URL (scripts/mock-apis, default http://localhost:4010), CHROMIUM_PATH (default /usr/bin/chromium),
 * E2E_ARTIFACTS (default <repo>/artifacts/e2e), HEADFUL=1 to watch.
 * Screenshots of every stage go to the artifacts folder; exits non-zero with a reason on failure.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE_URL = (process.env.BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const API_URL = (process.env.API_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
const MOCK_URL = (process.env.MOCK_URL ?? 'http://localhost:4010').replace(/\/+$/, '');
const ARTIFACTS = process.env.E2E_ARTIFACTS ?? path.resolve(here, '../../artifacts/e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SLACK_WEBHOOK = `${MOCK_URL}/slack/services/T00000000/B00000000/tributarymockwebhook0001`;
const RUN = Date.now().toString(36);
const CONNECTION_NAME = `E2E Slack ${RUN}`;
const WORKFLOW_NAME = `E2E webhook to Slack ${RUN}`;
const TEMPLATE = 'Hello {{user.name}}!';
const PAYLOAD = { user: { name: 'Alex' }, order: { id: 12345 } };
const EXPECTED = 'Hello Alex!';
const MANUAL_WORKFLOW_NAME = `E2E manual ${RUN}`;
const CONSUMER_NAME = `e2e-partner-${RUN}`;
const USAGE_REQUESTS = 3;
const TEAMMATE_EMAIL = `e2e-teammate-${RUN}@example.com`;
const TEAMMATE_NAME = `Teammate ${RUN}`;

const results = [];
const consoleErrors = [];
let shot = 0;

class E2EFailure extends Error {}
function fail(message) {
  throw new E2EFailure(message);
}

async function screenshot(page, name) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  return file;
}

async function stage(page, name, fn) {
  const started = Date.now();
  try {
    await fn();
    await screenshot(page, name);
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    results.push({ name, ok: false });
    const file = await screenshot(page, `FAILED-${name}`);
    console.error(`  ✗ ${name}: ${err instanceof Error ? err.message : err}`);
    console.error(`    page: ${page.url()}  screenshot: ${file}`);
    if (consoleErrors.length) console.error(`    browser errors:\n      ${consoleErrors.slice(-8).join('\n      ')}`);
    throw err;
  }
}

/** Polls `check` until it returns a truthy value or the time is up. */
async function waitFor(what, check, { timeout = 30_000, interval = 500 } = {}) {
  const until = Date.now() + timeout;
  let last;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  fail(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

/** Calls the api as the browser's signed-in user (its token is in localStorage). */
async function apiAs(page, method, path, body) {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('tributary.session') ?? 'null')?.token);
  if (!token) fail('no session in the browser to call the api with');
  const res = await fetch(`${API_URL}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) fail(`${method} ${path} answered ${res.status} ${JSON.stringify(data)}`);
  return data;
}

async function preflight() {
  const options = await fetch(`${API_URL}/api/auth/options`).then(
    (r) => (r.ok ? r.json() : fail(`GET ${API_URL}/api/auth/options answered ${r.status}`)),
    (e) => fail(`the api is not reachable at ${API_URL} (${e.cause?.code ?? e.message})`),
  );
  if (!options.devMode) fail('the api does not report dev mode (DEV_MODE=true is needed for "Skip login — dev mode")');
  await fetch(BASE_URL).then(
    (r) => (r.ok ? null : fail(`the dashboard at ${BASE_URL} answered ${r.status}`)),
    (e) => fail(`the dashboard is not reachable at ${BASE_URL} (${e.cause?.code ?? e.message})`),
  );
}

async function main() {
  await mkdir(ARTIFACTS, { recursive: true });
  // Screenshots of an earlier run (a FAILED one especially) would mislead next to this run's.
  for (const f of await readdir(ARTIFACTS)) if (f.endsWith('.png')) await rm(path.join(ARTIFACTS, f));
  console.log(`dashboard e2e: ${BASE_URL} (api ${API_URL}, mocks ${MOCK_URL}), screenshots in ${ARTIFACTS}`);
  await preflight();

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: !process.env.HEADFUL,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'].filter(
      (a) => a !== '--headless' || !process.env.HEADFUL,
    ),
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));

  let workflowId;
  let executionId;
  try {
    await stage(page, 'dev-mode-login', async () => {
      await page.goto(`${BASE_URL}/login`);
      const skip = page.getByTestId('dev-login');
      await skip.waitFor({ timeout: 20_000 }).catch(() => fail('no "Skip login — dev mode" button on /login (is the api in dev mode and does CORS allow the dashboard origin?)'));
      if (!(await skip.textContent())?.includes('Skip login')) fail('the dev-mode button does not read "Skip login — dev mode"');
      await screenshot(page, 'login');
      await skip.click();
      await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: 20_000 }).catch(() => fail('dev-mode login did not land on the overview'));
      await page.getByTestId('current-user').waitFor();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
    });

    await stage(page, 'slack-connection', async () => {
      await page.goto(`${BASE_URL}/connections`);
      await page.getByTestId('new-connection').click();
      const dialog = page.getByTestId('credential-dialog');
      await dialog.waitFor();
      const service = dialog.getByTestId('credential-connector');
      const slackOption = await service.locator('option').evaluateAll((os) => os.find((o) => o.value === 'slack' || /slack/i.test(o.textContent ?? ''))?.value);
      if (!slackOption) fail('no Slack connector among the services that take credentials');
      await service.selectOption(slackOption);
      await dialog.getByTestId('credential-name').fill(CONNECTION_NAME);
      const fields = dialog.locator('[data-testid^="credential-field-"]');
      await fields.first().waitFor().catch(() => fail('the Slack credential form has no fields'));
      const ids = await fields.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      const urlField = ids.find((id) => /webhook|url/i.test(id ?? '')) ?? ids[0];
      await dialog.getByTestId(urlField).fill(SLACK_WEBHOOK);
      await screenshot(page, 'slack-connection-form');
      await dialog.getByTestId('credential-save').click();
      await dialog.waitFor({ state: 'detached', timeout: 15_000 }).catch(async () => {
        const err = await dialog.locator('[role=alert]').allTextContents();
        fail(`saving the connection failed: ${err.join(' | ') || 'the dialog stayed open'}`);
      });
      await page.getByTestId('credential-row').filter({ hasText: CONNECTION_NAME }).waitFor();
    });

    await stage(page, 'build-workflow', async () => {
      await page.goto(`${BASE_URL}/workflows/new`);
      await page.getByTestId('workflow-name').fill(WORKFLOW_NAME);
      await page.getByTestId('trigger-type-webhook').click();
      await page.getByTestId('add-step').click();
      const picker = page.getByTestId('connector-picker');
      await picker.getByTestId('connector-search').fill('slack');
      const actions = picker.locator('[data-testid^="pick-slack-"]');
      await actions.first().waitFor().catch(() => fail('the connector picker offers no Slack action'));
      const actionIds = await actions.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      await picker.getByTestId(actionIds.find((id) => /message|send|post/i.test(id ?? '')) ?? actionIds[0]).click();

      const step = page.getByTestId('step-card').first();
      await step.waitFor();
      const credential = page.getByTestId('step-0-credential');
      await waitFor('the new connection in the step\'s connection picker', async () =>
        (await credential.locator('option').allTextContents()).includes(CONNECTION_NAME),
      );
      await credential.selectOption({ label: CONNECTION_NAME });

      const inputs = step.locator('[data-testid^="field-steps.0.input."]');
      const inputIds = await inputs.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      const textId = inputIds.find((id) => id === 'field-steps.0.input.text') ?? inputIds.find((id) => /text|message|content/i.test(id ?? ''));
      if (!textId) fail(`no text field on the Slack step (fields: ${inputIds.join(', ') || 'none'})`);
      const text = page.getByTestId(textId);

      // Autocomplete: typing `{{user.na` offers `user.name` from the sample payload.
      await text.click();
      await text.pressSequentially('Hello {{user.na');
      const suggestion = page.getByTestId('template-suggestion').filter({ hasText: /^user\.name$/ });
      await suggestion.waitFor({ timeout: 5000 }).catch(() => fail('typing "{{user.na" did not suggest user.name'));
      await screenshot(page, 'template-autocomplete');
      await text.press('Escape');
      await text.fill(TEMPLATE);

      const nodes = await page.getByTestId('flow-diagram').getAttribute('data-node-count');
      if (nodes !== '2') fail(`the flow diagram shows ${nodes} nodes, expected trigger + 1 step`);
    });

    await stage(page, 'dry-run', async () => {
      await page.getByTestId('tab-dry-run').click();
      await page.getByTestId('sample-payload').fill(JSON.stringify(PAYLOAD, null, 2));
      await page.getByTestId('dry-run').click();
      const result = page.getByTestId('dry-run-result');
      await result.waitFor({ timeout: 30_000 }).catch(async () => {
        const err = await page.locator('[role=alert]').allTextContents();
        fail(`no dry-run result${err.length ? `: ${err.join(' | ')}` : ''}`);
      });
      const input = await result.getByTestId('dry-run-input').first().textContent();
      if (!input?.includes(EXPECTED)) fail(`the dry run's rendered input does not show "${EXPECTED}": ${input}`);
      const status = await result.getAttribute('data-status');
      if (status !== 'succeeded') {
        const err = await result.getByTestId('dry-run-error').allTextContents();
        fail(`the dry run ${status}: ${err.join(' | ')}`);
      }
    });

    await stage(page, 'save', async () => {
      await page.getByTestId('save-workflow').click();
      await page.waitForURL(/\/workflows\/(?!new)[^/]+$/, { timeout: 20_000 }).catch(async () => {
        const err = await page.getByTestId('save-errors').textContent().catch(() => null);
        fail(`saving did not open the saved workflow${err ? `: ${err}` : ''}`);
      });
      workflowId = new URL(page.url()).pathname.split('/').pop();
      await page.getByTestId('webhook-url').waitFor();
    });

    await stage(page, 'fire-webhook', async () => {
      const shown = (await page.getByTestId('webhook-url').textContent())?.trim();
      const url = shown?.startsWith('http') ? shown : `${API_URL}/api/webhooks/${workflowId}`;
      if (!url.endsWith(`/api/webhooks/${workflowId}`)) fail(`the webhook URL shown (${shown}) is not /api/webhooks/${workflowId}`);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(PAYLOAD) });
      const body = await res.json().catch(() => ({}));
      if (res.status !== 202 || !body.executionId) fail(`POST ${url} answered ${res.status} ${JSON.stringify(body)}`);
      executionId = body.executionId;
      console.log(`    execution ${executionId}`);
    });

    await stage(page, 'execution-in-logs', async () => {
      await page.goto(`${BASE_URL}/logs`);
      const row = page.locator(`[data-testid="execution-row"][data-execution-id="${executionId}"]`);
      await waitFor(`execution ${executionId} to be listed and finish`, async () => {
        if (!(await row.count())) {
          await page.reload();
          return false;
        }
        const status = await row.getAttribute('data-status');
        if (status === 'succeeded' || status === 'failed' || status === 'cancelled') return status;
        await page.reload();
        return false;
      }, { timeout: 45_000, interval: 1500 });
      if (!(await row.textContent())?.includes(WORKFLOW_NAME)) fail('the execution row does not name the workflow');
    });

    await stage(page, 'step-detail', async () => {
      await page.locator(`[data-testid="execution-row"][data-execution-id="${executionId}"]`).getByTestId('execution-link').click();
      const detail = page.getByTestId('execution-detail');
      await detail.waitFor();
      const status = await detail.getAttribute('data-status');
      const step = page.getByTestId('execution-step').first();
      await step.waitFor();
      if (!(await page.getByTestId('execution-step-detail').count())) await step.getByTestId('execution-step-toggle').click();
      const input = await page.getByTestId('execution-step-input').first().textContent();
      if (!input?.includes(EXPECTED)) fail(`the step's rendered input does not show "${EXPECTED}": ${input}`);
      if (status !== 'succeeded') {
        const err = await page.getByTestId('execution-error').textContent().catch(() => '');
        fail(`the execution ${status}: ${err}`);
      }
    });

    await stage(page, 'kong-template', async () => {
      await page.goto(`${BASE_URL}/gateway`);
      const form = page.getByTestId('kong-template-form');
      await form.waitFor();
      await form.getByTestId('kong-workflow').selectOption({ label: WORKFLOW_NAME });
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
          body: JSON.stringify(PAYLOAD),
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

    let invitationUrl;
    await stage(page, 'invite-teammate', async () => {
      await page.goto(`${BASE_URL}/team`);
      await page.getByTestId('member-row').filter({ hasText: 'you' }).waitFor().catch(() => fail('the team page does not list the signed-in admin'));
      await page.getByTestId('invite-member').click();
      const dialog = page.getByTestId('invite-dialog');
      await dialog.getByTestId('invite-email').fill(TEAMMATE_EMAIL);
      await dialog.getByTestId('invite-role').selectOption('editor');
      await dialog.getByTestId('invite-save').click();
      const linkDialog = page.getByTestId('invitation-link-dialog');
      await linkDialog.waitFor().catch(async () => fail(`no invitation link: ${(await dialog.locator('[role=alert]').allTextContents()).join(' | ')}`));
      invitationUrl = await linkDialog.getByTestId('invitation-link-dialog-value').inputValue();
      if (!invitationUrl.startsWith(`${BASE_URL}/accept-invitation?token=`)) fail(`the invitation link is not this dashboard's accept page: ${invitationUrl}`);
      if (!/shown only this once/.test((await linkDialog.getByTestId('invitation-link-dialog-warning').textContent()) ?? '')) fail('no warning that the link is shown once');
      await screenshot(page, 'invitation-link-once');
      await linkDialog.getByTestId('invitation-link-dialog-done').click();
      await linkDialog.waitFor({ state: 'detached' });
      await page.locator(`[data-testid="invitation-row"][data-email="${TEAMMATE_EMAIL}"]`).waitFor();
      if ((await page.content()).includes(new URL(invitationUrl).searchParams.get('token'))) fail('the invitation token is still on the page after its dialog closed');
    });

    // The invitee, in a browser of their own.
    const teammateContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    teammateContext.setDefaultTimeout(15_000);
    const teammate = await teammateContext.newPage();
    teammate.on('console', (m) => m.type() === 'error' && consoleErrors.push(`teammate: ${m.text()}`));
    teammate.on('pageerror', (e) => consoleErrors.push(`teammate pageerror: ${e.message}`));

    await stage(teammate, 'accept-invitation', async () => {
      await teammate.goto(invitationUrl);
      const form = teammate.getByTestId('accept-invitation-form');
      await form.waitFor();
      await form.getByTestId('accept-name').fill(TEAMMATE_NAME);
      await form.getByTestId('accept-password').fill('teammate-password-1');
      await form.getByTestId('accept-confirm').fill('teammate-password-1');
      await form.getByTestId('accept-submit').click();
      await teammate.waitForURL((u) => new URL(u).pathname === '/', { timeout: 20_000 }).catch(async () =>
        fail(`accepting did not land on the overview: ${(await form.locator('[role=alert]').allTextContents()).join(' | ')}`),
      );
      await teammate.getByRole('heading', { name: 'Overview' }).waitFor();
      if ((await teammate.getByTestId('current-user').textContent()) !== TEAMMATE_NAME) fail('the dashboard is not signed in as the invitee');
      if ((await teammate.getByTestId('current-role').textContent()) !== 'editor') fail('the invitee does not have the invited role (editor)');
    });

    await stage(teammate, 'teammate-permissions', async () => {
      await teammate.goto(`${BASE_URL}/gateway`);
      await teammate.getByTestId('kong-template-row').first().waitFor().catch(() => fail('an editor does not see the templates'));
      await teammate.getByTestId('kong-template-form').waitFor().catch(() => fail('an editor cannot generate templates'));
      await teammate.getByTestId('gateway-tab-consumers').click();
      await teammate.getByTestId('restricted-state').waitFor().catch(() => fail('API consumers are not marked admins-only for an editor'));
      await teammate.goto(`${BASE_URL}/team`);
      await teammate.getByTestId('restricted-state').waitFor().catch(() => fail('the team page is not marked admins-only for an editor'));
      if (consoleErrors.some((e) => /403/.test(e))) fail(`a page asked the api for something the role may not have: ${consoleErrors.join(' | ')}`);
    });

    await stage(page, 'change-role', async () => {
      await page.goto(`${BASE_URL}/team`);
      const row = page.locator(`[data-testid="member-row"][data-email="${TEAMMATE_EMAIL}"]`);
      await row.waitFor().catch(() => fail('the invitee is not listed as a member'));
      if ((await row.getAttribute('data-role')) !== 'editor') fail('the new member is not an editor');
      if (await page.locator(`[data-testid="invitation-row"][data-email="${TEAMMATE_EMAIL}"]`).count()) fail('the accepted invitation is still pending');
      await row.getByTestId('member-role').selectOption('viewer');
      await page.getByTestId('toast').filter({ hasText: 'Role changed' }).waitFor();
      await page.reload();
      await waitFor('the role change to persist', async () => (await row.getAttribute('data-role')) === 'viewer', { timeout: 10_000 });
      // The invitee's open session follows on its next page load.
      await teammate.goto(`${BASE_URL}/gateway`);
      await waitFor("the invitee's session to show the viewer role", async () => (await teammate.getByTestId('current-role').textContent()) === 'viewer', { timeout: 10_000 });
      await teammate.getByTestId('restricted-state').first().waitFor().catch(() => fail('a viewer is offered the template form'));
      await screenshot(teammate, 'teammate-as-viewer');
    });

    await stage(page, 'remove-member', async () => {
      const row = page.locator(`[data-testid="member-row"][data-email="${TEAMMATE_EMAIL}"]`);
      await row.getByTestId('member-remove').click();
      await page.getByTestId('confirm-delete').click();
      await row.waitFor({ state: 'detached' }).catch(() => fail('the removed member is still listed'));
      await page.reload();
      await page.getByTestId('member-row').first().waitFor();
      if (await row.count()) fail('the removed member came back after a reload');
      // Their session ends, and the spent link does not let them back in.
      await teammate.goto(`${BASE_URL}/workflows`);
      await teammate.waitForURL(/\/login/, { timeout: 15_000 }).catch(() => fail("the removed member's session still works"));
      await teammate.goto(invitationUrl);
      const form = teammate.getByTestId('accept-invitation-form');
      await form.getByTestId('accept-password').fill('teammate-password-2');
      await form.getByTestId('accept-confirm').fill('teammate-password-2');
      await form.getByTestId('accept-submit').click();
      await form.getByTestId('inline-error').waitFor().catch(() => fail('a used invitation link was not refused'));
      await screenshot(teammate, 'spent-invitation');
    });
    await teammateContext.close();
  } catch (err) {
    if (!(err instanceof E2EFailure)) console.error(err);
  } finally {
    await browser.close();
  }

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`dashboard e2e: ${err instanceof Error ? err.message : err}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
