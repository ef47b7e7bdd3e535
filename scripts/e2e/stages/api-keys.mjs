/**
 * API keys page: create a key, copy the secret shown once, call the REST API with it (fetch, as a
 * script would), see its last use, revoke it, and the same call now answers 401.
 */
import { API_URL, BASE_URL, RUN, fail, screenshot, stage, waitFor } from '../harness.mjs';

const KEY_NAME = `e2e key ${RUN}`;

/** A request to the api with the key, as a script would make it. */
async function callWith(key, path = '/workflows?limit=1') {
  const res = await fetch(`${API_URL}/api${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** `page` is signed in as an admin. */
export async function apiKeysStages(page) {
  let key;
  const row = page.locator(`[data-testid="api-key-row"][data-name="${KEY_NAME}"]`);

  await stage(page, 'api-key-create', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL }).catch(() => undefined);
    await page.goto(`${BASE_URL}/api-keys`);
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    if ((await page.getByRole('link', { name: 'API keys' }).first().getAttribute('aria-current')) !== 'page') fail('the nav does not mark API keys as the current page');
    await page.getByTestId('api-key-create').click();
    const dialog = page.getByTestId('api-key-create-dialog');
    // Empty name: refused on the form, nothing sent.
    await dialog.getByTestId('api-key-save').click();
    await dialog.getByTestId('error-api-key-name').waitFor().catch(() => fail('an empty name was not refused'));
    await dialog.getByTestId('api-key-name').fill(KEY_NAME);
    await dialog.getByTestId('api-key-kind-personal').check();
    await dialog.getByTestId('api-key-scope').selectOption('write');
    await dialog.getByTestId('api-key-expiry').selectOption('30');
    await screenshot(page, 'api-key-create-dialog');
    await dialog.getByTestId('api-key-save').click();

    const secret = page.getByTestId('api-key-secret-dialog');
    await secret.waitFor().catch(async () => fail(`no key shown: ${(await dialog.locator('[role=alert]').allTextContents()).join(' | ')}`));
    key = await secret.getByTestId('api-key-secret-dialog-value').inputValue();
    if (!/^trb_[A-Za-z0-9_-]{43}$/.test(key)) fail(`the key shown is not a trb_ key: ${key}`);
    if (!/shown only this once/.test((await secret.getByTestId('api-key-secret-dialog-warning').textContent()) ?? '')) fail('no warning that the key is shown once');
    await secret.getByTestId('api-key-secret-dialog-copy').click();
    await secret.getByText('Copied').waitFor({ timeout: 3000 }).catch(() => fail('the copy button did not confirm'));
    const copied = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
    if (copied !== null && copied !== key) fail('the clipboard does not hold the key shown');
    await screenshot(page, 'api-key-shown-once');
    await secret.getByTestId('api-key-secret-dialog-done').click();
    await secret.waitFor({ state: 'detached' });
    await row.waitFor().catch(() => fail('the new key is not listed'));
    if ((await row.getAttribute('data-status')) !== 'active') fail('the new key is not active');
    if (!(await row.textContent())?.includes(key.slice(0, 12))) fail("the row does not show the key's prefix");
    if ((await page.content()).includes(key)) fail('the key is still on the page after its dialog closed');
  });

  await stage(page, 'api-key-use', async () => {
    const res = await callWith(key);
    if (res.status !== 200) fail(`GET /api/workflows with the key answered ${res.status} ${JSON.stringify(res.body)}`);
    const current = await callWith(key, '/api-keys/current');
    if (current.body?.name !== KEY_NAME || current.body?.scope !== 'write') fail(`the key describes itself wrongly: ${JSON.stringify(current.body)}`);
    // Its last use shows on the page (recorded in the background).
    await waitFor('the key to show a last use', async () => {
      await page.reload();
      await row.waitFor();
      return !(await row.textContent())?.includes('Never used');
    }, { timeout: 15_000, interval: 1000 });
  });

  await stage(page, 'api-key-revoke', async () => {
    await row.getByTestId('api-key-revoke').click();
    await page.getByTestId('api-key-revoke-confirm').click();
    await waitFor('the key to be listed revoked', async () => (await row.getAttribute('data-status')) === 'revoked', { timeout: 10_000 });
    const res = await callWith(key);
    if (res.status !== 401 || res.body?.message !== 'API key revoked') fail(`the revoked key answered ${res.status} ${JSON.stringify(res.body)}`);
    if (await row.getByTestId('api-key-revoke').count()) fail('a revoked key still offers Revoke');
  });
}
