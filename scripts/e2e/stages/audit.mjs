/**
 * Audit page (admins): the nav leads to it, it lists what the earlier stages did (the workflow, its
 * connection, the team's role changes), its filters narrow it (action prefix and actor, kept in the
 * URL), and Export downloads the filtered entries as NDJSON, line for line what the api lists.
 */
import { readFile } from 'node:fs/promises';
import { BASE_URL, apiAs, fail, screenshot, stage, waitFor } from '../harness.mjs';

/** The rows on the page as `{ action, actor }`. */
const rowsOf = (page) => page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => ({ action: r.dataset.action, actor: r.dataset.actor })));

/** `page` is signed in as an admin. */
export async function auditStages(page) {
  let me;

  await stage(page, 'audit-page', async () => {
    await page.goto(`${BASE_URL}/`);
    await page.getByTestId('nav-audit').click().catch(() => fail('the nav shows no Audit entry to an admin'));
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    await page.getByTestId('audit-row').first().waitFor().catch(() => fail('the audit log lists nothing'));
    const actions = (await rowsOf(page)).map((r) => r.action);
    for (const expected of ['workflow.create', 'credential.create']) if (!actions.includes(expected)) fail(`the audit log does not list ${expected}: ${actions.join(', ')}`);
    await screenshot(page, 'audit-page');
  });

  await stage(page, 'audit-filter', async () => {
    me = (await apiAs(page, 'GET', '/auth/me')).user;
    await page.getByTestId('audit-filter-action').fill('workflow.');
    await page.getByTestId('audit-filter-actor').fill(me.email.toUpperCase());
    await page.getByTestId('audit-apply').click();
    await waitFor('only workflow entries of the signed-in admin', async () => {
      const rows = await rowsOf(page);
      return rows.length > 0 && rows.every((r) => r.action.startsWith('workflow.') && r.actor === me.email);
    }, { timeout: 10_000 });
    const url = new URL(page.url());
    if (url.searchParams.get('action') !== 'workflow.' || !url.searchParams.get('actor')) fail(`the filters are not in the URL: ${page.url()}`);
    await screenshot(page, 'audit-filtered');
  });

  await stage(page, 'audit-export', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    if (!/^audit-.+\.ndjson$/.test(download.suggestedFilename())) fail(`the export is named ${download.suggestedFilename()}`);
    const text = await readFile(await download.path(), 'utf8');
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    if (!lines.length) fail('the export is empty');
    if (!lines.every((l) => l.action.startsWith('workflow.') && l.userId === me.id)) fail(`the export holds entries outside the filters: ${lines.map((l) => l.action).join(', ')}`);
    const listed = await apiAs(page, 'GET', `/audit?action=workflow.&actor=${encodeURIComponent(me.email)}&limit=100`);
    if (lines.map((l) => l.id).join() !== listed.items.map((i) => i.id).join()) fail('the export differs from what the api lists for the same filters');
    await page.getByText('Export downloaded').waitFor().catch(() => fail('no confirmation of the export'));
    await screenshot(page, 'audit-exported');
  });
}
