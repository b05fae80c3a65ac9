// The customer portal in a real browser: headless Debian Chromium driven by playwright-core.
// Starts `redress demo` on a free port, acts as the demo customer, and saves screenshots of
// the main pages under web-tests/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const binary = process.env.REDRESS_BIN ?? path.join(root, 'target', 'debug', 'redress');
const artifacts = path.join(root, 'web-tests', 'artifacts');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let demo;
let browser;
const shop = {};

/** Starts the demo and reads what it prints: the portal URL, a customer, the store key. */
function startDemo() {
  return new Promise((resolve, reject) => {
    demo = spawn(binary, ['demo', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 60 s:\n${out}`)), 60_000);
    demo.on('error', reject);
    demo.stdout.on('data', (chunk) => {
      out += chunk;
      const portal = out.match(/Portal\s+(\S+)\s+\(as a customer: order (\S+), email (\S+)\)/);
      const key = out.match(/Store key\s+(\S+)/);
      if (portal && key) {
        clearTimeout(timer);
        Object.assign(shop, { portal: portal[1], order: portal[2], email: portal[3], key: key[1] });
        shop.base = new URL(shop.portal).origin;
        resolve();
      }
    });
  });
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  await startDemo();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  demo?.kill('SIGTERM');
});

async function api(pathname) {
  const response = await fetch(`${shop.base}${pathname}`, { headers: { authorization: `Bearer ${shop.key}` } });
  assert.equal(response.status, 200, `${pathname}: ${response.status}`);
  return response.json();
}

/** Serious and critical accessibility problems axe-core finds on the page. */
async function accessibilityProblems(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

async function signIn(page, lang = 'en') {
  await page.goto(`${shop.portal}?lang=${lang}`);
  await page.getByLabel(lang === 'pl' ? 'Numer zamówienia' : 'Order number').fill(shop.order);
  await page.getByLabel(lang === 'pl' ? 'Adres e-mail' : 'Email address').fill(shop.email);
  await Promise.all([page.waitForURL(/\/orders\//), page.keyboard.press('Enter')]);
}

test('a customer finds the order, reports a damaged item and follows the request', async () => {
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
  await page.getByLabel('Describe the problem').fill('The vase arrived in pieces, the box was crushed. Photos on request.');
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
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
  assert.match(await page.locator('.messages').innerText(), /tag is still on/);
  await context.close();
});

test('the portal speaks Polish and Indonesian, and fits a phone screen', async () => {
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
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Szukaj' }).click()]);
  assert.equal(await page.locator('article').count(), 0, 'no answer rather than a wrong one');
  await context.close();
});
