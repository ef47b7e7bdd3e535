/**
 * Templates and export/import in the dashboard: "Use template" on the gallery asks for the Slack
 * connection the template needs and creates the workflow; the workflows list exports it (a download
 * with references, no credential ids) and imports the file back, asking which connection to use when
 * the workspace has several.
 */
import { readFile } from 'node:fs/promises';
import { BASE_URL, MOCK_URL, RUN, apiAs, fail, screenshot, stage, waitFor } from '../harness.mjs';

const CONNECTION = `E2E templates Slack ${RUN}`;
const OTHER = `E2E templates Slack (other) ${RUN}`;

/** `page` is signed in as an admin (or editor). */
export async function templatesStages(page) {
  let created;
  let exported;

  await stage(page, 'template-use', async () => {
    // Two Slack connections: the dialog must ask which one.
    const slack = { webhookUrl: `${MOCK_URL}/slack/services/T00000000/B00000000/tributarymockwebhook0001` };
    const mine = await apiAs(page, 'POST', '/credentials', { name: CONNECTION, connector: 'slack', data: slack });
    await apiAs(page, 'POST', '/credentials', { name: OTHER, connector: 'slack', data: slack });
    await page.goto(`${BASE_URL}/templates`);
    const card = page.locator('[data-testid="template-card"][data-template-key="webhook-order-slack"]');
    await card.waitFor();
    if ((await page.getByTestId('template-card').count()) < 12) fail('the gallery shows fewer than 12 templates');
    await screenshot(page, 'templates-gallery');
    await card.getByTestId('template-use').click();
    const dialog = page.getByTestId('mapping-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('map-select-cred:0').selectOption(mine.id);
    await screenshot(page, 'templates-mapping');
    await dialog.getByTestId('mapping-submit').click();
    await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/).catch(() => fail('using the template did not open the new workflow'));
    const id = page.url().split('/').pop();
    created = await apiAs(page, 'GET', `/workflows/${id}`);
    if (created.enabled !== false) fail('a workflow made from a template should start disabled');
    if (created.steps[0]?.credentialId !== mine.id) fail(`the template's Slack step uses ${created.steps[0]?.credentialId}, not the chosen connection`);
  });

  await stage(page, 'workflow-export-import', async () => {
    await page.goto(`${BASE_URL}/workflows`);
    const row = page.locator(`[data-testid="workflow-row"][data-workflow-id="${created.id}"]`);
    await row.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('workflow-export').click()]);
    const file = await download.path();
    exported = JSON.parse(await readFile(file, 'utf8'));
    if (exported.format !== 'tributary.workflow/v1') fail(`the export's format is ${exported.format}`);
    const text = JSON.stringify(exported);
    if (text.includes(created.steps[0].credentialId)) fail('the export holds a credential id');
    if (!exported.credentials?.some((c) => c.connector === 'slack' && c.name === CONNECTION)) fail('the export does not name the Slack connection by connector and name');

    const before = (await apiAs(page, 'GET', '/workflows?limit=100')).items.filter((w) => w.name === created.name).length;
    await page.getByTestId('workflow-import-file').setInputFiles(file);
    // The connection is found by its name: no question; else the dialog asks.
    const dialog = page.getByTestId('mapping-dialog');
    const opened = await Promise.race([page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/).then(() => 'workflow'), dialog.waitFor().then(() => 'dialog')]);
    if (opened === 'dialog') {
      await dialog.getByTestId('map-select-cred:0').selectOption({ label: CONNECTION }).catch(async () => dialog.getByTestId('map-select-cred:0').selectOption({ index: 1 }));
      await dialog.getByTestId('mapping-submit').click();
      await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/);
    }
    const importedId = page.url().split('/').pop();
    if (importedId === created.id) fail('the import did not create a new workflow');
    const imported = await apiAs(page, 'GET', `/workflows/${importedId}`);
    if (JSON.stringify(imported.steps) !== JSON.stringify(created.steps)) fail('the imported steps differ from the exported ones');
    await waitFor('both copies to be listed', async () => (await apiAs(page, 'GET', '/workflows?limit=100')).items.filter((w) => w.name === created.name).length === before + 1);
    await screenshot(page, 'workflow-imported');
  });
}
