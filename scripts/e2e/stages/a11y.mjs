/**
 * Accessibility: axe (WCAG 2 A and AA rules) on every dashboard page, signed in (and the login page
 * signed out). A page passes with no `serious` or `critical` violation; the full axe results of each
 * page go to <artifacts>/a11y/<page>.json and a summary of all to <artifacts>/a11y/summary.json.
 * Every page is checked even when an earlier one fails, so one run lists them all.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { ARTIFACTS, BASE_URL, E2EFailure, RUN, apiAs, fail, newPage, stage, waitFor } from '../harness.mjs';

const BLOCKING = new Set(['serious', 'critical']);
const DIR = path.join(ARTIFACTS, 'a11y');

/** Waits until the page has drawn its data: a heading, no skeletons, the network quiet. */
async function settled(page) {
  await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
  await page.locator('h1, h2').first().waitFor({ timeout: 15_000 }).catch(() => fail(`${page.url()} shows no heading`));
  await waitFor('the skeletons to go', async () => (await page.locator('[data-slot="skeleton"], .animate-pulse').count()) === 0, { timeout: 15_000, interval: 250 }).catch(() => undefined);
  // Let transitions (dialogs, toasts, charts) finish so colours are final.
  await page.waitForTimeout(400);
}

/** One node of a violation as a line: where, and what axe says is wrong. */
function describe(v) {
  const nodes = v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.split('\n').slice(1, 2).join('').trim()}` : ''}`);
  return `[${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'})\n        ${nodes.join('\n        ')}`;
}

async function audit(page, name, summary) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  await writeFile(path.join(DIR, `${name}.json`), JSON.stringify(results, null, 2));
  const blocking = results.violations.filter((v) => BLOCKING.has(v.impact ?? ''));
  summary[name] = {
    url: page.url(),
    violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })),
    passes: results.passes.length,
    incomplete: results.incomplete.length,
  };
  const minor = results.violations.length - blocking.length;
  if (minor) console.log(`    ${name}: ${minor} moderate/minor violation(s) (not failing): ${results.violations.filter((v) => !BLOCKING.has(v.impact ?? '')).map((v) => v.id).join(', ')}`);
  if (blocking.length) fail(`${blocking.length} serious/critical axe violation(s) on ${name}:\n      ${blocking.map(describe).join('\n      ')}`);
}

/** `page` is signed in as an admin. */
export async function a11yStages(browser, page) {
  await mkdir(DIR, { recursive: true });
  const summary = {};
  const failures = [];
  const check = async (name, open, p = page) => {
    try {
      await stage(p, `a11y-${name}`, async () => {
        await open(p);
        await settled(p);
        await audit(p, name, summary);
      });
    } catch (err) {
      if (!(err instanceof E2EFailure)) throw err;
      failures.push(name);
    }
  };

  // Something to show on the existing builder and an execution's page: a workflow run once.
  const workflow = await apiAs(page, 'POST', '/workflows', {
    name: `E2E a11y ${RUN}`,
    trigger: { type: 'manual' },
    steps: [
      { id: 'shape', connector: 'core', action: 'transform', input: { value: { greeting: 'Hello {{user.name}}' } } },
      { id: 'each', type: 'loop', items: '{{order.lines}}', steps: [{ id: 'line', connector: 'core', action: 'transform', input: { value: { sku: '{{item.sku}}' } } }] },
    ],
  });
  const { executionId } = await apiAs(page, 'POST', `/workflows/${workflow.id}/run`, { payload: { user: { name: 'Alex' }, order: { lines: [{ sku: 'A-1' }] } } });
  await waitFor('the a11y workflow run to finish', async () => ['succeeded', 'failed'].includes((await apiAs(page, 'GET', `/executions/${executionId}`)).status), { timeout: 60_000, interval: 500 });
  // And a failed one: its red badges and error texts are on the overview, the logs and its own page.
  const failing = await apiAs(page, 'POST', '/workflows', {
    name: `E2E a11y failing ${RUN}`,
    trigger: { type: 'manual' },
    steps: [{ id: 'boom', connector: 'code', action: 'javascript', input: { code: 'throw new Error("on purpose")' } }],
  });
  const { executionId: failedId } = await apiAs(page, 'POST', `/workflows/${failing.id}/run`, { payload: {} });
  await waitFor('the failing run to fail', async () => (await apiAs(page, 'GET', `/executions/${failedId}`)).status === 'failed', { timeout: 60_000, interval: 500 });

  const go = (route) => (p) => p.goto(`${BASE_URL}${route}`);
  await check('overview', go('/'));
  await check('workflows', go('/workflows'));
  await check('builder-new', go('/workflows/new'));
  await check('builder-existing', async (p) => {
    await p.goto(`${BASE_URL}/workflows/${workflow.id}`);
    await p.getByTestId('workflow-builder').waitFor({ timeout: 20_000 });
  });
  await check('logs', go('/logs'));
  await check('execution', async (p) => {
    await p.goto(`${BASE_URL}/logs/${executionId}`);
    await p.getByTestId('execution-detail').waitFor({ timeout: 20_000 });
  });
  await check('execution-failed', async (p) => {
    await p.goto(`${BASE_URL}/logs/${failedId}`);
    await p.getByTestId('execution-detail').waitFor({ timeout: 20_000 });
  });
  await check('connections', go('/connections'));
  await check('templates', go('/templates'));
  await check('variables', go('/variables'));
  await check('api-keys', go('/api-keys'));
  await check('audit', go('/audit'));
  await check('team', go('/team'));
  await check('gateway', go('/gateway'));

  // Signed out: a browser of its own.
  const outside = await newPage(browser, 'signed out');
  try {
    await check('login', go('/login'), outside);
  } finally {
    await outside.context().close();
  }

  await writeFile(path.join(DIR, 'summary.json'), JSON.stringify(summary, null, 2));
  console.log(`    axe results: ${DIR}`);
  if (failures.length) fail(`pages with serious or critical accessibility violations: ${failures.join(', ')}`);
}
