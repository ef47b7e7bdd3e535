#!/usr/bin/env node
/**
 * Dashboard end-to-end test in a real browser (Debian's chromium driven by playwright-core):
 * dev-mode login → Slack connection → webhook→Slack workflow with a template → dry run →
 * save → fire the webhook → the execution in Logs with its step detail → Gateway: a Kong template
 * for that workflow and a refused one, the whole config, an API consumer (key shown once, rotated)
 * and its usage (requests sent as Kong would, which needs TRUSTED_PROXIES to include loopback) →
 * Team: invite a teammate, accept the link in a fresh browser as them, what their role may see,
 * change their role (their session follows), remove them (their session ends, the link is spent) →
 * Workflow language v2: a workflow with blocks keeps them through the builder, its run waits for an
 * approval (logs filter, execution tree, the pending wait), and Approve moves it on →
 * Connections: an OAuth2 connection approved at the mock provider, tested, broken by a refused
 * refresh (shown live, on the step using it), reconnected, and its workflow green again →
 * First visit: the demo data seeded, a fresh browser at 127.0.0.1 skips login into the demo workspace.
 *
 * Env: BASE_URL (dashboard, default http://localhost:3000), API_URL (default http://localhost:8080),
 * MOCK_URL (scripts/mock-apis, default http://localhost:4010), CHROMIUM_PATH (default /usr/bin/chromium),
 * E2E_ARTIFACTS (default <repo>/artifacts/e2e), HEADFUL=1 to watch, E2E_STAGES=ai,engine-v2 to run only
 * those groups of stages after the login (sso, core, team, audit, api-keys, engine-v2, variables,
 * code-step, connections, ai, templates, canvas, debugger, autocomplete, a11y, first-visit; `core` is the Slack workflow and the gateway stages that use it;
 * `first-visit` seeds make dev's demo data and signs in at 127.0.0.1 with "Skip login — dev mode").
 * Screenshots of every stage go to the artifacts folder; exits non-zero with a reason on failure.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { API_URL, ARTIFACTS, BASE_URL, E2EFailure, MOCK_URL, RUN, fail, newPage, results, screenshot, showTree, stage, waitFor } from './harness.mjs';
import { gatewayStages } from './stages/gateway.mjs';
import { engineV2Stages } from './stages/engine-v2.mjs';
import { variablesStages } from './stages/variables.mjs';
import { codeStepStages } from './stages/code-step.mjs';
import { teamStages } from './stages/team.mjs';
import { auditStages } from './stages/audit.mjs';
import { apiKeysStages } from './stages/api-keys.mjs';
import { connectionsStages } from './stages/connections.mjs';
import { ssoStages } from './stages/sso.mjs';
import { aiStages } from './stages/ai.mjs';
import { templatesStages } from './stages/templates.mjs';
import { canvasStages } from './stages/canvas.mjs';
import { debuggerStages } from './stages/debugger.mjs';
import { firstVisitStages } from './stages/first-visit.mjs';
import { autocompleteStages } from './stages/autocomplete.mjs';
import { a11yStages } from './stages/a11y.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** E2E_STAGES: the groups to run (all when unset). */
const ONLY = new Set((process.env.E2E_STAGES ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const GROUPS = ['sso', 'core', 'team', 'audit', 'api-keys', 'engine-v2', 'variables', 'code-step', 'connections', 'ai', 'templates', 'canvas', 'debugger', 'autocomplete', 'a11y', 'first-visit'];
const want = (group) => ONLY.size === 0 || ONLY.has(group);
const SLACK_WEBHOOK = `${MOCK_URL}/slack/services/T00000000/B00000000/tributarymockwebhook0001`;
const CONNECTION_NAME = `E2E Slack ${RUN}`;
const WORKFLOW_NAME = `E2E webhook to Slack ${RUN}`;
const TEMPLATE = 'Hello {{user.name}}!';
const PAYLOAD = { user: { name: 'Alex' }, order: { id: 12345 } };
const EXPECTED = 'Hello Alex!';

async function preflight() {
  const unknown = [...ONLY].filter((g) => !GROUPS.includes(g));
  if (unknown.length) fail(`E2E_STAGES names no such group: ${unknown.join(', ')} (the groups: ${GROUPS.join(', ')})`);
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
  const page = await newPage(browser);

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

    // Single sign-on, in browsers of its own (its own workspace and identity provider).
    if (want('sso')) await ssoStages(browser);

    if (want('core')) await stage(page, 'slack-connection', async () => {
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

    if (want('core')) await stage(page, 'build-workflow', async () => {
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

      const nodes = await page.getByTestId('workflow-canvas').getAttribute('data-node-count');
      if (nodes !== '2') fail(`the canvas shows ${nodes} nodes, expected trigger + 1 step`);
    });

    if (want('core')) await stage(page, 'dry-run', async () => {
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

    if (want('core')) await stage(page, 'save', async () => {
      // A `-` in a step id: the api refuses it (steps.<id> in templates), so the builder must say so before sending.
      // (The api's 400 shows the same words, hence the count of saves sent.)
      const stepId = page.getByTestId('step-0-id');
      const goodId = await stepId.inputValue();
      let saves = 0;
      const countSaves = (req) => {
        if (req.method() === 'POST' && new URL(req.url()).pathname.endsWith('/api/workflows')) saves++;
      };
      page.on('request', countSaves);
      await stepId.fill('send-message');
      await page.getByTestId('save-workflow').click();
      await page
        .getByText('letters, digits and _ only', { exact: false })
        .first()
        .waitFor({ timeout: 5000 })
        .catch(() => fail('the builder did not refuse the step id "send-message", which the api refuses'));
      page.off('request', countSaves);
      if (saves) fail('the builder sent the step id "send-message" to the api instead of refusing it itself');
      await stepId.fill(goodId);
      await page.getByTestId('save-workflow').click();
      await page.waitForURL(/\/workflows\/(?!new)[^/]+$/, { timeout: 20_000 }).catch(async () => {
        const err = await page.getByTestId('save-errors').textContent().catch(() => null);
        fail(`saving did not open the saved workflow${err ? `: ${err}` : ''}`);
      });
      workflowId = new URL(page.url()).pathname.split('/').pop();
      await page.getByTestId('webhook-url').waitFor();
    });

    if (want('core')) await stage(page, 'fire-webhook', async () => {
      const shown = (await page.getByTestId('webhook-url').textContent())?.trim();
      const url = shown?.startsWith('http') ? shown : `${API_URL}/api/webhooks/${workflowId}`;
      if (!url.endsWith(`/api/webhooks/${workflowId}`)) fail(`the webhook URL shown (${shown}) is not /api/webhooks/${workflowId}`);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(PAYLOAD) });
      const body = await res.json().catch(() => ({}));
      if (res.status !== 202 || !body.executionId) fail(`POST ${url} answered ${res.status} ${JSON.stringify(body)}`);
      executionId = body.executionId;
      console.log(`    execution ${executionId}`);
    });

    if (want('core')) await stage(page, 'execution-in-logs', async () => {
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

    if (want('core')) await stage(page, 'step-detail', async () => {
      await page.locator(`[data-testid="execution-row"][data-execution-id="${executionId}"]`).getByTestId('execution-link').click();
      const detail = page.getByTestId('execution-detail');
      await detail.waitFor();
      const status = await detail.getAttribute('data-status');
      // The canvas is the default view; the tree lists the steps.
      await showTree(page);
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

    if (want('core')) await gatewayStages(page, { workflowId, workflowName: WORKFLOW_NAME, payload: PAYLOAD });
    if (want('team')) await teamStages(browser, page);
    if (want('audit')) await auditStages(page);
    if (want('api-keys')) await apiKeysStages(page);
    if (want('engine-v2')) await engineV2Stages(page);
    if (want('variables')) await variablesStages(page);
    if (want('code-step')) await codeStepStages(browser);
    if (want('connections')) await connectionsStages(page);
    if (want('ai')) await aiStages(page);
    if (want('templates')) await templatesStages(page);
    if (want('canvas')) await canvasStages(page);
    if (want('debugger')) await debuggerStages(page);
    if (want('autocomplete')) await autocompleteStages(page);
    if (want('a11y')) await a11yStages(browser, page);
    // Last: it seeds make dev's demo data, after which dev mode signs in as the demo user.
    if (want('first-visit')) await firstVisitStages(browser);
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
