// Chat, live: a customer on a phone writes in the portal's chat and asks for a person; an
// agent answers in the desk; the customer sees the answer without reloading. Then the same from
// the chat box a shop puts on its own site (another origin, no cookies), once the store's policy
// lists that site. Screenshots under web-tests/artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { accessibilityProblems, api, artifacts, withDemo } from './support.js';

const world = withDemo();

/** The desk, signed in as the demo's agent, answering the case numbered `number`. */
async function answerInDesk(number, words) {
  const { shop, browser } = world;
  const found = await api(shop, '/api/v1/cases?limit=200');
  const chosen = found.cases.find((c) => c.number === number);
  assert.ok(chosen, `case #${number} is in the store`);
  const context = await browser.newContext({ locale: 'en-GB' });
  const desk = await context.newPage();
  await desk.goto(shop.desk);
  await desk.locator('#email').fill(shop.agentEmail);
  await desk.locator('#password').fill(shop.deskPassword);
  await Promise.all([desk.waitForURL((url) => !url.pathname.endsWith('/signin')), desk.locator('form button[type=submit]').click()]);
  await desk.goto(`${shop.desk}/cases/${chosen.id}`);
  await desk.getByLabel(/Reply/).first().fill(words);
  await Promise.all([desk.waitForURL(/done=reply/), desk.getByRole('button', { name: 'Send reply' }).click()]);
  await context.close();
}

/** The case number a hand-off reply names (`#12`). */
function caseNumber(text) {
  const found = text.match(/#(\d+)/);
  assert.ok(found, `a case number in ${text}`);
  return Number(found[1]);
}

test("a customer on a phone sees the agent's answer without reloading", async () => {
  const { shop, browser } = world;
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 375, height: 740 }, isMobile: true });
  const page = await context.newPage();
  await page.goto(`${shop.portal}/chat`);
  await page.getByLabel('Your message').fill('I want to talk to a person, please');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.waitForURL(/\/chat/);
  const handed = await page.locator('.messages').innerText();
  const number = caseNumber(handed);

  const loads = [];
  page.on('load', () => loads.push(page.url()));
  await answerInDesk(number, 'Hello, this is Sam from the shop. I will look into it now.');
  await page.locator('.messages li', { hasText: 'this is Sam from the shop' }).waitFor();
  assert.match(await page.locator('.messages li', { hasText: 'this is Sam from the shop' }).innerText(), /Our team/);
  assert.deepEqual(loads, [], 'the page was not reloaded');
  await page.screenshot({ path: path.join(artifacts, 'chat-live-phone-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);
  await context.close();
});

test("the chat box on the shop's own site talks to the assistant and hears the agent", async () => {
  const { shop, browser } = world;
  const slug = new URL(shop.portal).pathname.split('/')[2];
  // The shop's site: another origin, serving a page that loads the chat box.
  const site = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html lang="en"><head><title>Northwind shop</title></head><body><main><h1>Northwind</h1></main>
      <script src="${shop.base}/assets/widget.js" data-store="${slug}" async></script></body></html>`);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${site.address().port}`;
  try {
    // Until the store lists the site, the browser keeps the assistant's answers from it.
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 800 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(origin);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await page.getByLabel('Your message').fill('Hello, where is my parcel?');
    await page.keyboard.press('Enter');
    await page.locator('.redress-chat li', { hasText: 'could not be sent' }).waitFor();

    const policy = await (await fetch(`${shop.base}/api/v1/policy`, { headers: { authorization: `Bearer ${shop.adminKey}` } })).json();
    const source = `${policy.source.split('\n[assistant]')[0]}\n[assistant]\nchat_origins = ["${origin}"]\n`;
    const saved = await fetch(`${shop.base}/api/v1/policy`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${shop.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source }),
    });
    assert.equal(saved.status, 200, await saved.text());

    await page.getByLabel('Your message').fill('Hello, where is my parcel?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.redress-chat li', { hasText: 'number and the email' }).waitFor();
    await page.getByLabel('Your message').fill('I want to talk to a person, please');
    await page.keyboard.press('Enter');
    const handed = page.locator('.redress-chat li.shop', { hasText: /#\d+/ });
    await handed.waitFor();
    const number = caseNumber(await handed.innerText());

    await answerInDesk(number, 'Hello from Sam at the shop: your parcel left our warehouse today.');
    await page.locator('.redress-chat li', { hasText: 'parcel left our warehouse' }).waitFor();
    assert.match(await page.locator('.redress-chat li', { hasText: 'parcel left our warehouse' }).innerText(), /^Our team/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: path.join(artifacts, 'chat-widget-phone-en.png') });
    assert.deepEqual(await accessibilityProblems(page), [], 'the chat box is accessible on the shop\'s page');

    // The conversation is kept in the site's storage: a new visit shows it again.
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await page.locator('.redress-chat li', { hasText: 'parcel left our warehouse' }).waitFor();
    await context.close();
  } finally {
    site.close();
  }
});
