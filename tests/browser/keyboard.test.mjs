// The whole flow by keyboard alone, with the focus visible at every step: make a room, choose a file
// to send, accept it on the other side, save it, chat, and reach the system share sheet (the test
// stands in for the system's sheet, which a headless browser lacks). Offers are announced (they
// arrive in a live region).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as flow from './room_flow.mjs';
import { roomSuite } from './service.mjs';
import { b3sum } from './transfer_steps.mjs';

const suite = roomSuite('cieloweb-keyboard-');

// Presses Tab until the focused element matches `selector`; every element focused on the way must
// show its focus (an outline from :focus-visible).
async function tabTo(page, selector, max = 60) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const state = await page.evaluate((sel) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { at: false, visible: true, what: 'body' };
      const style = getComputedStyle(el);
      const visible = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2;
      return { at: el.matches(sel), visible, what: el.outerHTML.slice(0, 120) };
    }, selector);
    assert.ok(state.visible, `focus not visible on ${state.what}`);
    if (state.at) return;
  }
  throw new Error(`${selector} not reached with Tab in ${max} presses`);
}

test('keyboard only: make a room, send a file, accept, save and chat, with the focus always visible', async () => {
  const ann = await flow.newPeer(suite.browser, 'Ann');
  const bob = await flow.newPeer(suite.browser, 'Bob');
  const shared = [];
  try {
    await ann.context.exposeFunction('recordShare', (data) => shared.push(data));
    await ann.context.addInitScript(() => {
      navigator.share = (data) => globalThis.recordShare(JSON.parse(JSON.stringify(data)));
    });
    await ann.page.goto(`${suite.service.origin}/`);
    await tabTo(ann.page, '[data-testid=create-room]');
    await ann.page.keyboard.press('Enter');
    await ann.page.waitForSelector('body[data-room=joined]', { state: 'attached' });

    await tabTo(ann.page, '[data-testid=share-native]');
    await ann.page.keyboard.press('Enter');
    for (let i = 0; i < 50 && shared.length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    const link = await flow.shareLink(ann.page);
    assert.equal(shared.at(-1)?.url, link, 'the share sheet gets the room link, key included');

    await flow.joinRoom(bob, link);
    await flow.waitReadyForFiles(ann, bob);

    const file = path.join(suite.dir, 'by-keyboard.txt');
    writeFileSync(file, 'sent without a mouse\n'.repeat(100));
    // Playwright takes the file chooser only once it intercepts them, which its first listener
    // turns on: on before the key is pressed (a listener made with the key press can come too late).
    const choosers = [];
    ann.page.on('filechooser', (chooser) => choosers.push(chooser));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await tabTo(ann.page, 'label[role=button]:has([data-testid=room-file-input])');
    await ann.page.keyboard.press('Enter');
    for (let i = 0; i < 100 && choosers.length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    assert.equal(choosers.length, 1, 'Enter on "Choose files" opened the file chooser');
    await choosers[0].setFiles(file);

    // The offer is announced where Bob is: it arrives inside a live region.
    await bob.page.waitForSelector('[data-testid=accept-batch]');
    assert.ok(await bob.page.$eval('[data-testid=accept-batch]', (b) => Boolean(b.closest('[aria-live]'))));
    await tabTo(bob.page, '[data-testid=accept-batch]');
    await bob.page.keyboard.press('Enter');
    await bob.page.waitForSelector('[data-testid=save-link]');
    await tabTo(bob.page, '[data-testid=save-link]');
    const [download] = await Promise.all([bob.page.waitForEvent('download'), bob.page.keyboard.press('Enter')]);
    const saved = path.join(suite.dir, 'saved.txt');
    await download.saveAs(saved);
    assert.equal(b3sum(saved), b3sum(file));

    await tabTo(bob.page, '[data-testid=chat-input]');
    await bob.page.keyboard.type('got it, thanks');
    await bob.page.keyboard.press('Enter');
    await ann.page.locator('[data-testid=chat-message]', { hasText: 'got it, thanks' }).waitFor();
    assert.deepEqual([...ann.errors, ...bob.errors], []);
  } finally {
    await flow.closeAll(ann, bob);
  }
});
