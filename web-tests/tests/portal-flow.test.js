// The portal's guided flow in a real browser (headless Debian Chromium, playwright-core): a
// customer reports a damaged item with a photo, sees the decision and its reasons, and chooses a
// replacement; another changes the delivery address of an order not yet shipped, on a phone.
// Every new page is checked with axe-core; screenshots go to web-tests/artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accessibilityProblems, api, apiPost, artifacts, pngPicture, signIn, withDemo } from './support.js';

const world = withDemo();

test('a customer reports a damaged item with a photo, sees the decision and chooses a replacement', async () => {
  const { shop, browser } = world;
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await signIn(page, shop);

  // Step 1: the kind of problem.
  await page.getByLabel('What happened?').selectOption('damaged_in_transit');
  await Promise.all([page.waitForURL(/\/report\?kind=damaged_in_transit/), page.getByRole('button', { name: 'Continue' }).click()]);

  // Step 2: which items and how many, why, a photo, a comment.
  const items = page.getByRole('group', { name: 'Items concerned' });
  assert.ok(await items.isVisible(), 'the line picker is a fieldset with a legend');
  await items.getByLabel(/Vase/).fill('1');
  await page.getByLabel('In a few words, what is wrong?').fill('The vase arrived in pieces');
  await page.getByLabel('Photos (optional)').setInputFiles({ name: 'vase.png', mimeType: 'image/png', buffer: pngPicture() });
  await page.getByLabel('Anything else we should know? (optional)').fill('The box was crushed on one corner.');
  await page.screenshot({ path: path.join(artifacts, 'portal-report-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);
  await Promise.all([page.waitForURL(/\/cases\/.*sent=1/), page.getByRole('button', { name: 'Send', exact: true }).click()]);

  // The decision at once: the policy's reasons in words, and the remedies on offer.
  assert.match(await page.getByRole('status').innerText(), /Thank you/);
  const decision = page.getByRole('region', { name: 'What we can do' });
  const reasons = await decision.locator('ul.reasons li').allInnerTexts();
  assert.ok(reasons.length >= 1, 'the reasons are given');
  assert.ok(reasons.some((r) => /carrier|shop|fault/i.test(r)), `the reasons explain who pays: ${reasons.join(' | ')}`);
  const replacement = page.getByLabel(/Send me a replacement/);
  assert.ok(await replacement.isEnabled(), 'with a photo, the replacement can be chosen at once');
  assert.ok(await replacement.isChecked(), 'the policy’s first choice is preselected');
  const photo = page.getByRole('img', { name: /Photo 1: vase\.png/ });
  assert.ok(await photo.evaluate((img) => img.complete && img.naturalWidth === 64), 'the photo is shown back');
  await page.screenshot({ path: path.join(artifacts, 'portal-decision-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.setViewportSize({ width: 375, height: 740 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the decision fits a phone (page is ${width}px wide)`);
  await page.screenshot({ path: path.join(artifacts, 'portal-decision-en-phone.png'), fullPage: true });

  // The choice, from the keyboard: carried out and on the case.
  await replacement.focus();
  await page.keyboard.press('Space');
  await Promise.all([page.waitForURL(/done=1/), page.getByRole('button', { name: 'Confirm my choice' }).click()]);
  assert.match(await page.getByRole('status').innerText(), /recorded your choice/);
  assert.match(await page.getByRole('region', { name: 'Your choice' }).innerText(), /Send me a replacement/);
  assert.equal(await page.getByRole('button', { name: 'Confirm my choice' }).count(), 0);
  await page.screenshot({ path: path.join(artifacts, 'portal-remedy-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);

  // The shop sees what the customer chose, on the timeline, by the customer.
  const caseId = new URL(page.url()).pathname.split('/').pop();
  const view = await api(shop, `/api/v1/cases/${caseId}`);
  const carried = view.timeline.find((e) => e.event.type === 'remedy_carried_out');
  assert.equal(carried.event.remedy, 'reship');
  assert.equal(carried.actor.type, 'customer');
  assert.equal(view.messages[0].attachments[0].content_type, 'image/png');
  await context.close();
});

test('a customer changes the delivery address of an order not yet shipped, on a phone', async () => {
  const { shop, browser } = world;
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'en-US' });
  const page = await context.newPage();
  await signIn(page, shop, { order: shop.waitingOrder, email: shop.waitingEmail });
  await Promise.all([page.waitForURL(/\/address$/), page.getByRole('link', { name: 'Change the delivery address' }).click()]);
  await page.screenshot({ path: path.join(artifacts, 'portal-address-en-phone.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no sideways scrolling on a phone (page is ${width}px wide)`);

  await page.getByLabel('Street and number').fill('Rua Augusta 100');
  await page.getByLabel('Apartment, floor (optional)').fill('3º esq.');
  await page.getByLabel('Postal code').fill('1100-053');
  await page.getByLabel('City').fill('Lisboa');
  await page.getByLabel('Country code').fill('PT');
  // The address is checked and shown once more; nothing is saved before the customer confirms it.
  await page.getByRole('button', { name: 'Save the new address' }).click();
  await page.getByRole('heading', { name: 'Is this the right address?' }).waitFor();
  assert.match(await page.locator('#confirm').innerText(), /Rua Augusta 100/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await Promise.all([page.waitForURL(/amended=1/), page.getByRole('button', { name: 'Yes, save this address' }).click()]);
  assert.match(await page.getByRole('status').innerText(), /delivered to the new address/);
  assert.match(await page.locator('#delivery-address').innerText(), /Rua Augusta 100/);
  await page.screenshot({ path: path.join(artifacts, 'portal-address-changed-en-phone.png'), fullPage: true });

  const { orders } = await api(shop, `/api/v1/orders?number=${encodeURIComponent(shop.waitingOrder)}`);
  assert.equal(orders[0].shipping_address.city, 'Lisboa');
  assert.deepEqual(orders[0].shipping_address.lines, ['Rua Augusta 100', '3º esq.']);
  await context.close();

  // The delivered order of the other customer can no longer change: the reason is given.
  const other = await browser.newContext({ locale: 'pl-PL' });
  const own = await other.newPage();
  await signIn(own, shop, { lang: 'pl' });
  assert.equal(await own.getByRole('link', { name: 'Zmień adres dostawy' }).count(), 0);
  await own.goto(`${own.url()}/address`);
  assert.match(await own.getByRole('alert').innerText(), /\S/);
  assert.equal(await own.getByRole('button', { name: 'Zapisz nowy adres' }).count(), 0);
  assert.deepEqual(await accessibilityProblems(own), []);
  await own.screenshot({ path: path.join(artifacts, 'portal-address-too-late-pl.png'), fullPage: true });
  await other.close();
});

test('a customer exchanges a shirt for another size, with the stock shown, and gets the return instructions', async () => {
  const { shop, browser } = world;
  // The shop says where returns go: a new version of its policy with its warehouse's address.
  const policy = await api(shop, '/api/v1/policy');
  const version = policy.policy.version + 1;
  const source = `${policy.source.replace(/^version = \d+/m, `version = ${version}`)}
[returns.address]
name = "Northwind Outfitters Returns"
lines = ["Hala 3, ul. Magazynowa 12"]
city = "Poznań"
postal_code = "61-001"
country = "PL"
`;
  const saved = await fetch(`${shop.base}/api/v1/policy`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${shop.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source }),
  });
  assert.equal(saved.status, 200, await saved.text());
  // An order the shop reports now: a shirt in M delivered two days ago, with its other sizes in stock or not.
  const day = 24 * 3600 * 1000;
  const at = (days) => new Date(Date.now() - days * day).toISOString();
  const price = { amount_minor: 3490, currency: 'EUR' };
  const address = { name: 'Joana Silva', lines: ['Rua das Flores 12'], city: 'Porto', postal_code: '4050-262', country: 'PT' };
  await apiPost(shop, '/api/v1/orders', {
    number: 'PT-EXCHANGE-1',
    customer: { email: 'joana.exchange@example.pt', name: 'Joana Silva', language: 'pt' },
    currency: 'EUR',
    lines: [{
      sku: 'NW-TEE-HNL-OAT-M', title: 'Long-Sleeve Henley', variant: { colour: 'Oatmeal', size: 'M' }, quantity: 1,
      unit_price: price,
      other_variants: [
        { sku: 'NW-TEE-HNL-OAT-L', variant: { colour: 'Oatmeal', size: 'L' }, unit_price: price, in_stock: 4 },
        { sku: 'NW-TEE-HNL-OAT-XL', variant: { colour: 'Oatmeal', size: 'XL' }, unit_price: price, in_stock: 0 },
      ],
    }],
    shipping_address: address,
    payments: [{ provider: 'sandbox', provider_reference: 'ch_exchange_1', method: 'card', authorized: price, captured: price, status: 'captured' }],
    shipments: [{
      carrier: 'ctt', tracking_number: 'CT123', lines: [{ sku: 'NW-TEE-HNL-OAT-M', quantity: 1 }], status: 'delivered',
      status_times: { handed_to_carrier: at(5), delivered: at(2) },
    }],
    placed_at: at(7),
  });

  const context = await browser.newContext({ locale: 'pt-PT' });
  const page = await context.newPage();
  await page.goto(shop.portal);
  await page.getByLabel('Número do pedido').fill('PT-EXCHANGE-1');
  await page.getByLabel('E-mail', { exact: true }).fill('joana.exchange@example.pt');
  await Promise.all([page.waitForURL(/\/orders\//), page.keyboard.press('Enter')]);
  await page.locator('#kind').selectOption('exchange_request');
  await Promise.all([page.waitForURL(/\/report\?/), page.getByRole('button', { name: 'Continuar' }).click()]);
  assert.equal(await page.getByLabel('Long-Sleeve Henley (Oatmeal, M)').inputValue(), '1', 'one line: already chosen');
  await page.getByLabel('Em poucas palavras, o que está errado?').fill('Fica pequena');
  await Promise.all([page.waitForURL(/\/cases\//), page.getByRole('button', { name: 'Enviar', exact: true }).click()]);

  // The exchange comes first, as the policy prefers; the sizes show their stock, a sold-out one cannot be picked.
  const choices = await page.getByRole('group', { name: 'Escolha o que prefere' }).getByRole('radio').evaluateAll(
    (radios) => radios.map((r) => r.value),
  );
  assert.equal(choices[0], 'exchange');
  assert.ok(await page.getByLabel(/Trocar por outro tamanho ou cor/).isChecked());
  const size = page.getByLabel(/Novo tamanho ou cor para Long-Sleeve Henley/);
  const options = await size.locator('option').evaluateAll((os) => os.map((o) => ({ text: o.textContent, disabled: o.disabled })));
  assert.ok(options.some((o) => /L · 34.90 EUR · 4 em stock/.test(o.text) && !o.disabled), JSON.stringify(options));
  assert.ok(options.some((o) => /XL · .* esgotado/.test(o.text) && o.disabled), JSON.stringify(options));
  await size.selectOption('NW-TEE-HNL-OAT-L');
  await page.screenshot({ path: path.join(artifacts, 'portal-exchange-pt.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);
  await Promise.all([page.waitForURL(/done=1/), page.getByRole('button', { name: 'Confirmar a minha escolha' }).click()]);

  // The return authorisation: its number, where to send it, by when, the label, and what comes instead.
  const rma = page.getByRole('region', { name: /A sua devolução RMA-/ });
  const text = await rma.innerText();
  assert.match(text, /1 × Long-Sleeve Henley/);
  assert.match(text, /Northwind Outfitters Returns/);
  assert.match(text, /Envie até \d{4}-\d{2}-\d{2}/);
  assert.match(text, /etiqueta de devolução/i);
  assert.match(text, /1 × Long-Sleeve Henley \(Oatmeal, L\)/);
  await page.screenshot({ path: path.join(artifacts, 'portal-return-pt.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);
  await context.close();
});
