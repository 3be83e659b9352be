// Ads (docs/ads.md) in real Chromium against the real server, offline: every request to another
// host is recorded and refused, except Google's ad tag, which a stub stands in for. The stub brings
// a test CMP that speaks real TCF (tests/browser/fixtures/test_cmp.js), as Google's tag brings
// Google's certified CMP, and turns each pushed unit into a request to Google's ad server (recorded
// and refused), so "no ad request" is counted, not assumed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'vite';
import { launchChromium } from './chromium.mjs';
import * as flow from './room_flow.mjs';
import { projectRoot, startService } from './service.mjs';
import { b3sum, incomingBatch } from './transfer_steps.mjs';

const CLIENT = 'ca-pub-1234567890123456';
const TAG = 'https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js';
const AD_SERVER = 'https://googleads.g.doubleclick.net/pagead/ads';

// The stand-in for adsbygoogle.js: a queue that requests an ad (a frame from the ad server) for
// each unit pushed while requests are not paused; units pushed before it came are taken too.
const STUB_TAG = `
window.__adPushes = 0;
(function () {
  const queue = window.adsbygoogle || [];
  // As AdSense does: the ad is a frame from Google's ad server (which the page's frame-src admits).
  const request = () => {
    window.__adPushes += 1;
    const frame = document.createElement('iframe');
    frame.src = '${AD_SERVER}?client=${CLIENT}';
    (document.querySelector('ins.adsbygoogle') || document.body).append(frame);
  };
  const stub = { push: () => { if (!stub.pauseAdRequests) request(); }, pauseAdRequests: queue.pauseAdRequests };
  window.adsbygoogle = stub;
  for (let i = 0; i < queue.length; i += 1) stub.push(queue[i]); // units pushed before the tag came
})();`;

const CMP_SCRIPT = 'https://cmp.example.test/cmp.js';

let service;
let cmpService; // the same, with a configured CMP instead of Google's (--ads-cmp script)
let browser;
let cmpBundle;

before(async () => {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    root: projectRoot,
    build: {
      write: false,
      minify: false,
      lib: {
        entry: path.join(projectRoot, 'tests/browser/fixtures/test_cmp.js'),
        formats: ['iife'],
        name: 'testCmpBundle',
      },
    },
  });
  cmpBundle = (Array.isArray(out) ? out[0] : out).output[0].code;
  service = await startService([
    '--adsense-client',
    CLIENT,
    '--adsense-slots',
    'landing=1234567890,privacy=2345678901',
  ]);
  cmpService = await startService([
    '--adsense-client',
    CLIENT,
    '--adsense-slots',
    'landing=1234567890',
    '--ads-cmp',
    'script',
    '--ads-cmp-script',
    CMP_SCRIPT,
  ]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await service?.stop();
  await cmpService?.stop();
});

// A fresh person (new context: no stored answer). foreign: every request to another host.
// tag: what Google's tag does here: 'stub' (the stand-in), 'blocked', 'hang' (never answers) or
// 'throw' (a script that throws at once).
async function visitor({ tag = 'stub' } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const foreign = [];
  const local = (url) => ['127.0.0.1', 'localhost'].includes(new URL(url).hostname);
  await context.route(
    (url) => !local(url),
    (route) => {
      foreign.push(route.request().url());
      return route.abort();
    },
  );
  await context.route(`${TAG}?**`, (route) => {
    foreign.push(route.request().url());
    if (tag === 'blocked') return route.abort();
    if (tag === 'hang') return new Promise(() => {}); // a tag that never comes
    // Google's tag brings Google's CMP; with a configured CMP the tag comes alone.
    const withCmp = new URL(page.url()).origin === service.origin;
    const stub = withCmp ? `${cmpBundle}\n${STUB_TAG}` : STUB_TAG;
    const body = tag === 'throw' ? "throw new Error('the ad tag broke');" : stub;
    return route.fulfill({ contentType: 'text/javascript', body });
  });
  await context.route(CMP_SCRIPT, (route) => {
    foreign.push(route.request().url());
    return route.fulfill({ contentType: 'text/javascript', body: cmpBundle });
  });
  const slot = page.getByTestId('ad-slot');
  return { context, page, foreign, slot };
}

// Waits (at most 10 s) until `check()` holds: requests are recorded as the browser makes them.
async function until(check, what) {
  for (const deadline = Date.now() + 10000; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tagRequests = (foreign) => foreign.filter((url) => url.startsWith(TAG)).length;
const adRequests = (foreign) => foreign.filter((url) => url.startsWith(AD_SERVER)).length;

test('before an answer: our notice only, no request to any other host; "No ads" keeps it so', async () => {
  const { context, page, foreign, slot } = await visitor();
  try {
    await page.goto(`${service.origin}/`);
    await slot.getByTestId('ads-none').waitFor();
    assert.deepEqual(foreign, [], 'nothing may go to Google before the person answers');
    await slot.getByTestId('ads-none').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="ad-slot"]')?.hidden === true);
    await page.reload();
    await page.getByTestId('ad-settings').waitFor();
    await page.getByTestId('privacy-link').click();
    await page.getByTestId('privacy').waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.getByTestId('ads-none').count(), 0, 'the answer is remembered');
    assert.deepEqual(foreign, [], '"No ads" means no Google host at all');
    // The footer asks again.
    await page.getByTestId('ad-settings').click();
    await page.getByTestId('ads-choose').waitFor();
    assert.deepEqual(foreign, []);
  } finally {
    await context.close();
  }
});

test('consent given in the CMP: the tag, then one ad request per unit; a return visit asks no more', async () => {
  const { context, page, foreign, slot } = await visitor();
  try {
    await page.goto(`${service.origin}/`);
    await slot.getByTestId('ads-choose').click();
    await page.waitForFunction(() => typeof window.testCmp === 'object');
    assert.equal(tagRequests(foreign), 1);
    await page.waitForTimeout(300);
    assert.equal(adRequests(foreign), 0, 'no ad request while the CMP is still asking');
    await page.evaluate(() => window.testCmp.accept());
    await page.waitForFunction(() => window.__adPushes === 1);
    await until(() => adRequests(foreign) === 1, 'the ad request');
    await slot.locator('ins.adsbygoogle[data-ad-slot="1234567890"]').waitFor({ state: 'attached' });
    await page.waitForFunction(() => true);
    // The earlier answer (tcloaded) is enough on the next page load.
    await page.reload();
    await page.waitForFunction(() => window.__adPushes === 1);
    assert.equal(tagRequests(foreign), 2);
  } finally {
    await context.close();
  }
});

test('consent refused in the CMP: no unit, no ad request, the slot gone', async () => {
  const { context, page, foreign, slot } = await visitor();
  try {
    await page.goto(`${service.origin}/privacy`);
    await slot.getByTestId('ads-choose').click();
    await page.waitForFunction(() => typeof window.testCmp === 'object');
    await page.evaluate(() => window.testCmp.reject());
    await page.waitForFunction(() => document.querySelector('[data-testid="ad-slot"]')?.dataset.state === 'refused');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__adPushes), 0);
    assert.equal(adRequests(foreign), 0);
    assert.equal(await slot.isHidden(), true);
    // Refused: no cookie at all (ours are set only by a refused age check).
    assert.deepEqual(await context.cookies(), []);
    // ... and from then on no tag at all, until the person asks again.
    await page.goto(`${service.origin}/`);
    await page.getByTestId('ad-settings').waitFor();
    await page.waitForTimeout(300);
    assert.equal(tagRequests(foreign), 1, 'the tag loaded again after a refusal');
    await page.getByTestId('ad-settings').click();
    await slot.getByTestId('ads-choose').click();
    await page.waitForFunction(() => typeof window.testCmp === 'object');
    assert.equal(tagRequests(foreign), 2);
  } finally {
    await context.close();
  }
});

test('once the tag is in a page, the room and the account pages open in documents of their own', async () => {
  const { context, page, foreign, slot } = await visitor();
  try {
    await page.goto(`${service.origin}/`);
    await slot.getByTestId('ads-choose').click();
    await page.waitForFunction(() => typeof window.testCmp === 'object');
    const markDocument = () =>
      page.evaluate(() => {
        window.__sameDocument = true;
      });
    // An account page: its own document (the router would otherwise switch in place).
    await markDocument();
    await page.evaluate(() => {
      const link = Object.assign(document.createElement('a'), { href: '/account' });
      link.dataset.link = '';
      document.body.append(link);
      link.click();
    });
    await page.waitForURL(/\/account$/);
    await page.waitForFunction(() => document.body.dataset.page === 'account');
    assert.equal(await page.evaluate(() => window.__sameDocument === true), false, '/account shared the ad document');
    assert.equal(await page.evaluate(() => typeof window.adsbygoogle), 'undefined');
    // Back to the landing page (a new document: the tag again), then into a room.
    await page.goto(`${service.origin}/`);
    await page.waitForFunction(() => typeof window.testCmp === 'object');
    await markDocument();
    // The room is made in a document of its own (/new), not in the one with the tag: the key is
    // never made, nor its address handed over, where the tag runs.
    const documents = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.frame() === page.mainFrame()) documents.push(new URL(r.url()).pathname);
    });
    await page.getByTestId('create-room').click();
    await page.waitForURL(/\/r\//);
    await page.waitForFunction(() => document.body.dataset.page === 'room');
    assert.deepEqual(documents, ['/new'], 'the room was not made in a document of its own');
    const inRoom = await page.evaluate(() => ({
      sameDocument: window.__sameDocument === true,
      ads: typeof window.adsbygoogle,
      cmp: typeof window.__tcfapi,
      scripts: [...document.scripts].map((s) => s.src).filter((src) => !src.startsWith(location.origin)),
    }));
    assert.deepEqual(inRoom, { sameDocument: false, ads: 'undefined', cmp: 'undefined', scripts: [] });
    const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'));
    assert.doesNotMatch(csp, /googlesyndication|doubleclick|nonce-/);
    assert.equal(tagRequests(foreign), 2, 'the room document loaded no ad tag');
    // The key left the address bar once read; the room keeps it for a reload of this tab.
    await page.waitForSelector('body[data-room=joined]', { state: 'attached', timeout: 20000 });
    const key = new URL(await page.inputValue('[data-testid=share-link]')).hash.slice(1);
    assert.ok(key.length >= 22);
    assert.equal(await page.evaluate(() => location.hash), '');
    assert.ok(!page.url().includes(key));
    // The person names themselves in the room: kept in the room's own history entry (a reload
    // finds it), not in storage the ad page could read.
    await page.fill('[data-testid=self-name]', 'Zephyrine Quill');
    await page.press('[data-testid=self-name]', 'Enter');
    await page.reload();
    await page.waitForSelector('body[data-room=joined]', { state: 'attached', timeout: 20000 });
    assert.equal(new URL(await page.inputValue('[data-testid=share-link]')).hash.slice(1), key);
    assert.equal(await page.inputValue('[data-testid=self-name]'), 'Zephyrine Quill');
    // The ad page of the same tab, after the room: a script there looks everywhere it could reach.
    await page.goto(`${service.origin}/`);
    await page.waitForFunction(() => typeof window.testCmp === 'object');
    const reachable = await page.evaluate(() =>
      JSON.stringify({
        url: location.href,
        state: history.state,
        referrer: document.referrer,
        local: { ...localStorage },
        session: { ...sessionStorage },
        entries: performance.getEntries().map((e) => e.name),
      }),
    );
    assert.ok(!reachable.includes(key), 'a script on the ad page can read the room key');
    assert.ok(!reachable.includes('Zephyrine'), "a script on the ad page can read the person's name");
    // Back from the landing page leads to the room; back from there to the landing page before it,
    // never to /new (which would make another room).
    await page.goBack();
    await page.waitForURL(/\/r\//);
    await page.goBack();
    await page.waitForURL(`${service.origin}/`);
  } finally {
    await context.close();
  }
});

test('a blocked, hanging or throwing ad tag: nothing moves, and the room, its chat and a transfer work', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-ads-'));
  const file = path.join(dir, 'after-ads.bin');
  writeFileSync(file, randomBytes(3 * 1024 * 1024 + 7));
  const hash = b3sum(file);
  for (const tag of ['blocked', 'hang', 'throw']) {
    const { context, page, slot } = await visitor({ tag });
    const friend = await flow.newPeer(browser, 'Friend');
    try {
      await page.addInitScript(() => {
        // Layout shifts, with the elements that moved.
        window.__shifts = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries())
            for (const source of entry.sources ?? []) window.__shifts.push(source.node);
        }).observe({ type: 'layout-shift', buffered: true });
      });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${service.origin}/`);
      await slot.getByTestId('ads-choose').click();
      await page.waitForTimeout(500);
      // The working area never moved: no shift of the create button or the drop zone.
      const moved = await page.evaluate(
        () => window.__shifts.filter((node) => node?.closest?.('.hero, .hash-panel')).length,
      );
      assert.equal(moved, 0, `${tag}: the working area moved`);
      await page.getByTestId('create-room').click();
      await page.waitForSelector('body[data-room=joined]', { state: 'attached', timeout: 20000 });
      // A whole session goes on: someone joins, chat both ways, a file arrives verified.
      await flow.joinRoom(friend, await flow.shareLink(page));
      const me = { name: await page.inputValue('[data-testid=self-name]'), page, logs: [] };
      await flow.waitReadyForFiles(me, friend);
      const hello = await flow.sendChat(me, `hello with the tag ${tag}`);
      await hello.and(page.locator('[data-delivery=delivered]')).waitFor();
      const reply = await flow.sendChat(friend, `reply with the tag ${tag}`);
      await reply.and(friend.page.locator('[data-delivery=delivered]')).waitFor();
      await page.setInputFiles('[data-testid=room-file-input]', file);
      const offer = incomingBatch(friend, 'after-ads.bin');
      await offer.waitFor();
      await offer.locator('[data-testid=accept-batch]').click();
      const shown = friend.page.locator('[data-testid=file-hash][data-path="after-ads.bin"]');
      await shown.waitFor({ timeout: 60000 });
      assert.equal(await shown.textContent(), hash, `${tag}: the file`);
      assert.deepEqual(
        errors.filter((m) => !m.includes('the ad tag broke')),
        [],
        `${tag}: the page failed`,
      );
    } finally {
      await context.close();
      await friend.context.close();
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test("a configured CMP: its script first, Google's tag only after its consent", async () => {
  const cmpRequests = (foreign) => foreign.filter((url) => url === CMP_SCRIPT).length;
  for (const accept of [false, true]) {
    const { context, page, foreign, slot } = await visitor();
    try {
      await page.goto(`${cmpService.origin}/`);
      await slot.getByTestId('ads-choose').click();
      await page.waitForFunction(() => typeof window.testCmp === 'object');
      assert.equal(cmpRequests(foreign), 1);
      await page.waitForTimeout(300);
      assert.equal(tagRequests(foreign), 0, 'the tag came before consent');
      await page.evaluate((yes) => (yes ? window.testCmp.accept() : window.testCmp.reject()), accept);
      if (accept) {
        await page.waitForFunction(() => window.__adPushes === 1);
        await until(() => adRequests(foreign) === 1, 'the ad request');
        assert.equal(tagRequests(foreign), 1);
      } else {
        await page.waitForFunction(
          () => document.querySelector('[data-testid="ad-slot"]')?.dataset.state === 'refused',
        );
        await page.waitForTimeout(300);
        assert.equal(tagRequests(foreign), 0, 'a refusal means no tag at all');
        assert.equal(adRequests(foreign), 0);
      }
    } finally {
      await context.close();
    }
  }
});
