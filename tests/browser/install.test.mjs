// The installable app in real Chromium against the real server: the manifest and its icons; the
// service worker (the landing page opens offline, a repeat visit takes the core from the worker,
// /api/ never comes from a cache, nothing but the app's own files is cached); the share target (a
// file shared to the app is kept by the worker, and offered in the room the person then makes); an
// update that waits while a room is open.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import * as flow from './room_flow.mjs';
import { roomSuite, startService, webRoot } from './service.mjs';
import { b3sum, eventually, incomingBatch } from './transfer_steps.mjs';

const suite = roomSuite('cieloweb-install-');

// A fresh person's first visit to the landing page, until its service worker is active, then a
// reload: the worker leaves the page of a first visit alone and serves the next one.
async function firstVisit(origin, name = 'Installer') {
  const peer = await flow.newPeer(suite.browser, name);
  await untilServed(peer.page, `${origin}/`);
  return peer;
}

async function untilServed(page, url) {
  await page.goto(url);
  await page.waitForSelector('[data-testid=create-room]');
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null, 'a first visit was served');
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => {}));
  await page.reload();
  await page.waitForSelector('[data-testid=create-room]');
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller?.state), 'activated');
}

// What the worker's caches hold: {cache name: [paths]} (full URLs when not of this origin).
function cachedFiles(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) {
      const keys = await (await caches.open(name)).keys();
      out[name] = keys.map((r) => {
        const url = new URL(r.url);
        return url.origin === location.origin ? url.pathname + url.search : r.url;
      });
    }
    return out;
  });
}

// Width and height from a PNG's IHDR.
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

test('install: the manifest is served and valid, its icons come with their types', async () => {
  const { origin } = suite.service;
  const res = await fetch(`${origin}/manifest.webmanifest`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/manifest+json');
  const manifest = await res.json();
  assert.equal(manifest.name, 'CieloWeb Share');
  assert.ok(manifest.short_name && manifest.short_name.length <= 12, manifest.short_name);
  assert.equal(manifest.start_url, '/');
  assert.equal(manifest.scope, '/');
  assert.equal(manifest.display, 'standalone');
  assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/);
  assert.match(manifest.background_color, /^#[0-9a-f]{6}$/);
  // The browser's bar follows the colour scheme: one theme colour for each.
  const page = await (await fetch(`${origin}/`)).text();
  const themes = [
    ...page.matchAll(/<meta name="theme-color" media="\(prefers-color-scheme: (\w+)\)" content="(#[0-9a-f]{6})"/g),
  ];
  assert.deepEqual(
    themes.map((m) => m[1]),
    ['light', 'dark'],
  );
  assert.notEqual(themes[0][2], themes[1][2]);
  const purposes = new Set();
  for (const icon of manifest.icons) {
    const got = await fetch(new URL(icon.src, origin));
    assert.equal(got.status, 200, icon.src);
    assert.equal(got.headers.get('content-type'), icon.type, icon.src);
    const bytes = Buffer.from(await got.arrayBuffer());
    if (icon.type === 'image/png') assert.equal(pngSize(bytes), icon.sizes, icon.src);
    else assert.match(bytes.toString('utf8'), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    purposes.add(`${icon.type} ${icon.sizes} ${icon.purpose}`);
  }
  for (const needed of ['image/png 192x192 any', 'image/png 512x512 any', 'image/png 512x512 maskable'])
    assert.ok(purposes.has(needed), `no icon ${needed}`);
  assert.deepEqual(
    { ...manifest.share_target, params: undefined },
    { action: '/share', method: 'POST', enctype: 'multipart/form-data', params: undefined },
  );
  assert.deepEqual(manifest.share_target.params.files, [{ name: 'files', accept: ['*/*'] }]);

  // Chromium reads the same manifest from the page, without errors, and finds the app installable
  // (in a profile on disk: nothing is installable in an incognito one).
  const context = await chromium.launchPersistentContext(path.join(suite.dir, 'profile'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const peer = await flow.preparePeer(context, 'Installer');
    await untilServed(peer.page, `${origin}/`);
    const cdp = await context.newCDPSession(peer.page);
    const { url, errors } = await cdp.send('Page.getAppManifest');
    assert.equal(url, `${origin}/manifest.webmanifest`);
    assert.deepEqual(errors, []);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);
    assert.deepEqual(peer.errors, []);
  } finally {
    await context.close();
  }
});

test('install: after a first visit the landing page opens offline; /api/ never comes from a cache', async () => {
  // A server of this test's own, to be stopped: offline for real, not only as emulated.
  const service = await startService();
  let peer;
  try {
    peer = await firstVisit(service.origin);
    const { page, context } = peer;
    // The shell and nothing else: no .br/.gz copy, no /api/, /ws or /ads.txt, no other origin.
    const cached = Object.values(await cachedFiles(page)).flat();
    assert.ok(cached.includes('/new') && cached.some((p) => /^\/assets\/index-.*\.js$/.test(p)), cached.join());
    for (const p of cached) assert.doesNotMatch(p, /\.(br|gz)$|^\/(api\/|ws$|ads\.txt$)|^https?:/);
    // Online, the page's /api/ requests went to the server, past the worker.
    const api = [];
    page.on('response', (r) => new URL(r.url()).pathname.startsWith('/api/') && api.push(r));
    await page.reload();
    await page.waitForSelector('[data-testid=create-room]');
    await eventually(() => api.length > 0, 'an /api/ request of the landing page', 10000);
    for (const r of api) assert.equal(r.fromServiceWorker(), false, r.url());

    await context.setOffline(true);
    for (const target of ['/', '/privacy']) {
      const response = await page.goto(`${service.origin}${target}`);
      assert.equal(response.fromServiceWorker(), true, target);
      assert.equal(new URL(page.url()).pathname, target);
    }
    await page.goto(`${service.origin}/`);
    await page.waitForSelector('[data-testid=create-room]');
    const offlineApi = await page.evaluate(() =>
      fetch('/api/ads-config').then(
        (r) => `answered ${r.status}`,
        () => 'failed',
      ),
    );
    assert.equal(offlineApi, 'failed', '/api/ answered offline');

    // The server gone as well: the page still opens, from the worker alone.
    await context.setOffline(false);
    await service.stop();
    await page.goto(`${service.origin}/`);
    await page.waitForSelector('[data-testid=create-room]');
    assert.equal(await page.locator('[data-testid=create-room]').isEnabled(), true);
    assert.deepEqual(peer.errors, []);
  } finally {
    await peer?.context.close();
    await service.stop();
  }
});

test('install: a repeat visit takes the core from the service worker, and only its own version', async () => {
  // A copy of the build, so that the server can lose the core while the worker still has it.
  const root = path.join(suite.dir, 'site-core');
  cpSync(webRoot, root, { recursive: true, preserveTimestamps: true });
  const service = await startService(['--web-root', root]);
  let alice;
  try {
    alice = await firstVisit(service.origin, 'Alice');
    await alice.page.click('[data-testid=create-room]');
    await alice.page.waitForSelector('body[data-room=joined]', { state: 'attached' });
    const link = await flow.shareLink(alice.page);
    await alice.page.waitForSelector('body[data-transfers=ready]', { state: 'attached' });
    // The room's first use of the core left it in the worker's cache, under the build's version.
    const core = /^\/core\/cieloweb_core\.(js|wasm)\?v=[0-9a-f]{16}$/;
    await eventually(
      async () =>
        Object.values(await cachedFiles(alice.page))
          .flat()
          .filter((f) => core.test(f)).length === 2,
      'the core in the cache',
    );

    // The server no longer has the core: a repeat visit that makes a room can only have it from
    // the worker's cache.
    rmSync(path.join(root, 'core'), { recursive: true, force: true });
    const again = await alice.context.newPage();
    await again.goto(link);
    await again.waitForSelector('body[data-room=joined]', { state: 'attached' });
    await again.waitForSelector('body[data-transfers=ready]', { state: 'attached', timeout: 20000 });

    // Another version of the core (a page of another build) is never answered from this cache.
    const other = await again.evaluate(async () => (await fetch('/core/cieloweb_core.js?v=0000000000000000')).status);
    assert.equal(other, 404, 'another version of the core came from the cache');
    assert.deepEqual(alice.errors, []);
  } finally {
    await alice?.context.close();
    await service.stop();
  }
});

// What a phone's share sheet does (and what any site can do): a multipart POST of `file` to the
// share target, which the worker takes; the tab lands on /share.
async function shareToApp(page, file, { landsAs = 'waiting' } = {}) {
  await page.evaluate(() => {
    const form = document.createElement('form');
    Object.assign(form, { method: 'post', enctype: 'multipart/form-data', action: '/share' });
    form.innerHTML = '<input type="file" name="files" multiple data-testid="share-input">';
    document.body.append(form);
  });
  await page.setInputFiles('[data-testid=share-input]', file);
  await page.evaluate(() => document.querySelector('[data-testid=share-input]').form.submit());
  await page.waitForSelector(`body[data-share=${landsAs}]`, { state: 'attached' });
}

test('install: a share the device cannot keep says so, and nothing waits', async () => {
  const alice = await firstVisit(suite.service.origin, 'Alice');
  try {
    // The worker keeps shares in IndexedDB at version 1. A database already at version 2 makes that
    // open fail (VersionError), as a full or refusing storage would: the share is not kept.
    await alice.page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('cieloweb-share', 2);
          open.onsuccess = () => resolve();
          open.onerror = () => reject(open.error);
        }),
    );
    const file = path.join(suite.dir, 'not-kept.txt');
    writeFileSync(file, 'a file this device will not keep\n');
    await shareToApp(alice.page, file, { landsAs: 'not-kept' });
    assert.equal(new URL(alice.page.url()).pathname, '/share');
    assert.match(await alice.page.textContent('[data-testid=share-summary]'), /could not keep the shared files/);
    assert.equal(await alice.page.locator('[data-testid=share-create-room]').isVisible(), false);
    await alice.page.selectOption('[data-testid=language]', 'nl');
    assert.match(await alice.page.textContent('[data-testid=share-summary]'), /kon de gedeelde bestanden niet bewaren/);
    await alice.page.evaluate(() => indexedDB.deleteDatabase('cieloweb-share'));
  } finally {
    await flow.closeAll(alice);
  }
});

test('install: files posted to the share target are never offered in a room the person did not make for them', async () => {
  const alice = await firstVisit(suite.service.origin, 'Alice');
  const bob = await flow.newPeer(suite.browser, 'Bob');
  try {
    const file = path.join(suite.dir, 'planted.txt');
    writeFileSync(file, 'a file some other site posted\n');
    await shareToApp(alice.page, file);
    // Alice walks away from the share page and makes a room of her own.
    await alice.page.goto(`${suite.service.origin}/`);
    await alice.page.click('[data-testid=create-room]');
    await alice.page.waitForSelector('body[data-room=joined]', { state: 'attached' });
    await flow.joinRoom(bob, await flow.shareLink(alice.page));
    await flow.waitReadyForFiles(alice, bob);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await alice.page.locator('[data-testid=shared-ask]').count(), 0, 'the room asked about the share');
    assert.equal(await incomingBatch(bob, 'planted.txt').count(), 0, 'the planted file was offered');
  } finally {
    await flow.closeAll(alice, bob);
  }
});

test('install: a file shared to the app is offered in the room the person makes', async () => {
  const alice = await firstVisit(suite.service.origin, 'Alice');
  const bob = await flow.newPeer(suite.browser, 'Bob');
  try {
    const file = path.join(suite.dir, 'shared-note.txt');
    writeFileSync(file, `shared to the app at ${Date.now()}\n`);
    await shareToApp(alice.page, file);
    assert.equal(new URL(alice.page.url()).pathname, '/share');
    assert.match(await alice.page.textContent('[data-testid=share-file]'), /^shared-note\.txt \(/);

    await alice.page.click('[data-testid=share-create-room]');
    await alice.page.waitForSelector('body[data-room=joined]', { state: 'attached' });
    const link = await flow.shareLink(alice.page);
    await flow.joinRoom(bob, link);
    // Nothing goes out before Alice says so (any site can post files to /share).
    await alice.page.waitForSelector('[data-testid=shared-ask]', { timeout: 30000 });
    assert.equal(await incomingBatch(bob, 'shared-note.txt').count(), 0, 'offered before Alice chose to');
    await alice.page.click('[data-testid=shared-send]');
    const offer = incomingBatch(bob, 'shared-note.txt');
    await offer.waitFor({ timeout: 30000 });
    await offer.locator('[data-testid=accept-batch]').click();
    const row = `[data-testid=file-hash][data-path="shared-note.txt"]`;
    await bob.page.waitForSelector(row, { timeout: 30000 });
    assert.equal(await bob.page.textContent(row), b3sum(file));
    // Sent once: the share is gone from the device.
    const left = await alice.page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('cieloweb-share');
          open.onsuccess = () => {
            const count = open.result.transaction('shares').objectStore('shares').count();
            count.onsuccess = () => resolve(count.result);
          };
          open.onerror = () => reject(open.error);
        }),
    );
    assert.equal(left, 0);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  } finally {
    await flow.closeAll(alice, bob);
  }
});

// The shell caches of the worker's builds, as a page sees them.
const shellCaches = (page) =>
  page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith('cieloweb-shell-')));
const waitingWorker = (page) =>
  page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting));

test('install: an update waits while a room is open, then takes over and drops the old caches', async () => {
  // A copy of the build, so that a new one can be deployed under the running server.
  const root = path.join(suite.dir, 'site');
  cpSync(webRoot, root, { recursive: true, preserveTimestamps: true });
  const service = await startService(['--web-root', root]);
  let alice;
  try {
    alice = await firstVisit(service.origin, 'Alice');
    const room = alice.page;
    await room.click('[data-testid=create-room]');
    await room.waitForSelector('body[data-room=joined]', { state: 'attached' });
    const [old] = await shellCaches(room);
    assert.ok(old);

    // A new build is deployed (here: the same files under another version); a landing page in
    // another tab finds its worker, which installs.
    const worker = path.join(root, 'sw.js');
    writeFileSync(worker, readFileSync(worker, 'utf8').replace(/"version":"(\w+)"/, '"version":"$1next"'));
    const landing = await alice.context.newPage();
    await landing.goto(`${service.origin}/`);
    await landing.waitForSelector('[data-testid=create-room]');
    await landing.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
    await eventually(() => waitingWorker(landing), 'the new worker installed');
    // A room is open: the new worker waits, and the room keeps the old build's cache.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await waitingWorker(landing), true, 'the update took over with a room open');
    assert.deepEqual((await shellCaches(landing)).sort(), [old, `${old}next`].sort());

    // Every page of the old build is closed: the next visit runs the new one, the old cache gone.
    await room.close();
    await landing.close();
    const next = await alice.context.newPage();
    await next.goto(`${service.origin}/`);
    await next.waitForSelector('[data-testid=create-room]');
    await eventually(async () => !(await waitingWorker(next)), 'the new worker active');
    await eventually(async () => (await shellCaches(next)).length === 1, 'the old cache dropped');
    assert.deepEqual(await shellCaches(next), [`${old}next`]);
    assert.equal(
      await next.evaluate(() => navigator.serviceWorker.controller?.scriptURL.endsWith('/sw.js')),
      true,
      'the new visit is served by a worker',
    );
    assert.deepEqual(alice.errors, []);
  } finally {
    await alice?.context.close();
    await service.stop();
  }
});
