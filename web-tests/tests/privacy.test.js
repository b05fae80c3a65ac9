// A customer's personal data from the desk in a real browser: an admin opens a case, downloads
// the customer's data, and erases it only after typing the customer's address; a wrong address
// is refused beside the field and changes nothing. Screenshots go to web-tests/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accessibilityProblems, artifacts, launchBrowser, startDemo } from './support.js';

const PASSWORD = 'privacy browser passphrase';
let demo;
let browser;
let shop;
let desk;

/** Calls the API with `key` (the shop's admin by default); returns the response. */
function call(method, pathname, body, key = shop.adminKey, headers = {}) {
  return fetch(`${shop.base}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

before(async () => {
  ({ process: demo, shop } = await startDemo());
  browser = await launchBrowser();
  desk = shop.portal.replace('/s/', '/desk/');
  const added = await call('POST', '/api/v1/agents', { email: 'erin@privacy.example', name: 'Erin Admin', role: 'admin', password: PASSWORD });
  assert.equal(added.status, 201, await added.text());
});

after(async () => {
  await browser?.close();
  demo?.kill('SIGTERM');
});

test('an admin erases a customer only after typing their address', async () => {
  const order = {
    number: 'PRIV-1', customer: { email: 'zofia@privacy.example', name: 'Zofia Nowak' }, currency: 'EUR',
    lines: [{ sku: 'MUG-1', title: 'Blue mug', quantity: 1, unit_price: { amount_minor: 1250, currency: 'EUR' } }],
    shipping_address: { name: 'Zofia Nowak', lines: ['ul. Krótka 3'], city: 'Gdańsk', postal_code: '80-001', country: 'PL' },
    payments: [], shipments: [], placed_at: '2026-11-19T09:00:00Z',
  };
  const created = await call('POST', '/api/v1/orders', order, shop.key, { 'idempotency-key': 'privacy-order' });
  assert.equal(created.status, 201, await created.clone().text());
  const orderId = (await created.json()).id;
  const opened = await call('POST', '/api/v1/cases', {
    order_id: orderId, subject: 'Mug broken', channel: 'email', kind: 'other', message: { body: 'Zofia here: my mug broke.' },
  }, shop.key, { 'idempotency-key': 'privacy-case' });
  assert.equal(opened.status, 201, await opened.clone().text());
  const caseId = (await opened.json()).case.id;

  const context = await browser.newContext({ locale: 'en-GB', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${desk}/signin`);
  await page.getByLabel('Email address').fill('erin@privacy.example');
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/signin')), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.goto(`${desk}/cases/${caseId}`);

  // The export downloads as a JSON file holding the customer.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export customer data' }).click()]);
  const saved = path.join(artifacts, 'customer-export.json');
  await download.saveAs(saved);
  const { readFileSync } = await import('node:fs');
  assert.equal(JSON.parse(readFileSync(saved, 'utf8')).customer.email, 'zofia@privacy.example');

  // A wrong address is refused beside the field; nothing is erased.
  await page.getByRole('link', { name: 'Erase customer' }).click();
  assert.equal(await page.locator('h1').innerText(), "Erase this customer's personal data");
  assert.equal(await page.locator('#erase-email').innerText(), 'zofia@privacy.example');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.getByLabel("Type the customer's email address to confirm").fill('someone@else.example');
  await Promise.all([page.getByRole('alert').waitFor(), page.getByRole('button', { name: 'Erase for good' }).click()]);
  assert.match(await page.getByRole('alert').innerText(), /That is not the customer's address: type it exactly as shown. Nothing was erased./);
  await page.screenshot({ path: path.join(artifacts, 'desk-erase-refused-en.png'), fullPage: true });
  const still = await (await call('GET', '/api/v1/customers?email=zofia@privacy.example')).json();
  assert.equal(still.name, 'Zofia Nowak');

  // The right address erases, and the case says so.
  await page.getByLabel("Type the customer's email address to confirm").fill('zofia@privacy.example');
  await Promise.all([page.waitForURL(/done=erased/), page.getByRole('button', { name: 'Erase for good' }).click()]);
  assert.match(await page.getByRole('status').innerText(), /personal data was erased/);
  const body = await page.locator('main').innerText();
  assert.ok(!body.includes('my mug broke'), 'the message is erased');
  assert.match(body, /Customer's personal data erased/);
  await page.screenshot({ path: path.join(artifacts, 'desk-erased-en.png'), fullPage: true });
  const gone = await call('GET', '/api/v1/customers?email=zofia@privacy.example');
  assert.equal(gone.status, 404);
  await context.close();
});
