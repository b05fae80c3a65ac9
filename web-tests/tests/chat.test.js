// The assistant's chat page on a phone: the demo customer asks where the parcel is, proves
// they hold the order, gets its status, and the page stays readable and accessible at a phone's
// width. Screenshots under web-tests/artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accessibilityProblems, artifacts, withDemo } from './support.js';

const world = withDemo();

test('a customer chats with the assistant on a phone', async () => {
  const { shop, browser } = world;
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 375, height: 740 }, isMobile: true });
  const page = await context.newPage();
  await page.goto(`${shop.portal}/chat`);
  assert.match(await page.locator('.messages').innerText(), /assistant of/);
  assert.deepEqual(await accessibilityProblems(page), []);

  const send = async (text) => {
    const before = await page.locator('.messages li').count();
    await page.getByLabel('Your message').fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.waitForFunction((n) => document.querySelectorAll('.messages li').length > n, before);
    return page.locator('.messages li').last().innerText();
  };

  assert.match(await send('Where is my parcel?'), /number and the email/);
  // A stranger's guess learns nothing.
  assert.match(await send(`${shop.order}, someone-else@example.com`), /could not find an order/);
  const status = await send(`${shop.order}, ${shop.email}`);
  assert.match(await page.locator('.messages').innerText(), new RegExp(`I found order ${shop.order}`));
  assert.match(status, /anything else/);

  // Nothing is cut off at a phone's width.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: path.join(artifacts, 'chat-phone-en.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(page), []);

  // The conversation survives a reload (it is kept on the server, named by a cookie).
  await page.reload();
  assert.match(await page.locator('.messages').innerText(), new RegExp(`I found order ${shop.order}`));

  // Starting over forgets it in this browser.
  await page.getByRole('button', { name: 'Start a new conversation' }).click();
  await page.waitForURL(/\/chat$/);
  assert.doesNotMatch(await page.locator('.messages').innerText(), new RegExp(shop.order));
  await context.close();
});
