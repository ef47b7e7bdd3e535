/**
 * Single sign-on: an admin sets up the workspace's OpenID Connect provider on the team page (a real
 * oidc-provider started here, on a free loopback port), then someone new signs in through the login
 * page → the provider's login form → back in the dashboard, created just in time with the default
 * role; an email without SSO is told so on the login page.
 */
import { startOidcIdp } from '../../oidc-idp/server.js';
import { API_URL, BASE_URL, RUN, fail, newPage, screenshot, stage, waitFor } from '../harness.mjs';

const DOMAIN = `sso-${RUN}.test`;
const ADMIN_EMAIL = `admin@${DOMAIN}`;
const ADMIN_PASSWORD = 'sso-admin-password-1';
const CLIENT_ID = 'tributary-e2e';
const CLIENT_SECRET = `e2e-client-secret-${RUN}`;

export async function ssoStages(browser) {
  const idp = await startOidcIdp({
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${API_URL}/api/auth/sso/callback`] }],
    accounts: { sam: { email: `sam@${DOMAIN}`, email_verified: true, name: `Sam ${RUN}` } },
  });
  try {
    const reg = await fetch(`${API_URL}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, name: 'SSO Admin', organization: `SSO ${RUN}` }),
    });
    if (reg.status !== 201) fail(`registering the SSO admin answered ${reg.status}: ${await reg.text()}`);

    const admin = await newPage(browser, 'sso-admin');
    await stage(admin, 'sso-configure', async () => {
      await admin.goto(`${BASE_URL}/login`);
      await admin.getByTestId('login-email').fill(ADMIN_EMAIL);
      await admin.getByTestId('login-password').fill(ADMIN_PASSWORD);
      await admin.getByTestId('login-submit').click();
      await admin.waitForURL((u) => new URL(u).pathname === '/', { timeout: 20_000 }).catch(() => fail('the SSO admin did not sign in with a password'));
      await admin.goto(`${BASE_URL}/team`);
      const section = admin.getByTestId('sso-section');
      await section.waitFor().catch(() => fail('no single sign-on section on the team page'));
      const callbackUrl = await section.getByTestId('sso-callback-url').textContent();
      if (callbackUrl !== `${API_URL}/api/auth/sso/callback`) fail(`the callback URL shown is ${callbackUrl}, not the api's ${API_URL}/api/auth/sso/callback`);
      await section.getByTestId('sso-callback-copy').waitFor().catch(() => fail('the callback URL cannot be copied'));
      // A misconfigured issuer first: refused, naming the field.
      await section.getByTestId('sso-issuer').fill(`${API_URL}/not-an-idp`);
      await section.getByTestId('sso-client-id').fill(CLIENT_ID);
      await section.getByTestId('sso-client-secret').fill(CLIENT_SECRET);
      await section.getByTestId('sso-domains').fill(DOMAIN);
      await section.getByTestId('sso-save').click();
      await section.getByTestId('inline-error').waitFor().catch(() => fail('a wrong issuer was not refused on the form'));
      if (!/discovery/i.test((await section.getByTestId('inline-error').textContent()) ?? '')) fail('the refusal does not say discovery failed');
      await screenshot(admin, 'sso-issuer-refused');
      await section.getByTestId('sso-issuer').fill(idp.issuer);
      await section.getByTestId('sso-save').click();
      const toast = admin.getByTestId('toast').filter({ hasText: /Single sign-on saved/ }).first();
      await toast.waitFor().catch(async () => fail(`saving SSO failed: ${(await section.locator('[role=alert]').allTextContents()).join(' | ')}`));
      if ((await admin.content()).includes(CLIENT_SECRET)) fail('the client secret is on the page after saving');
    });

    const user = await newPage(browser, 'sso-user');
    await stage(user, 'sso-unknown-domain', async () => {
      await user.goto(`${BASE_URL}/login`);
      await user.getByTestId('login-email').fill(`someone@elsewhere-${RUN}.test`);
      await user.getByTestId('sso-login').click();
      const error = user.getByTestId('sso-error');
      await error.waitFor().catch(() => fail('no message for an email whose domain has no SSO'));
      if (!/No single sign-on is set up/.test((await error.textContent()) ?? '')) fail(`unexpected message: ${await error.textContent()}`);
    });

    await stage(user, 'sso-login', async () => {
      await user.goto(`${BASE_URL}/login`);
      await user.getByTestId('login-email').fill(`sam@${DOMAIN}`);
      await user.getByTestId('sso-login').click();
      await user.waitForURL((u) => new URL(u).origin === idp.issuer, { timeout: 20_000 }).catch(() => fail('"Sign in with SSO" did not open the identity provider'));
      const login = user.locator('input[name=login]');
      await login.waitFor().catch(() => fail("no login form at the identity provider"));
      await login.fill('sam');
      await user.locator('input[name=password]').fill('any-password');
      await screenshot(user, 'sso-idp-login');
      await user.locator('button[type=submit]').click();
      await user.waitForURL((u) => new URL(u).origin === new URL(BASE_URL).origin && new URL(u).pathname === '/', { timeout: 30_000 }).catch(async () =>
        fail(`the SSO sign-in did not land on the overview (at ${user.url()}): ${(await user.locator('[role=alert]').allTextContents()).join(' | ')}`),
      );
      await user.getByRole('heading', { name: 'Overview' }).waitFor();
      await waitFor('the dashboard to show the SSO user', async () => (await user.getByTestId('current-user').textContent()) === `Sam ${RUN}`, { timeout: 10_000 });
      if ((await user.getByTestId('current-role').textContent()) !== 'viewer') fail('the user created by SSO does not have the default role (viewer)');
      if (user.url().includes('token=')) fail('the token stayed in the address bar');
    });

    await stage(admin, 'sso-user-listed', async () => {
      await admin.goto(`${BASE_URL}/team`);
      const row = admin.locator(`[data-testid="member-row"][data-email="sam@${DOMAIN}"]`);
      await row.waitFor().catch(() => fail('the user created by SSO is not listed as a member'));
      if ((await row.getAttribute('data-role')) !== 'viewer') fail('the SSO member is not a viewer');
    });
    await user.context().close();
    await admin.context().close();
  } finally {
    await idp.close();
  }
}
