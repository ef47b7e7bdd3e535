/**
 * Team page and invitations: invite a teammate, accept the link in a browser of their own, what
 * their role may see, change the role (their session follows), remove them (their session ends and
 * the spent link is refused).
 */
import { BASE_URL, RUN, consoleErrors, fail, newPage, screenshot, stage, waitFor } from '../harness.mjs';

const TEAMMATE_EMAIL = `e2e-teammate-${RUN}@example.com`;
const TEAMMATE_NAME = `Teammate ${RUN}`;

/** `page` is signed in as an admin. */
export async function teamStages(browser, page) {
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
  const teammate = await newPage(browser, 'teammate');

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
    const toast = page.getByTestId('toast').filter({ hasText: /Role changed|Could not change the role/ }).first();
    await toast.waitFor();
    if (!(await toast.textContent())?.includes('Role changed')) fail(`changing the role failed: ${(await toast.innerText()).replace(/\s+/g, ' ')}`);
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
    await row.waitFor({ state: 'detached' }).catch(async () => {
      const toast = page.getByTestId('toast').filter({ hasText: 'Could not remove' });
      fail(`the removed member is still listed${(await toast.count()) ? `: ${(await toast.first().innerText()).replace(/\s+/g, ' ')}` : ''}`);
    });
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
  await teammate.context().close();
}
