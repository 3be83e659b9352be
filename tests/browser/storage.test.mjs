// Received files stay in the origin's storage (OPFS) until the person removes them: the room shows
// how much they take, removing a batch from the list deletes its files, "Clear received files"
// deletes every file not still arriving, and a batch that cannot fit is refused before Accept.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import * as flow from './room_flow.mjs';
import { startService } from './service.mjs';
import { eventually } from './transfer_steps.mjs';

const MiB = 1024 * 1024;
let service;
let browser;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-storage-'));
  service = await startService();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function pair() {
  const alice = await flow.newPeer(browser, 'Alice');
  const bob = await flow.newPeer(browser, 'Bob');
  const url = await flow.createRoom(alice, service.origin);
  await flow.joinRoom(bob, url);
  await flow.waitReadyForFiles(alice, bob);
  return [alice, bob];
}

function source(name, size) {
  const file = path.join(dir, name);
  writeFileSync(file, randomBytes(size));
  return file;
}

const incoming = (peer, text) => peer.page.locator('[data-testid=transfer-batch][data-direction=in]').filter({ hasText: text });
const usageBytes = async (peer) => Number(await peer.page.getAttribute('[data-testid=storage-usage]', 'data-bytes'));

async function opfsFiles(page) {
  return page.evaluate(async () => {
    const names = [];
    async function walk(d, prefix) {
      for await (const [name, h] of d.entries()) {
        if (h.kind === 'directory') await walk(h, `${prefix}${name}/`);
        else names.push(prefix + name);
      }
    }
    await walk(await navigator.storage.getDirectory(), '');
    return names;
  });
}

test('the room shows what received files take; removing a batch deletes its files; clearing deletes the rest', async () => {
  const [alice, bob] = await pair();
  try {
    for (const [name, size] of [['first.bin', 3 * MiB], ['second.bin', 2 * MiB]]) {
      await alice.page.setInputFiles('[data-testid=room-file-input]', source(name, size));
      await incoming(bob, name).locator('[data-testid=accept-batch]').click();
      await bob.page.locator(`[data-testid=file-hash][data-path="${name}"]`).waitFor({ timeout: 30000 });
    }
    await eventually(async () => (await usageBytes(bob)) === 5 * MiB, 'the usage line to show both files');
    assert.match(await bob.page.textContent('[data-testid=storage-usage]'), /5(\.0)? MiB/);

    await incoming(bob, 'first.bin').locator('[data-testid=dismiss-batch]').click();
    await incoming(bob, 'first.bin').waitFor({ state: 'detached' });
    await eventually(async () => (await usageBytes(bob)) === 2 * MiB, 'the usage line to drop the removed batch');
    const left = await opfsFiles(bob.page);
    assert.ok(!left.some((f) => f.endsWith('first.bin')), left.join(' '));
    assert.ok(left.some((f) => f.endsWith('second.bin')), left.join(' '));

    await bob.page.click('[data-testid=clear-received]');
    await eventually(async () => (await usageBytes(bob)) === 0, 'the usage line to show nothing kept');
    assert.equal(await bob.page.locator('[data-testid=transfer-batch][data-direction=in]').count(), 0);
    assert.deepEqual((await opfsFiles(bob.page)).filter((f) => f.startsWith('cieloweb-received/')), []);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  } finally {
    await flow.closeAll(alice, bob);
  }
});

test('a batch bigger than the free storage is refused before Accept is offered, with the reason on both sides', async () => {
  const [alice, bob] = await pair();
  try {
    // 1 TiB, sparse: more than any quota this machine gives the origin (the app reads only its
    // first block before offering it).
    const file = path.join(dir, 'huge-for-bob.bin');
    writeFileSync(file, '');
    truncateSync(file, 2 ** 40);
    const available = await bob.page.evaluate(async () => {
      const { quota, usage } = await navigator.storage.estimate();
      return quota - usage;
    });
    assert.ok(available < 2 ** 40, `the origin may store ${available} B`);
    await alice.page.setInputFiles('[data-testid=room-file-input]', file);
    const batch = incoming(bob, 'huge-for-bob.bin');
    await batch.waitFor();
    await eventually(async () => /needs 1 TiB/.test(await batch.locator('[data-testid=batch-status]').textContent()), 'the refusal to be shown');
    assert.equal(await batch.locator('[data-testid=accept-batch]').count(), 0, 'no Accept for what cannot fit');
    await alice.page.waitForSelector('[data-testid=transfer-file][data-path="huge-for-bob.bin"] [data-failed=true]');
    assert.match(await alice.page.textContent('[data-testid=transfer-file][data-path="huge-for-bob.bin"]'), /too big for the chosen storage/);
  } finally {
    await flow.closeAll(alice, bob);
  }
});
