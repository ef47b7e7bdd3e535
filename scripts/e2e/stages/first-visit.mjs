/**
 * The first five minutes, as a newcomer after `make dev`: the demo data is seeded (scripts/seed.mjs,
 * as `make dev` does; a no-op when it already is), a fresh browser opens the login page at
 * http://127.0.0.1:<port> (not localhost: Next's dev server must serve that origin too), sees
 * "Skip login — dev mode", uses it and lands on the overview of the demo workspace, whose Workflows
 * page lists the demo workflows and Connections page their connections. Each page's first visit is
 * timed and reported.
 *
 * Runs after the other groups: once the demo user exists, dev mode signs in as it.
 */
import { seedDemo, DEMO_EMAIL } from '../../seed.mjs';
import { API_URL, BASE_URL, MOCK_URL, fail, newPage, screenshot, stage, waitFor } from '../harness.mjs';

/** The dashboard's URL with its host as 127.0.0.1 (the harness may name it localhost). */
function loopbackUrl(base) {
  const url = new URL(base);
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
  return url.toString().replace(/\/+$/, '');
}

const DEMOS = ['Order confirmation to Slack', 'Order fan-out (loop)', 'Refund approval (wait for approval)'];

/** `browser`: the stage opens a browser context of its own (no session, as a first visit). */
export async function firstVisitStages(browser) {
  const base = loopbackUrl(BASE_URL);
  const page = await newPage(browser, 'newcomer');
  const timings = [];
  /** Opens a page of the dashboard through its sidebar link, as a person does, and times it until `ready` shows. */
  const open = async (label, path, ready) => {
    const started = Date.now();
    await page.getByRole('link', { name: label, exact: true }).first().click();
    await page.waitForURL((u) => new URL(u).pathname === path);
    await ready();
    timings.push(`${path} ${Date.now() - started} ms`);
  };

  await stage(page, 'first-visit-seed', async () => {
    const seeded = await seedDemo(API_URL, MOCK_URL).catch((err) => fail(`seeding the demo data as make dev does: ${err.message}`));
    console.log(`    ${seeded.summary}`);
  });

  await stage(page, 'first-visit-login', async () => {
    const started = Date.now();
    await page.goto(`${base}/login`);
    const skip = page.getByTestId('dev-login');
    await skip.waitFor({ timeout: 20_000 }).catch(() => fail(`no "Skip login — dev mode" button on ${base}/login (does the dashboard serve 127.0.0.1, and does the api's CORS allow it?)`));
    if (!(await skip.textContent())?.includes('Skip login — dev mode')) fail('the dev-mode button does not read "Skip login — dev mode"');
    timings.push(`/login ${Date.now() - started} ms`);
    await screenshot(page, 'first-visit-login');
    await skip.click();
    await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: 20_000 }).catch(() => fail('"Skip login — dev mode" did not land on the overview'));
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const session = await page.evaluate(() => JSON.parse(localStorage.getItem('tributary.session') ?? 'null')?.user);
    if (session?.email !== DEMO_EMAIL) fail(`dev mode signed in as ${session?.email ?? 'nobody'}, not the demo user ${DEMO_EMAIL}`);
    // The sidebar names the workspace under the user.
    const workspace = (await page.getByTestId('current-role').locator('..').textContent()) ?? '';
    if (!workspace.includes('Demo workspace')) fail(`the sidebar does not show the demo workspace: "${workspace.trim()}"`);
    // The overview's runs table lists the demo workflows' seeded runs.
    await page.getByRole('cell', { name: DEMOS[1], exact: true }).first().waitFor().catch(() => fail(`the overview does not list "${DEMOS[1]}" among its workflows`));
  });

  await stage(page, 'first-visit-workflows', async () => {
    await open('Workflows', '/workflows', () => page.getByTestId('workflow-row').first().waitFor());
    await waitFor('the demo workflows listed', async () => {
      const names = await page.getByTestId('workflow-link').allTextContents();
      return DEMOS.every((d) => names.some((n) => n.includes(d)));
    }, { timeout: 15_000 }).catch(async () => fail(`the workflows page does not list the demo workflows: ${(await page.getByTestId('workflow-link').allTextContents()).join(', ')}`));
  });

  await stage(page, 'first-visit-connections', async () => {
    await open('Connections', '/connections', () => page.getByTestId('credential-row').first().waitFor());
    const rows = await page.getByTestId('credential-row').allTextContents();
    if (!rows.some((r) => r.includes('Demo OAuth2 API (mock)'))) fail(`the demo connections are not listed: ${rows.length} rows`);
  });

  await stage(page, 'first-visit-logs', async () => {
    await open('Logs', '/logs', () => page.getByTestId('execution-row').first().waitFor());
    console.log(`    first visits (127.0.0.1): ${timings.join(', ')}`);
  });
}
