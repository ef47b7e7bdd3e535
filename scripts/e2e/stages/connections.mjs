/**
 * Connections that never silently die, as a user meets them in the dashboard: an HTTP "OAuth2 API"
 * connection created in the dialog (a wrong token URL refused on its field first), approved on the
 * mock provider's consent page, back on Connections with a toast and status OK; "Test" answers;
 * the provider then refuses the refresh (mock controls), a run of a workflow using it fails, and
 * the page says so live (toast, "Needs reconnect" with the reason, listed first with a summary);
 * "Workflows using it" leads to the workflow, whose step warns; Reconnect + Approve heals it and
 * the workflow runs green again.
 */
import { API_URL, BASE_URL, MOCK_URL, RUN, apiAs, fail, screenshot, stage, waitFor } from '../harness.mjs';

const CONNECTION_NAME = `E2E OAuth2 API ${RUN}`;
const WORKFLOW_NAME = `E2E OAuth2 userinfo ${RUN}`;
/** The mock accepts any client id; its secret is `<client id>-secret`, and its controls are per client. */
const CLIENT_ID = `e2e-dashboard-${RUN}`;
const CLIENT_SECRET = `${CLIENT_ID}-secret`;

/** The mock provider's test controls (`POST /oauth/__clients/:id`, `POST /oauth/__expire/:id`). */
async function mockControl(path, body = {}) {
  const res = await fetch(`${MOCK_URL}/oauth${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) fail(`the mock's POST /oauth${path} answered ${res.status}`);
  return res.json();
}

async function runToEnd(page, workflowId) {
  const { executionId } = await apiAs(page, 'POST', `/workflows/${workflowId}/run`, { payload: {} });
  return waitFor(
    `run ${executionId} to finish`,
    async () => {
      const e = await apiAs(page, 'GET', `/executions/${executionId}`);
      return ['succeeded', 'failed', 'cancelled'].includes(e.status) ? e : undefined;
    },
    { timeout: 45_000, interval: 500 },
  );
}

/** On the mock's consent page (sent there by the dashboard): Approve, and land back on Connections. */
async function approveAtProvider(page, what) {
  const mock = new URL(MOCK_URL).origin;
  await page
    .waitForURL((u) => u.origin === mock && u.pathname === '/oauth/authorize', { timeout: 20_000 })
    .catch(() => fail(`${what}: the dashboard did not send the browser to the provider's consent page (at ${page.url()})`));
  await page.getByRole('button', { name: 'Approve' }).waitFor();
  if (!(await page.locator('body').textContent())?.includes(CLIENT_ID)) fail(`${what}: the consent page does not name the client ${CLIENT_ID}`);
  const asked = new URL(page.url());
  if (asked.searchParams.get('redirect_uri') !== `${API_URL}/api/oauth2/callback`) fail(`${what}: the provider was given redirect_uri ${asked.searchParams.get('redirect_uri')}`);
  if (asked.searchParams.get('scope') !== 'profile email') fail(`${what}: the provider was asked for scopes "${asked.searchParams.get('scope')}", not "profile email"`);
  await screenshot(page, `${what}-consent`);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page
    .waitForURL((u) => u.href.startsWith(`${BASE_URL}/connections`), { timeout: 20_000 })
    .catch(() => fail(`${what}: approving did not come back to the Connections page (at ${page.url()})`));
  const toast = page.getByTestId('toast').filter({ hasText: /Connected “|Could not connect/ }).first();
  await toast.waitFor({ timeout: 15_000 }).catch(() => fail(`${what}: no toast on landing back from the provider`));
  const text = (await toast.innerText()).replace(/\s+/g, ' ');
  if (!text.includes(`Connected “${CONNECTION_NAME}”`)) fail(`${what}: landing back said "${text}"`);
  await waitFor('the ?connected= parameter to be dropped from the address', async () => new URL(page.url()).search === '', { timeout: 10_000 });
}

const rowOf = (page) => page.getByTestId('credential-row').filter({ hasText: CONNECTION_NAME });

async function expectStatus(row, status, what, timeout = 15_000) {
  await waitFor(`${what} (status ${status})`, async () => (await row.getAttribute('data-status')) === status, { timeout }).catch(async () =>
    fail(`${what}: the connection shows ${await row.getAttribute('data-status')}, expected ${status}`),
  );
}

/** `page` is signed in as an admin (or editor). */
export async function connectionsStages(page) {
  let credentialId;
  let workflowId;
  let brokenCount = 0;

  await stage(page, 'oauth2-connection-connect', async () => {
    await page.goto(`${BASE_URL}/connections`);
    await page.getByTestId('new-connection').click();
    const dialog = page.getByTestId('credential-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('credential-connector').selectOption('http');
    await dialog.getByTestId('credential-name').fill(CONNECTION_NAME);
    await dialog.getByTestId('credential-method-oauth2').check().catch(() => fail('the HTTP connector offers no OAuth2 choice in the dialog'));
    await dialog.getByTestId('credential-oauth2-grant').selectOption('authorization_code');
    const redirectUri = await dialog.getByTestId('credential-redirect-uri').inputValue();
    if (redirectUri !== `${API_URL}/api/oauth2/callback`) fail(`the redirect URI to register reads ${redirectUri}, not ${API_URL}/api/oauth2/callback`);
    await dialog.getByTestId('credential-redirect-uri-copy').waitFor();
    await dialog.getByTestId('credential-oauth2-clientId').fill(CLIENT_ID);
    await dialog.getByTestId('credential-oauth2-clientSecret').fill(CLIENT_SECRET);
    await dialog.getByTestId('credential-oauth2-scopes').fill('profile email');
    await dialog.getByTestId('credential-oauth2-authorizationUrl').fill(`${MOCK_URL}/oauth/authorize`);
    await dialog.getByTestId('credential-oauth2-revocationUrl').fill(`${MOCK_URL}/oauth/revoke`);

    // A token URL the api refuses: its message shows on that field (the api's `details` path oauth2.tokenUrl).
    await dialog.getByTestId('credential-oauth2-tokenUrl').fill('ftp://mock.example/oauth/token');
    await dialog.getByTestId('credential-save').click();
    await dialog
      .getByTestId('error-credential-oauth2-tokenUrl')
      .waitFor({ timeout: 10_000 })
      .catch(async () => fail(`the api's refusal of the token URL is not shown on its field: ${(await dialog.locator('[role=alert]').allTextContents()).join(' | ')}`));
    await screenshot(page, 'oauth2-connection-field-error');

    await dialog.getByTestId('credential-oauth2-tokenUrl').fill(`${MOCK_URL}/oauth/token`);
    await screenshot(page, 'oauth2-connection-form');
    await dialog.getByTestId('credential-save').click();
    await approveAtProvider(page, 'oauth2-connect');

    const row = rowOf(page);
    await row.waitFor();
    credentialId = await row.getAttribute('data-credential-id');
    await expectStatus(row, 'ok', 'after approving at the provider');
    if (!(await row.getByTestId('credential-status').innerText()).includes('OK')) fail('the status badge does not say OK in words');
    const c = await apiAs(page, 'GET', `/credentials/${credentialId}`);
    if (c.status !== 'ok' || !c.oauth2?.connected) fail(`the api does not hold the connection as connected: ${JSON.stringify(c)}`);
  });

  await stage(page, 'oauth2-connection-test', async () => {
    const row = rowOf(page);
    await row.getByTestId('credential-test').click();
    const toast = page.getByTestId('toast').filter({ hasText: CONNECTION_NAME }).filter({ hasText: /works|failed its test|Could not test/ }).first();
    await toast.waitFor().catch(() => fail('Test showed no answer'));
    const text = (await toast.innerText()).replace(/\s+/g, ' ');
    if (!text.includes(`“${CONNECTION_NAME}” works`)) fail(`Test did not pass: ${text}`);
    console.log(`    test: ${text}`);
    await expectStatus(row, 'ok', 'after the test');
    // Nothing uses it yet.
    await row.getByTestId('credential-usage-toggle').click();
    await row.getByTestId('credential-usage-count').waitFor();
    if ((await row.getByTestId('credential-usage-count').getAttribute('data-count')) !== '0') fail('a connection nobody uses lists workflows');
    await row.getByTestId('credential-usage-toggle').click();
  });

  await stage(page, 'oauth2-connection-broken', async () => {
    const wf = await apiAs(page, 'POST', '/workflows', {
      name: WORKFLOW_NAME,
      trigger: { type: 'manual' },
      steps: [{ id: 'me', connector: 'http', action: 'request', credentialId, input: { method: 'GET', url: `${MOCK_URL}/oauth/userinfo` }, retry: { attempts: 1 } }],
    });
    workflowId = wf.id;
    const first = await runToEnd(page, workflowId);
    if (first.status !== 'succeeded') fail(`the workflow using the fresh connection ${first.status}: ${first.error}`);
    if (first.steps[0]?.output?.body?.client_id !== CLIENT_ID) fail(`the step did not call userinfo with the connection's token: ${JSON.stringify(first.steps[0]?.output)}`);

    // The provider refuses every refresh from now on, and the current access token expires early.
    await page.goto(`${BASE_URL}/connections`);
    const row = rowOf(page);
    await expectStatus(row, 'ok', 'before breaking it');
    await mockControl(`/__clients/${CLIENT_ID}`, { refreshFails: 'invalid_grant' });
    await mockControl(`/__expire/${CLIENT_ID}`);
    // The page hears it live (credential.status): a toast (gone after 5 s, so watched from now on).
    const liveToast = page
      .getByTestId('toast')
      .filter({ hasText: `“${CONNECTION_NAME}” needs reconnecting` })
      .first()
      .waitFor({ timeout: 45_000 })
      .then(() => true, () => false);
    const broken = await runToEnd(page, workflowId);
    if (broken.status !== 'failed' || !/needs to be reconnected/.test(broken.error ?? '')) fail(`the run with a refused refresh ended ${broken.status}: ${broken.error}`);
    if (!(await liveToast)) fail('no toast on the Connections page when the connection became needs_reconnect');
    await expectStatus(row, 'needs_reconnect', 'the list updating without a reload', 30_000);
    if (!(await row.getByTestId('credential-status').innerText()).includes('Needs reconnect')) fail('the status badge does not say "Needs reconnect" in words');
    const reason = await row.getByTestId('credential-last-error').innerText().catch(() => '');
    if (!/invalid_grant|refresh token/i.test(reason)) fail(`the row does not show why it needs reconnecting: "${reason}"`);
    // Broken connections are listed before the healthy ones.
    const order = await page.getByTestId('credential-row').evaluateAll((els) => els.map((e) => [e.getAttribute('data-credential-id'), e.getAttribute('data-status')]));
    const ours = order.findIndex(([id]) => id === credentialId);
    const firstHealthy = order.findIndex(([, s]) => !['needs_reconnect', 'error', 'needs_connect'].includes(s ?? ''));
    if (firstHealthy !== -1 && ours > firstHealthy) fail(`the broken connection is listed after a healthy one: ${JSON.stringify(order)}`);
    const summary = page.getByTestId('connections-attention');
    const summaryText = await summary.innerText().catch(() => '');
    if (!/need.*attention/.test(summaryText) || !/reconnecting/.test(summaryText)) fail(`no summary of the broken connections at the top: "${summaryText}"`);
    brokenCount = Number(await summary.getAttribute('data-count'));
    if (!(await row.getByTestId('credential-connect').innerText()).includes('Reconnect')) fail('the broken connection offers no Reconnect button');
    await screenshot(page, 'connections-needs-reconnect');

    // Which workflows it breaks, and the warning on the step there.
    await row.getByTestId('credential-usage-toggle').click();
    await row.getByTestId('credential-usage-count').waitFor();
    if ((await row.getByTestId('credential-usage-count').getAttribute('data-count')) !== '1') fail(`"Workflows using it" does not list the one workflow: ${await row.getByTestId('credential-usage').innerText()}`);
    await row.getByTestId('credential-usage-link').filter({ hasText: WORKFLOW_NAME }).click();
    await page.waitForURL((u) => u.pathname === `/workflows/${workflowId}`, { timeout: 15_000 }).catch(() => fail('the usage link did not open the workflow'));
    // The canvas marks the step's node at a glance, before anything is selected.
    const node = page.locator('[data-testid="canvas-node"][data-kind="action"]').first();
    await waitFor('the node of the step to be marked', async () => (await node.getAttribute('data-has-error')) === 'true', { timeout: 15_000 }).catch(() =>
      fail("the canvas does not mark the node of the step whose connection is broken"),
    );
    const badge = await node.getByTestId('node-error-badge').getAttribute('title');
    if (!badge?.includes('Connection needs reconnecting')) fail(`the node's error badge says "${badge}"`);
    // The step's form opens in the canvas's side panel when its node is selected.
    await node.click({ timeout: 15_000 });
    const warning = page.getByTestId('step-0-credential-warning');
    await warning.waitFor({ timeout: 15_000 }).catch(() => fail("the workflow's step does not warn about its broken connection"));
    const text = await warning.innerText();
    if (!text.includes('Connection needs reconnecting')) fail(`the step's warning reads "${text}"`);
    if ((await warning.getAttribute('data-status')) !== 'needs_reconnect') fail('the warning is not for the needs_reconnect status');
    if ((await page.getByTestId('step-0-credential').inputValue()) !== credentialId) fail("the step's connection picker does not show the step's connection");
  });

  await stage(page, 'oauth2-reconnect', async () => {
    await mockControl(`/__clients/${CLIENT_ID}`, { refreshFails: null });
    // From the step's warning to the Connections page, then Reconnect and approve again.
    await page.getByTestId('step-0-credential-warning').getByRole('link', { name: /Connections page/ }).click();
    await page.waitForURL((u) => u.pathname === '/connections', { timeout: 15_000 }).catch(() => fail("the warning's link does not lead to the Connections page"));
    const row = rowOf(page);
    await row.getByTestId('credential-connect').click();
    await approveAtProvider(page, 'oauth2-reconnect');
    await expectStatus(rowOf(page), 'ok', 'after reconnecting');
    const left = (await page.getByTestId('connections-attention').count()) ? Number(await page.getByTestId('connections-attention').getAttribute('data-count')) : 0;
    if (left !== brokenCount - 1) fail(`the attention summary counts ${left} broken connections after the reconnect, expected ${brokenCount - 1}`);

    const healed = await runToEnd(page, workflowId);
    if (healed.status !== 'succeeded') fail(`the workflow after reconnecting ${healed.status}: ${healed.error}`);
    await page.goto(`${BASE_URL}/logs/${healed.id}`);
    const detail = page.getByTestId('execution-detail');
    await detail.waitFor();
    if ((await detail.getAttribute('data-status')) !== 'succeeded') fail(`the run's page shows ${await detail.getAttribute('data-status')}`);
    await screenshot(page, 'oauth2-run-green');

    await page.goto(`${BASE_URL}/workflows/${workflowId}`);
    await page.locator('[data-testid="canvas-node"][data-kind="action"]').first().click({ timeout: 15_000 });
    await waitFor('the step\'s connection picker to list the connection', async () => (await page.getByTestId('step-0-credential').locator('option').allTextContents()).includes(CONNECTION_NAME), { timeout: 15_000 });
    if ((await page.getByTestId('step-0-credential').inputValue()) !== credentialId) fail("the step's connection picker does not show the step's connection");
    if (await page.getByTestId('step-0-credential-warning').count()) fail('the step still warns after the connection was reconnected');
    if ((await page.locator('[data-testid="canvas-node"][data-kind="action"]').first().getAttribute('data-has-error')) === 'true') fail('the node is still marked after the connection was reconnected');
  });
}
