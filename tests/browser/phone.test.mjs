// The room on a phone, in real Chromium against the real server: two people on 390 px and 320 px
// touch screens (the narrow one in Dutch). An offer of a folder with a long path and a file with a
// very long name comes to the receiver as a notice at the top of the room (big Accept and
// Decline), in the tab title and, with the tab hidden and notifications allowed, as a system
// notification; it arrives verified. Then no page scrolls sideways, every control is at least
// 44 px high, and files pasted or dropped anywhere on the page are offered.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as flow from './room_flow.mjs';
import { roomSuite } from './service.mjs';
import { b3sum, incomingBatch, until } from './transfer_steps.mjs';

const suite = roomSuite('cieloweb-phone-');

// 60 bytes, within the display-name limit (64), and no space to break at.
const LONG_PERSON = 'Alexandra_van_den_Berg-Oosterhuis_from_the_design_department';
const LONG_FILE = `${'quarterly-report-with-a-name-that-never-ends-'.repeat(3)}final.txt`;
const LONG_FOLDER = ['projects-of-the-whole-department-2024', 'subfolder-with-another-very-long-name'];
const TARGET = 'button, input, select, a[role=button]';

// A phone: a touch screen `width` px wide at twice the pixel density.
async function phone(name, width, { locale = 'en-US', prepare = null } = {}) {
  const context = await suite.browser.newContext({
    locale,
    viewport: { width, height: 740 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  });
  if (prepare) await prepare(context);
  const peer = await flow.preparePeer(context, name);
  return { ...peer, width };
}

// Test-side instrumentation: a Notification that records instead of showing (permission
// 'default' until requestPermission is called), and a tab the test can mark hidden.
async function fakeNotifications(context) {
  await context.addInitScript(() => {
    const record = { shown: [], asked: 0, hidden: false };
    let permission = 'default';
    window.Notification = class {
      static get permission() {
        return permission;
      }
      static async requestPermission() {
        record.asked += 1;
        permission = 'granted';
        return permission;
      }
      constructor(title, options = {}) {
        record.shown.push({ title, body: options.body });
      }
      close() {}
    };
    Object.defineProperty(Document.prototype, 'visibilityState', {
      configurable: true,
      get: () => (record.hidden ? 'hidden' : 'visible'),
    });
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => record.hidden });
    window.testNotifications = record;
  });
}

// The page is no wider than the screen. Under mobile emulation a wider page makes the browser
// zoom out (window.innerWidth grows with it), so the screen's width is the measure.
async function assertNoSidewaysScroll(peer, where) {
  const m = await peer.page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(m.scrollWidth <= peer.width, `${where} at ${peer.width} px is ${m.scrollWidth} px wide`);
  assert.equal(m.innerWidth, peer.width, `${where}: the browser zoomed out to ${m.innerWidth} px`);
}

// Every visible control on the page is a touch target of at least 44 px.
async function assertTouchTargets(peer, where) {
  const small = await peer.page.evaluate((selector) => {
    const visible = (e) => e.checkVisibility({ visibilityProperty: true }) && e.getClientRects().length > 0;
    return [...document.querySelectorAll(selector)]
      .filter(visible)
      .map((e) => ({
        what: `${e.tagName} ${e.dataset.testid ?? e.id ?? ''}`,
        height: e.getBoundingClientRect().height,
      }))
      .filter((c) => c.height < 44);
  }, TARGET);
  assert.deepEqual(small, [], `${where}: controls under 44 px at ${peer.width} px`);
}

// A top-level box of the page, measured with the page scrolled to its top.
async function box(page, selector) {
  await page.evaluate(() => window.scrollTo(0, 0));
  return page.locator(selector).first().boundingBox();
}

test('on phones: an offer comes to the top of the room and into the title, arrives verified; no sideways scrolling, 44 px targets, paste and drop anywhere send', async () => {
  const alexandra = await phone(LONG_PERSON, 390);
  const bram = await phone('Bram', 320, { locale: 'nl-NL', prepare: fakeNotifications });
  try {
    const url = await flow.createRoom(alexandra, suite.service.origin);
    await flow.joinRoom(bram, url);
    await flow.waitReadyForFiles(alexandra, bram);
    const plainTitle = await bram.page.title();
    assert.doesNotMatch(plainTitle, /^\(/);

    // On a touch screen the room says "choose", not "drop".
    assert.equal(await bram.page.locator('[data-i18n=roomChooseHint]').isVisible(), true);
    assert.equal(await bram.page.locator('[data-i18n=roomDropHint]').isVisible(), false);
    assert.match(await bram.page.locator('[data-i18n=roomChooseHint]').textContent(), /^Kies bestanden/);

    // Notifications are asked for only when the person taps the control, never on load.
    const notify = bram.page.locator('[data-testid=notify-offers]');
    assert.equal(await notify.count(), 1, 'a control to allow notifications');
    assert.equal(await bram.page.evaluate(() => window.testNotifications.asked), 0, 'asked on load');
    await notify.tap();
    await notify.waitFor({ state: 'hidden' });
    assert.equal(await bram.page.evaluate(() => window.testNotifications.asked), 1);

    // With Bram's tab in the background, Alexandra offers a folder with a long path.
    await bram.page.evaluate(() => {
      window.testNotifications.hidden = true;
    });
    const folder = path.join(suite.dir, ...LONG_FOLDER);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, LONG_FILE), 'the numbers, at last\n');
    writeFileSync(path.join(folder, 'notes.txt'), 'see the report\n');
    await alexandra.page.setInputFiles('[data-testid=room-folder-input]', path.join(suite.dir, LONG_FOLDER[0]));
    const offer = incomingBatch(bram, LONG_FILE);
    await offer.waitFor();

    // The offer is the first thing in Bram's room: above the invite and the people panels.
    assert.equal(await bram.page.locator('[data-testid=incoming-offers]').locator(offer).count(), 1);
    const notice = await box(bram.page, '[data-testid=incoming-offers] [data-testid=transfer-batch]');
    for (const panel of ['main.room > .share', 'main.room > .peers', '[data-testid=room-drop-zone]']) {
      const other = await box(bram.page, panel);
      assert.ok(notice.y + notice.height <= other.y, `the offer (${JSON.stringify(notice)}) is above ${panel}`);
    }
    assert.match(await offer.locator('header').textContent(), new RegExp(`${LONG_PERSON} wil u 2 bestanden sturen`));
    for (const button of ['accept-batch', 'decline-batch']) {
      const b = await offer.locator(`[data-testid=${button}]`).boundingBox();
      assert.ok(b.height >= 44 && b.width >= 44, `${button} is ${b.width}×${b.height} px`);
    }
    assert.match(await bram.page.title(), /^\(1\) /);
    assert.equal(await bram.page.title(), `(1) ${plainTitle}`);
    const shown = await bram.page.evaluate(() => window.testNotifications.shown);
    assert.equal(shown.length, 1, 'one system notification while the tab was hidden');
    assert.equal(shown[0].title, `${LONG_PERSON} wil u 2 bestanden sturen`);

    await bram.page.evaluate(() => {
      window.testNotifications.hidden = false;
    });
    await offer.locator('[data-testid=accept-batch]').tap();
    for (const name of [LONG_FILE, 'notes.txt']) {
      const p = [...LONG_FOLDER, name].join('/');
      const hash = bram.page.locator(`[data-testid=file-hash][data-path="${p}"]`);
      await hash.waitFor();
      assert.equal(await hash.textContent(), b3sum(path.join(folder, name)), `${name} arrived verified`);
    }
    assert.equal(await bram.page.title(), plainTitle, 'the title is plain again once nothing waits');
    await alexandra.page
      .locator('[data-testid=transfer-batch][data-direction=out] [data-testid=file-hash]')
      .first()
      .waitFor();

    // Long names, paths and hashes wrap: neither room scrolls sideways, and every control is a
    // touch target.
    for (const peer of [alexandra, bram]) {
      await assertNoSidewaysScroll(peer, 'the room');
      await assertTouchTargets(peer, 'the room');
    }

    // A file pasted anywhere on the page is offered once Send is pressed; pasted text waits in the
    // chat input for Send.
    await alexandra.page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['from the clipboard\n'], 'pasted-note.txt', { type: 'text/plain' }));
      document.body.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    });
    // Nothing goes out before Send: a clipboard may hold what was never meant for the room.
    await alexandra.page.waitForSelector('[data-testid=paste-ask]');
    assert.equal(await incomingBatch(bram, 'pasted-note.txt').count(), 0, 'offered before Send');
    await alexandra.page.locator('[data-testid=paste-send]').tap();
    await incomingBatch(bram, 'pasted-note.txt').waitFor();
    assert.equal(await bram.page.title(), `(1) ${plainTitle}`);
    await incomingBatch(bram, 'pasted-note.txt').locator('[data-testid=decline-batch]').tap();
    await until(bram, () => !document.title.startsWith('('));
    await alexandra.page.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'a line from the clipboard');
      document.body.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    });
    assert.equal(await alexandra.page.inputValue('[data-testid=chat-input]'), 'a line from the clipboard');
    assert.equal(await alexandra.page.locator('[data-testid=chat-message]').count(), 0, 'pasted text is not sent');

    // A sender offering again and again while Bram's tab is hidden: the title counts every offer,
    // but only a few notifications reach his screen (one sender cannot flood it).
    await bram.page.evaluate(() => {
      window.testNotifications.hidden = true;
    });
    const shownBefore = await bram.page.evaluate(() => window.testNotifications.shown.length);
    const spam = [];
    for (let i = 0; i < 6; i++) {
      const file = path.join(suite.dir, `again-${i}.txt`);
      writeFileSync(file, `offer ${i}\n`);
      spam.push(file);
      await alexandra.page.setInputFiles('[data-testid=room-file-input]', file);
      await incomingBatch(bram, path.basename(file)).waitFor();
    }
    assert.equal(await bram.page.title(), `(6) ${plainTitle}`);
    const raised = (await bram.page.evaluate(() => window.testNotifications.shown.length)) - shownBefore;
    assert.ok(raised >= 1 && raised <= 3, `${raised} notifications for 6 offers from one sender`);
    await bram.page.evaluate(() => {
      window.testNotifications.hidden = false;
    });
    for (const file of spam) {
      await incomingBatch(bram, path.basename(file)).locator('[data-testid=decline-batch]').tap();
    }
    await until(bram, () => !document.title.startsWith('('));

    // Files dropped on the page, outside the drop zone, are offered too.
    const dropped = await bram.page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['dropped\n'], 'dropped-on-the-page.txt', { type: 'text/plain' }));
      return document.body.dispatchEvent(
        new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
      );
    });
    assert.equal(dropped, false, 'the page took the drop (the browser would have opened the file)');
    await incomingBatch(alexandra, 'dropped-on-the-page.txt').waitFor();
    assert.deepEqual([...alexandra.errors, ...bram.errors], []);
  } finally {
    await flow.closeAll(alexandra, bram);
  }
});

test('on a 320 px phone the other pages do not scroll sideways either, and their controls are 44 px', async () => {
  const visitor = await phone('Visitor', 320);
  try {
    for (const page of ['/', '/privacy', '/signin', '/account']) {
      await visitor.page.goto(`${suite.service.origin}${page}`);
      await visitor.page.waitForSelector('#app > *');
      await assertNoSidewaysScroll(visitor, page);
      await assertTouchTargets(visitor, page);
    }
    await visitor.page.goto(`${suite.service.origin}/`);
    // The landing is mounted by the page's router after the load event: wait until it is there.
    const hint = visitor.page.locator('[data-i18n=chooseHint]');
    await hint.waitFor({ state: 'attached' });
    assert.equal(await hint.isVisible(), true, 'the landing says choose');
  } finally {
    await flow.closeAll(visitor);
  }
});
