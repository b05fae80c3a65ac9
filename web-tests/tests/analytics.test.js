// The desk's analytics page in a real browser: headless Debian Chromium driven by
// playwright-core. Starts `redress demo`, signs in as the demo lead, checks the server-drawn
// chart and the table, groups by SKU, and downloads the table as CSV.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { accessibilityProblems, artifacts, withDemo } from './support.js';

const world = withDemo();

test('a lead reads the analytics chart and downloads the table as CSV', async () => {
  const { shop, browser } = world;
  const context = await browser.newContext({ locale: 'en-GB', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(shop.desk);
  await page.locator('#email').fill(shop.leadEmail);
  await page.locator('#password').fill(shop.deskPassword);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/signin')), page.locator('form button[type=submit]').click()]);

  await page.getByRole('link', { name: 'Analytics' }).click();
  assert.match(await page.locator('h1').innerText(), /Analytics/);
  const chart = page.locator('svg.chart');
  await chart.waitFor();
  assert.ok((await chart.locator('polyline').count()) > 0, 'the chart draws a line per value');
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 200 && box.height > 50, `the chart is visible: ${JSON.stringify(box)}`);
  assert.ok((await page.locator('table tbody tr').count()) > 1, 'the table lists the total and the values');
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: path.join(artifacts, 'analytics.png'), fullPage: true });

  // Grouped by SKU: the table's values are the shop's SKUs.
  await page.locator('#dimension').selectOption('sku');
  await Promise.all([page.waitForURL(/dimension=sku/), page.getByRole('button', { name: 'Show' }).click()]);
  await chart.waitFor();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the table (CSV)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^analytics-sku-values-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.trim().split('\n');
  assert.equal(lines[0].split(',')[0], 'value');
  assert.ok(lines.length > 1, `the CSV has rows: ${csv}`);
  const tableCases = await page.locator('table tbody tr').nth(1).locator('td').nth(1).innerText();
  assert.equal(lines[1].split(',')[1], tableCases.trim(), 'the CSV holds what the table shows');
  await context.close();
});
