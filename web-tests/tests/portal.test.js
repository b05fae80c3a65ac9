// The customer portal in a real browser: headless Debian Chromium driven by playwright-core.
// Starts `redress demo` on a free port, acts as the demo customer, and saves screenshots of
// the main pages under web-tests/artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accessibilityProblems, api as apiOf, artifacts, signIn as signInAs, withDemo } from './support.js';

const world = withDemo();

const api = (pathname) => apiOf(world.shop, pathname);
const signIn = (page, lang = 'en') => signInAs(page, world.shop, { lang });

test('a customer finds the order, reports a damaged item and follows the request', async () => {
  const { shop, browser } = world;
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(shop.portal);
  await page.screenshot({ path: path.join(artifacts, 'portal-lookup-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.getByLabel('Order number').fill(shop.order);
  await page.getByLabel('Email address').fill('not-the-customer@example.com');
  await page.getByRole('button', { name: 'Find my order' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /could not find an order/);

  await page.getByLabel('Email address').fill(shop.email);
  await Promise.all([page.waitForURL(/\/orders\//), page.getByRole('button', { name: 'Find my order' }).click()]);
  assert.match(await page.locator('h1').innerText(), new RegExp(`Order ${shop.order}`));
  await page.screenshot({ path: path.join(artifacts, 'portal-order-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.getByLabel('What happened?').selectOption('damaged_in_transit');
  await Promise.all([page.waitForURL(/\/report\?/), page.getByRole('button', { name: 'Continue' }).click()]);
  await page.getByLabel(/Vase/).fill('1');
  await page.getByLabel('In a few words, what is wrong?').fill('The vase arrived in pieces');
  await page.getByLabel('Anything else we should know? (optional)').fill('The box was crushed. Photos on request.');
  await Promise.all([page.waitForURL(/\/cases\//), page.getByRole('button', { name: 'Send', exact: true }).click()]);
  assert.match(await page.getByRole('status').innerText(), /Thank you/);
  assert.match(await page.locator('.messages').innerText(), /vase arrived in pieces/);
  await page.screenshot({ path: path.join(artifacts, 'portal-case-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);

  // The shop sees the new case, classified as the customer said.
  const cases = await api('/api/v1/cases?status=new&limit=5');
  assert.equal(cases.cases[0].kind, 'damaged_in_transit');
  assert.equal(cases.cases[0].channel, 'portal');

  // The customer answers from the keyboard alone.
  await page.getByLabel('Your reply').fill('Here is one more detail: the tag is still on.');
  await page.getByLabel('Your reply').press('Tab');
  // Wait for the answered page itself: 'load' of the page already shown would not wait.
  await page.keyboard.press('Enter');
  await page.locator('.messages', { hasText: 'tag is still on' }).waitFor();
  await context.close();
});

test('the portal speaks Polish and Indonesian, and fits a phone screen', async () => {
  const { shop, browser } = world;
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'id-ID' });
  const page = await context.newPage();
  await page.goto(shop.portal);
  assert.equal(await page.locator('h1').innerText(), 'Cari pesanan Anda', 'from the browser language');
  assert.equal(await page.locator('html').getAttribute('lang'), 'id');
  await page.screenshot({ path: path.join(artifacts, 'portal-lookup-id-phone.png'), fullPage: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no sideways scrolling on a phone (page is ${width}px wide)`);

  await signIn(page, 'pl');
  assert.match(await page.locator('h1').innerText(), /^Zamówienie /);
  assert.ok(await page.getByRole('heading', { name: 'Zgłoś problem' }).isVisible());
  await page.screenshot({ path: path.join(artifacts, 'portal-order-pl-phone.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);
  await context.close();
});

test('no one reaches an order they have not proved, nor another order with their own', async () => {
  const { shop, browser } = world;
  // Another order of the same shop.
  const cases = await api('/api/v1/cases?limit=50');
  const mine = (await api(`/api/v1/orders?number=${encodeURIComponent(shop.order)}`)).orders[0];
  const other = cases.cases.find((c) => c.order_id && c.order_id !== mine.id);
  assert.ok(other, 'the demo has cases on other orders');

  const stranger = await browser.newContext();
  const page = await stranger.newPage();
  const response = await page.goto(`${shop.portal}/orders/${mine.id}`);
  assert.equal(response.status(), 404);
  assert.match(await page.getByRole('alert').innerText(), /no longer available|expired/);
  await stranger.close();

  const customer = await browser.newContext();
  const own = await customer.newPage();
  await signIn(own);
  for (const url of [`${shop.portal}/orders/${other.order_id}`, `${shop.portal}/cases/${other.id}`]) {
    const answer = await own.goto(url);
    assert.equal(answer.status(), 404, url);
  }
  await customer.close();
});

test('help articles answer questions with typos, in the customer language', async () => {
  const { shop, browser } = world;
  const context = await browser.newContext({ locale: 'pl-PL' });
  const page = await context.newPage();
  await page.goto(shop.portal);
  await page.getByRole('link', { name: 'Pomoc' }).click();
  await page.getByLabel('Twoje pytanie').fill('kiedy dostane zwrot pieniedzy');
  await Promise.all([page.waitForURL(/\/help\?/), page.getByRole('button', { name: 'Szukaj' }).click()]);
  const answers = page.locator('article');
  assert.ok((await answers.count()) >= 1, 'at least one article');
  assert.equal(await answers.first().getAttribute('lang'), 'pl');
  await page.screenshot({ path: path.join(artifacts, 'portal-help-pl.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);

  await page.getByLabel('Twoje pytanie').fill('jaka bedzie pogoda w paryzu');
  await Promise.all([page.waitForURL(/pogoda/), page.getByRole('button', { name: 'Szukaj' }).click()]);
  assert.equal(await page.locator('article').count(), 0, 'no answer rather than a wrong one');
  await context.close();
});
