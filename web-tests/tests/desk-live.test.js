// The desk, live and by keyboard: two agents in two browser contexts open the same case and see
// each other; a note one of them adds appears on the other's page without a reload and warns
// the reply being written there; sending that reply is held with what changed until "Send
// anyway". Then the shortcuts (`?` lists them, j/o open a case, r goes to the reply box, a
// takes the case) and a lead's macro filled into a case and sent. Screenshots under
// web-tests/artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accessibilityProblems, api, artifacts, withDemo } from './support.js';

const world = withDemo();

/** Signs in to the desk as `email` in a context of its own; returns the page. */
async function deskAs(email) {
  const { shop, browser } = world;
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(shop.desk);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(shop.deskPassword);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/signin')), page.locator('form button[type=submit]').click()]);
  return page;
}

/** An open case of the demo about an order, by the subject's start. */
async function caseAbout(words) {
  const found = await api(world.shop, '/api/v1/cases?limit=200');
  const chosen = found.cases.find((c) => c.subject.startsWith(words) && c.order_id);
  assert.ok(chosen, `a case about ${words}`);
  return chosen;
}

test('two agents on one case see each other, a change arrives live and a stale reply is held', async () => {
  const { shop } = world;
  const chosen = await caseAbout('Charged twice');
  const caseUrl = `${shop.desk}/cases/${chosen.id}`;
  const agent = await deskAs(shop.agentEmail);
  const lead = await deskAs(shop.leadEmail);
  await agent.goto(caseUrl);
  await agent.getByLabel(/Reply \(suggested/).fill('Hello, I am refunding the second charge now.');
  await lead.goto(caseUrl);

  // Each sees the other: the lead at once (the agent was there first), the agent live.
  assert.doesNotMatch(await lead.locator('#presence-names').innerText(), /^$/);
  await agent.waitForSelector('#presence:not([hidden])', { timeout: 20_000 });
  const leadName = (await lead.locator('header .who').innerText()).replace(/^·\s*/, '').replace(/\s*\(.*$/, '');
  assert.match(await agent.locator('#presence-names').innerText(), new RegExp(leadName));

  // The lead adds a note; it appears on the agent's page, and her reply is warned.
  await lead.locator('#note-body').fill('Checked with the bank: the second charge is real.');
  const noted = Date.now();
  await Promise.all([lead.waitForURL(/done=note/), lead.getByRole('button', { name: 'Add note' }).click()]);
  await agent.waitForSelector('ol.timeline li:has-text("Checked with the bank")', { timeout: 20_000 });
  console.log(`the lead's note reached the agent's open page ${Date.now() - noted} ms after it was posted`);
  await agent.waitForSelector('#live-changes:not([hidden])');
  await agent.waitForSelector('#reply-warning:not([hidden])');
  await agent.screenshot({ path: path.join(artifacts, 'desk-live-case.png'), fullPage: true });
  assert.deepEqual(await accessibilityProblems(agent), []);

  // Sending is held with what changed; "Send anyway" sends it once.
  await agent.getByRole('button', { name: 'Send reply' }).click();
  await agent.waitForSelector('#collision');
  assert.match(await agent.locator('#collision').innerText(), /changed since you opened it/);
  assert.equal(await agent.getByLabel(/Reply \(suggested/).inputValue(), 'Hello, I am refunding the second charge now.');
  assert.deepEqual(await accessibilityProblems(agent), []);
  await Promise.all([agent.waitForURL(/done=reply/), agent.getByRole('button', { name: 'Send anyway' }).click()]);
  const view = await api(shop, `/api/v1/cases/${chosen.id}`);
  const sent = view.messages.filter((m) => m.body === 'Hello, I am refunding the second charge now.');
  assert.equal(sent.length, 1, 'sent once');
  await agent.context().close();
  await lead.context().close();
});

test('the shortcuts: ? lists them, j/k and o move through cases, r goes to the reply, a takes the case', async () => {
  const { shop } = world;
  const page = await deskAs(shop.agentEmail);
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Assign the case to me/);
  await page.screenshot({ path: path.join(artifacts, 'desk-shortcuts.png') });
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  // Typing in a field never fires a shortcut.
  await page.locator('#q').fill('');
  await page.locator('#q').press('j');
  assert.equal(await page.locator('tr.current').count(), 0);
  await page.locator('#q').fill('');
  await page.locator('h1').click();

  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  const first = await page.locator('tr[data-case]').first().getAttribute('data-case');
  assert.equal(await page.locator('tr.current').getAttribute('data-case'), first);
  const ids = await page.locator('tr[data-case]').evaluateAll((rows) => rows.map((row) => row.dataset.case));
  await Promise.all([page.waitForURL(/\/cases\//), page.keyboard.press('o')]);
  assert.ok(page.url().includes(first));
  // On a case, j and k go to the next and previous case of the inbox it came from.
  await Promise.all([page.waitForURL((url) => url.pathname.endsWith(ids[1])), page.keyboard.press('j')]);
  await Promise.all([page.waitForURL((url) => url.pathname.endsWith(first)), page.keyboard.press('k')]);

  await page.keyboard.press('r');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'reply-body');
  await page.keyboard.type('a');
  assert.ok(!page.url().includes('done=assign'), 'typing "a" in the reply does not take the case');
  await page.locator('h1').click();
  if (await page.locator('#take-form').count()) {
    await Promise.all([page.waitForURL(/done=assign/), page.keyboard.press('a')]);
    const view = await api(shop, `/api/v1/cases/${first}`);
    assert.ok(view.case.assignee, 'the case is taken');
  }
  await page.context().close();
});

test('a lead writes a macro; an agent fills a reply from it and sends it', async () => {
  const { shop } = world;
  const lead = await deskAs(shop.leadEmail);
  await lead.goto(`${shop.desk}/macros`);
  assert.deepEqual(await accessibilityProblems(lead), []);
  await lead.getByLabel('Name', { exact: true }).fill('Refund under way');
  await lead.getByLabel('Reply in en').fill('Hello {customer_name}, the refund for order {order_number} is on its way. {agent_name}');
  await lead.getByLabel('Reply in es').fill('Hola {customer_name}, el reembolso del pedido {order_number} está en camino. {agent_name}');
  await lead.getByLabel('Also, when sent').selectOption('status:waiting_on_customer');
  await Promise.all([lead.waitForURL(/done=macro-saved/), lead.getByRole('button', { name: 'Save the macro' }).click()]);
  assert.match(await lead.locator('table').innerText(), /Refund under way/);
  await lead.context().close();

  const chosen = await caseAbout('Charged twice');
  const agent = await deskAs(shop.agentEmail);
  await agent.goto(`${shop.desk}/cases/${chosen.id}`);
  await agent.getByLabel('Macro').selectOption({ label: 'Refund under way' });
  await Promise.all([agent.waitForURL(/macro=/), agent.getByRole('button', { name: 'Fill the reply' }).click()]);
  const filled = await agent.locator('#reply-body').inputValue();
  assert.doesNotMatch(filled, /[{}]/, `no placeholder left: ${filled}`);
  assert.match(filled, /the refund for order|el reembolso del pedido/);
  assert.match(await agent.locator('#macro-applied').innerText(), /Waiting on the customer|waiting/i);
  assert.deepEqual(await accessibilityProblems(agent), []);
  await agent.screenshot({ path: path.join(artifacts, 'desk-macro.png'), fullPage: true });
  await Promise.all([agent.waitForURL(/done=reply/), agent.getByRole('button', { name: 'Send reply' }).click()]);
  const view = await api(shop, `/api/v1/cases/${chosen.id}`);
  assert.ok(view.messages.some((m) => m.body === filled), 'the filled reply was sent');
  assert.equal(view.case.status, 'waiting_on_customer');
  await agent.context().close();
});
