/**
 * What the browser tests share: where things are, stages that screenshot and report, polling, and
 * calls to the api as the signed-in browser user.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BASE_URL = (process.env.BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
export const API_URL = (process.env.API_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
export const MOCK_URL = (process.env.MOCK_URL ?? 'http://localhost:4010').replace(/\/+$/, '');
export const ARTIFACTS = process.env.E2E_ARTIFACTS ?? path.resolve(here, '../../artifacts/e2e');
/** Makes this run's names unique, so a run against a long-lived dashboard finds its own rows. */
export const RUN = Date.now().toString(36);

export const results = [];
export const consoleErrors = [];
let shot = 0;

export class E2EFailure extends Error {}
export function fail(message) {
  throw new E2EFailure(message);
}

export async function screenshot(page, name) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  return file;
}

export async function stage(page, name, fn) {
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
export async function waitFor(what, check, { timeout = 30_000, interval = 500 } = {}) {
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
export async function apiAs(page, method, path, body) {
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

/** A page in a browser context of its own, reporting its errors into `consoleErrors` (prefixed with `who`). */
export async function newPage(browser, who = '') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const tag = who ? `${who}: ` : '';
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${tag}${m.text()}`));
  page.on('pageerror', (e) => consoleErrors.push(`${tag}pageerror: ${e.message}`));
  return page;
}

/**
 * An execution's page in its Tree view (the canvas is the default): clicks the switch and waits until
 * the tree is drawn, so that what a check reads next (a row's open state, a nested iteration) is the
 * tree's first render, not the canvas it replaces.
 */
export async function showTree(page) {
  await page.getByTestId('execution-view-tree').click();
  await page.locator('[data-testid="execution-steps"][data-view="tree"]').waitFor({ timeout: 20_000 }).catch(() => fail('the execution page did not switch to its Tree view'));
}
