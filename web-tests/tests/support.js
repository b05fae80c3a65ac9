// What every browser test shares: starting `redress demo` on a free port and reading what it
// prints, launching Debian's Chromium, the accessibility check, and signing in as a customer.
// Not a test file itself: node --test runs only *.test.js.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { before, after } from 'node:test';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, crc32 } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const binary = process.env.REDRESS_BIN ?? path.join(root, 'target', 'debug', 'redress');
export const artifacts = path.join(root, 'web-tests', 'artifacts');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Starts the demo and reads what it prints: the portal URL, a customer with their order, an
 * order not yet shipped with its customer's email, the agent desk with its team, and the store
 * integration key, Leo's (lead) and Olga's (admin) personal keys. Resolves to `{ process, shop }`.
 */
export function startDemo() {
  return new Promise((resolve, reject) => {
    const demo = spawn(binary, ['demo', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 60 s:\n${out}`)), 60_000);
    demo.on('error', reject);
    demo.stdout.on('data', (chunk) => {
      out += chunk;
      const portal = out.match(/Portal\s+(\S+)\s+\(as a customer: order (\S+), email (\S+)\)/);
      const waiting = out.match(/Not shipped\s+order (\S+), email (\S+)/);
      const desk = out.match(/Agent desk\s+(\S+)\s+\(password (\S+) for agent (\S+), lead (\S+), admin (\S+)\)/);
      const key = out.match(/Store key\s+(\S+)/);
      const leadKey = out.match(/Lead key\s+(\S+)/);
      const adminKey = out.match(/Admin key\s+(\S+)/);
      if (portal && waiting && desk && key && leadKey && adminKey) {
        clearTimeout(timer);
        const shop = {
          portal: portal[1],
          order: portal[2],
          email: portal[3],
          waitingOrder: waiting[1],
          waitingEmail: waiting[2],
          desk: desk[1],
          deskPassword: desk[2],
          agentEmail: desk[3],
          leadEmail: desk[4],
          adminEmail: desk[5],
          key: key[1],
          leadKey: leadKey[1],
          adminKey: adminKey[1],
          base: new URL(portal[1]).origin,
        };
        resolve({ process: demo, shop });
      }
    });
  });
}

/**
 * Starts the demo and a browser before the file's tests and stops both after them. Returns an
 * object whose `shop` and `browser` are set once the tests run.
 */
export function withDemo() {
  const world = {};
  before(async () => {
    const started = await startDemo();
    world.demo = started.process;
    world.shop = started.shop;
    world.browser = await launchBrowser();
  });
  after(async () => {
    await world.browser?.close();
    world.demo?.kill('SIGTERM');
  });
  return world;
}

/** Debian's Chromium, headless; never a browser a tool downloaded. */
export async function launchBrowser() {
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** GETs an API path with the store key and returns the JSON. */
export async function api(shop, pathname) {
  const response = await fetch(`${shop.base}${pathname}`, { headers: { authorization: `Bearer ${shop.key}` } });
  assert.equal(response.status, 200, `${pathname}: ${response.status}`);
  return response.json();
}

/** POSTs JSON to an API path with the store key and returns the JSON answer. */
export async function apiPost(shop, pathname, body) {
  const response = await fetch(`${shop.base}${pathname}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${shop.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(response.ok, `${pathname}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

/** Serious and critical accessibility problems axe-core finds on the page. */
export async function accessibilityProblems(page) {
  // Evaluated through the DevTools protocol rather than injected as an inline <script>, so the
  // pages' Content-Security-Policy stays in force while they are tested.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

/** Finds an order through the look-up form, in English or Polish, and lands on its page. */
export async function signIn(page, shop, { lang = 'en', order = shop.order, email = shop.email } = {}) {
  await page.goto(`${shop.portal}?lang=${lang}`);
  await page.getByLabel(lang === 'pl' ? 'Numer zamówienia' : 'Order number').fill(order);
  await page.getByLabel(lang === 'pl' ? 'Adres e-mail' : 'Email address').fill(email);
  await Promise.all([page.waitForURL(/\/orders\//), page.keyboard.press('Enter')]);
}

/** A real PNG picture, `width` × `height`, of a broken-vase orange, for upload tests. */
export function pngPicture(width = 64, height = 48) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const crack = Math.abs(x - y) < 2;
      row.set(crack ? [40, 40, 40] : [230, 120, 40], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
