// Received files stay in the origin's storage (OPFS) until the person removes them: the room shows
// how much they take, removing a batch from the list deletes its files, "Clear received files"
// deletes every file not still arriving, and a batch that cannot fit is refused before Accept.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as flow from './room_flow.mjs';
import { roomSuite } from './service.mjs';
import { eventually, incomingBatch, opfsEntries } from './transfer_steps.mjs';

const MiB = 1024 * 1024;
const suite = roomSuite('cieloweb-storage-');

async function pair() {
  const alice = await flow.newPeer(suite.browser, 'Alice');
  const bob = await flow.newPeer(suite.browser, 'Bob');
  const url = await flow.createRoom(alice, suite.service.origin);
  await flow.joinRoom(bob, url);
  await flow.waitReadyForFiles(alice, bob);
  return [alice, bob];
}

function source(name, size) {
  const file = path.join(suite.dir, name);
  writeFileSync(file, randomBytes(size));
  return file;
}

const usageBytes = async (peer) => Number(await peer.page.getAttribute('[data-testid=storage-usage]', 'data-bytes'));

const opfsFiles = (page) => opfsEntries(page, { filesOnly: true });

test('the room shows what received files take; removing a batch deletes its files; clearing deletes the rest', async () => {
  const [alice, bob] = await pair();
  try {
    for (const [name, size] of [
      ['first.bin', 3 * MiB],
      ['second.bin', 2 * MiB],
    ]) {
      await alice.page.setInputFiles('[data-testid=room-file-input]', source(name, size));
      await incomingBatch(bob, name).locator('[data-testid=accept-batch]').click();
      await bob.page.locator(`[data-testid=file-hash][data-path="${name}"]`).waitFor({ timeout: 30000 });
    }
    await eventually(async () => (await usageBytes(bob)) === 5 * MiB, 'the usage line to show both files');
    assert.match(await bob.page.textContent('[data-testid=storage-usage]'), /5(\.0)? MiB/);

    await incomingBatch(bob, 'first.bin').locator('[data-testid=dismiss-batch]').click();
    await incomingBatch(bob, 'first.bin').waitFor({ state: 'detached' });
    await eventually(async () => (await usageBytes(bob)) === 2 * MiB, 'the usage line to drop the removed batch');
    const left = await opfsFiles(bob.page);
    assert.ok(!left.some((f) => f.endsWith('first.bin')), left.join(' '));
    assert.ok(
      left.some((f) => f.endsWith('second.bin')),
      left.join(' '),
    );

    await bob.page.click('[data-testid=clear-received]');
    await eventually(async () => (await usageBytes(bob)) === 0, 'the usage line to show nothing kept');
    assert.equal(await bob.page.locator('[data-testid=transfer-batch][data-direction=in]').count(), 0);
    assert.deepEqual(
      (await opfsFiles(bob.page)).filter((f) => f.startsWith('cieloweb-received/')),
      [],
    );
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
    const file = path.join(suite.dir, 'huge-for-bob.bin');
    writeFileSync(file, '');
    truncateSync(file, 2 ** 40);
    const available = await bob.page.evaluate(async () => {
      const { quota, usage } = await navigator.storage.estimate();
      return quota - usage;
    });
    assert.ok(available < 2 ** 40, `the origin may store ${available} B`);
    await alice.page.setInputFiles('[data-testid=room-file-input]', file);
    const batch = incomingBatch(bob, 'huge-for-bob.bin');
    await batch.waitFor();
    await eventually(
      async () => /needs 1 TiB/.test(await batch.locator('[data-testid=batch-status]').textContent()),
      'the refusal to be shown',
    );
    assert.equal(await batch.locator('[data-testid=accept-batch]').count(), 0, 'no Accept for what cannot fit');
    await alice.page.waitForSelector('[data-testid=transfer-file][data-path="huge-for-bob.bin"] [data-failed=true]');
    assert.equal(
      await alice.page.getAttribute('[data-testid=transfer-file][data-path="huge-for-bob.bin"]', 'data-reason'),
      'storage_full',
    );
  } finally {
    await flow.closeAll(alice, bob);
  }
});
