// Shop settings in a real browser: headless Debian Chromium driven by playwright-core. Starts
// `redress demo`, adds an admin and an agent through the team API (as a shop set up without
// the demo would), and saves screenshots of the settings pages under web-tests/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accessibilityProblems, artifacts, launchBrowser, startDemo } from './support.js';

const PASSWORD = 'settings browser passphrase';
let demo;
let browser;
let shop;
let desk;

/** Calls the API as the shop's admin (Olga's personal key); returns the response. */
function call(method, pathname, body, key = shop.adminKey) {
  return fetch(`${shop.base}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

before(async () => {
  ({ process: demo, shop } = await startDemo());
  browser = await launchBrowser();
  desk = shop.portal.replace('/s/', '/desk/');
  for (const [email, name, role] of [['sam@settings.example', 'Sam Admin', 'admin'], ['ivy@settings.example', 'Ivy Agent', 'agent']]) {
    const added = await call('POST', '/api/v1/agents', { email, name, role, password: PASSWORD });
    assert.equal(added.status, 201, await added.text());
  }
});

after(async () => {
  await browser?.close();
  demo?.kill('SIGTERM');
});

/** Signs in to the desk as `email` in a fresh browser context; returns the page. */
async function signInToDesk(email) {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${desk}/signin`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/signin')), page.getByRole('button', { name: 'Sign in' }).click()]);
  return page;
}

test('an admin fixes a policy error shown at its line, adds and removes a teammate, revokes a key', async () => {
  const page = await signInToDesk('sam@settings.example');
  await page.getByRole('link', { name: 'Settings' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Shop settings');
  await page.screenshot({ path: path.join(artifacts, 'desk-settings-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);

  // A window of 400 days is refused beside its line; the typed text stays, nothing is saved.
  await page.getByRole('link', { name: 'Policy' }).click();
  const source = await page.getByLabel('Policy document (TOML)').inputValue();
  const version = Number(source.match(/^version = (\d+)$/m)[1]);
  const line = source.split('\n').findIndex((l) => l.startsWith('window_days')) + 1;
  await page.getByLabel('Policy document (TOML)').fill(source.replace(/^window_days = \d+$/m, 'window_days = 400'));
  await Promise.all([page.getByRole('alert').waitFor(), page.getByRole('button', { name: 'Save as the new policy' }).click()]);
  assert.match(await page.getByRole('alert').innerText(), new RegExp(`line ${line}: .returns\\.window_days.: must be between 1 and 365 days`));
  const marked = page.locator(`#line-${line}`);
  assert.equal(await marked.getAttribute('class'), 'bad');
  assert.match(await marked.innerText(), /window_days = 400[\s\S]*must be between 1 and 365/);
  assert.match(await page.getByLabel('Policy document (TOML)').inputValue(), /window_days = 400/);
  await page.screenshot({ path: path.join(artifacts, 'desk-settings-policy-error-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);
  const unchanged = await (await call('GET', '/api/v1/policy')).json();
  assert.equal(unchanged.policy.version, version, 'nothing saved');

  // Corrected and raised, it is saved and in force.
  const fixed = source.replace(/^window_days = \d+$/m, 'window_days = 45').replace(/^version = \d+$/m, `version = ${version + 1}`);
  await page.getByLabel('Policy document (TOML)').fill(fixed);
  await Promise.all([page.waitForURL(/done=policy/), page.getByRole('button', { name: 'Save as the new policy' }).click()]);
  assert.match(await page.locator('#policy-version').innerText(), new RegExp(`Version ${version + 1} is in force`));
  const saved = await (await call('GET', '/api/v1/policy')).json();
  assert.equal(saved.policy.returns.window_days, 45);

  // A teammate added, then removed.
  await page.getByRole('link', { name: '← Shop settings' }).click();
  await page.getByRole('link', { name: 'Team' }).click();
  await page.getByLabel('Email', { exact: true }).fill('max@settings.example');
  await page.getByLabel('Name', { exact: true }).fill('Max Lead');
  await page.getByLabel('Role', { exact: true }).selectOption('lead');
  await page.getByLabel('First password').fill(PASSWORD);
  await Promise.all([page.waitForURL(/done=member-added/), page.getByRole('button', { name: 'Add to the team' }).click()]);
  const row = page.getByRole('row', { name: /Max Lead/ });
  assert.match(await row.innerText(), /max@settings\.example[\s\S]*lead/);
  await page.screenshot({ path: path.join(artifacts, 'desk-settings-team-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);
  await row.getByLabel('Yes, remove Max Lead from the team').check();
  await Promise.all([page.waitForURL(/done=member-removed/), row.getByRole('button', { name: 'Remove' }).click()]);
  assert.equal(await page.getByRole('row', { name: /Max Lead/ }).count(), 0);

  // A key created shows its secret once and works; revoked, it stops at once.
  await page.goto(`${desk}/settings/keys`);
  await page.getByLabel('Label').fill('browser-test');
  await Promise.all([page.getByLabel('Secret').waitFor(), page.getByRole('button', { name: 'Create key' }).click()]);
  const secret = await page.getByLabel('Secret').inputValue();
  assert.match(secret, /^rk_[0-9a-f]{40}$/);
  assert.equal((await call('GET', '/api/v1/store', undefined, secret)).status, 200);
  await page.screenshot({ path: path.join(artifacts, 'desk-settings-keys-en.png'), fullPage: true });
  const keyRow = page.getByRole('row', { name: /browser-test/ });
  await keyRow.getByLabel('Yes, revoke “browser-test”').check();
  await Promise.all([page.waitForURL(/done=key-revoked/), keyRow.getByRole('button', { name: 'Revoke' }).click()]);
  assert.equal((await call('GET', '/api/v1/store', undefined, secret)).status, 401);
  await page.context().close();
});

test('an admin sees the shop connect form and the webhook deliveries, both accessible', async () => {
  const page = await signInToDesk('sam@settings.example');
  await page.goto(`${desk}/settings`);
  await page.getByRole('link', { name: 'Shop platforms' }).click();
  assert.equal(await page.getByRole('heading', { name: 'Connect a shop' }).count(), 1);
  for (const label of ["Shop's address", 'Admin API access token (Shopify)', 'Webhook secret']) {
    assert.equal(await page.getByLabel(label).getAttribute('type') === 'password', label !== "Shop's address", label);
  }
  assert.deepEqual(await accessibilityProblems(page), []);
  // The demo runs without a secrets key: the form is refused with the reason, and the secret
  // typed is not sent back to the page.
  await page.getByLabel("Shop's address").fill('https://north-wind.myshopify.com');
  await page.getByLabel('Admin API access token (Shopify)').fill('shpat_browser_secret');
  await page.getByLabel('Webhook secret').fill('browser webhook secret');
  await page.getByRole('button', { name: 'Connect' }).click();
  assert.match(await page.getByRole('alert').innerText(), /--secrets-key/);
  assert.ok(!(await page.content()).includes('shpat_browser_secret'));
  await page.screenshot({ path: path.join(artifacts, 'desk-settings-platforms-en.png'), fullPage: true });

  await page.goto(`${desk}/settings`);
  await page.getByRole('link', { name: 'Webhooks' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Webhooks');
  assert.match(await page.locator('main').innerText(), /No endpoint yet/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: path.join(artifacts, 'desk-settings-webhooks-en.png'), fullPage: true });
  await page.context().close();
});

test('an agent is told the settings are for admins', async () => {
  const page = await signInToDesk('ivy@settings.example');
  assert.equal(await page.getByRole('link', { name: 'Settings' }).count(), 0, 'no Settings link for an agent');
  const answer = await page.goto(`${desk}/settings/team`);
  assert.equal(answer.status(), 403);
  assert.match(await page.getByRole('alert').innerText(), /Only the shop's admins/);
  await page.context().close();
});
