// Accessibility: every page of the app checked by axe-core (WCAG 2.1 A and AA rules) in real
// Chromium, in English and Dutch, light and dark: no serious or critical violation. The room is
// checked with a second person in it, an offer waiting, a chat message and a finished transfer, so
// the parts that appear only then are checked too.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import * as flow from './room_flow.mjs';
import { roomSuite } from './service.mjs';
import { incomingBatch } from './transfer_steps.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const suite = roomSuite('cieloweb-a11y-');

// axe in the page, put there by the test driver (the page's CSP rightly refuses an injected
// script tag); resolves to the serious and critical violations, one line each.
async function violations(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')}: ${n.any[0]?.message ?? ''}`).join('; ')})`,
    );
}

const LOOKS = [
  { locale: 'en-US', colorScheme: 'light' },
  { locale: 'nl-NL', colorScheme: 'dark' },
  { locale: 'en-US', colorScheme: 'dark' },
  { locale: 'nl-NL', colorScheme: 'light' },
];

for (const look of LOOKS) {
  test(`a11y: every page in ${look.locale}, ${look.colorScheme}`, async () => {
    const found = [];
    const context = await suite.browser.newContext(look);
    await context.addInitScript(() => localStorage.setItem('cieloweb.name', 'Ann'));
    const page = await context.newPage();
    const guest = await flow.newPeer(suite.browser, 'Bob', { locale: look.locale });
    try {
      for (const route of ['/', '/privacy', '/signin', '/account']) {
        await page.goto(`${suite.service.origin}${route}`);
        await page.waitForLoadState('networkidle');
        for (const v of await violations(page)) found.push(`${route}: ${v}`);
      }
      // The room, lived in: Bob joins, says hello, offers a file Ann has not answered yet, and
      // sends one that she accepted and received.
      await page.goto(`${suite.service.origin}/`);
      await page.click('[data-testid=create-room]');
      await page.waitForSelector('body[data-room=joined]', { state: 'attached' });
      await flow.joinRoom(guest, await flow.shareLink(page));
      const ann = { name: 'Ann', page, context, errors: [], logs: [] };
      await flow.waitReadyForFiles(ann, guest);
      await flow.sendChat(guest, 'hello');
      const file = path.join(suite.dir, `a11y-${look.locale}-${look.colorScheme}.txt`);
      writeFileSync(file, 'a small file\n');
      await guest.page.setInputFiles('[data-testid=room-file-input]', file);
      await incomingBatch(ann, path.basename(file)).locator('[data-testid=accept-batch]').click();
      await page.waitForSelector('[data-testid=save-link]');
      await guest.page.setInputFiles('[data-testid=room-file-input]', file);
      await page.locator('[data-testid=accept-batch]:visible').first().waitFor();
      for (const v of await violations(page)) found.push(`room: ${v}`);
      // Controls named only for screen readers speak the page's language too.
      const names = await page.evaluate(() =>
        ['share-link', 'share-qr', 'chat-input'].map((id) => document.getElementById(id).getAttribute('aria-label')),
      );
      assert.deepEqual(
        names,
        look.locale.startsWith('nl')
          ? ['Link naar de ruimte', 'QR-code van de link naar de ruimte', 'Bericht']
          : ['Room link', 'QR code of the room link', 'Message'],
      );
    } finally {
      await guest.context.close();
      await context.close();
    }
    assert.deepEqual(found, []);
  });
}
