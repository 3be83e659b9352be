// A hostile peer in the room (it holds the key and passes the room proof) against a victim running
// the real app: each test mounts one attack from a real page, through the app's own WASM core
// (hostile_sender.mjs), and checks the promise that must hold: a file shown as verified is exactly
// the sender's file, what the person accepted is what is written, one peer's bad input costs the
// victim bounded memory and fails only that peer's transfer, files for one person go to no one
// else, and a flood cannot grow the victim's page without bound.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { takeOverWorker } from './hostile_sender.mjs';
import * as flow from './room_flow.mjs';
import { roomSuite } from './service.mjs';
import { b3sum, eventually, incomingBatch, savedHash } from './transfer_steps.mjs';

const MiB = 1024 * 1024;
const suite = roomSuite('cieloweb-hostile-');

// Alice (the victim) and Mallory (hostile) in one room, Mallory's transfer worker taken over.
async function victimAndMallory(extra = []) {
  const alice = await flow.newPeer(suite.browser, 'Alice');
  const mallory = await flow.newPeer(suite.browser, 'Mallory');
  const others = [];
  for (const name of extra) others.push(await flow.newPeer(suite.browser, name));
  const url = await flow.createRoom(alice, suite.service.origin);
  for (const p of [mallory, ...others]) await flow.joinRoom(p, url);
  for (const p of [mallory, ...others]) await flow.waitReadyForFiles(alice, p);
  const worker = await takeOverWorker(mallory);
  const aliceId = await worker.evaluate(() => hostile.to('Alice'));
  const inWorker = (fn, arg) => worker.evaluate(fn, arg);
  return { alice, mallory, others, worker, aliceId, inWorker };
}

const batchMessage = (batch, files) => JSON.stringify({ v: 1, type: 'batch', batch, files });
// What the victim told Mallory about one transfer, in order.
const repliesFor = (inWorker, transfer) =>
  inWorker((t) => hostile.received.filter((m) => m.transfer >>> 0 === t).map((m) => m.type), transfer);
const snapshot = (peer) => peer.page.evaluate(() => __cieloweb.engine.snapshot());

test('a restart into a different file fails it; a same-size restart is asked again, and the saved file is the one shown as verified', async () => {
  const { alice, mallory, inWorker, aliceId } = await victimAndMallory();
  try {
    // F: 4 MiB + 5, of which Mallory lets only two blocks go; then a "restart" into X, 1 MiB + 3.
    const T1 = 7001;
    const F = 4 * MiB + 5;
    await inWorker(
      ([to, t, size, msg]) => {
        hostile.sendText(to, msg);
        hostile.start(to, { transfer: t, name: 'splice.bin', size, seed: 1, readBlocks: 2 });
      },
      [aliceId, T1, F, batchMessage('splice1', [{ transfer: T1, path: 'splice.bin', size: F }])],
    );
    await incomingBatch(alice, 'splice.bin').locator('[data-testid=accept-batch]').click();
    await eventually(
      async () => (await inWorker((t) => hostile.progress(t).bytesAcked, T1)) >= 2 * MiB,
      'two blocks acked',
    );
    await inWorker(
      ([t, size]) =>
        hostile.replace(t, { name: 'splice.bin', size, seed: 2, patchOffer: 'offer.restart = true; return offer;' }),
      [T1, MiB + 3],
    );
    const row = alice.page.locator('[data-testid=transfer-file][data-path="splice.bin"]');
    await row.locator('[data-failed=true]').waitFor({ timeout: 15000 });
    assert.equal(await row.getAttribute('data-reason'), 'replaced_by_other_file');
    assert.equal(await row.locator('[data-testid=file-hash]').count(), 0, 'nothing shown as verified');
    assert.equal(await row.locator('[data-testid=save-link]').count(), 0, 'nothing to save');
    assert.ok(
      (await repliesFor(inWorker, T1)).some((type) => type === 'cancel' || type === 'error'),
      'Mallory was told',
    );

    // A restart into another file of the same name and size: the old bytes are discarded and the
    // person is asked again; nothing of X is taken before that Accept.
    const T2 = 7002;
    const S = 3 * MiB + 1;
    await inWorker(
      ([to, t, size, msg]) => {
        hostile.sendText(to, msg);
        hostile.start(to, { transfer: t, name: 'same.bin', size, seed: 3, readBlocks: 1 });
      },
      [aliceId, T2, S, batchMessage('splice2', [{ transfer: T2, path: 'same.bin', size: S }])],
    );
    const offer = incomingBatch(alice, 'same.bin');
    await offer.locator('[data-testid=accept-batch]').click();
    await eventually(async () => (await inWorker((t) => hostile.progress(t).bytesAcked, T2)) >= MiB, 'one block acked');
    await inWorker(
      ([t, size]) =>
        hostile.replace(t, { name: 'same.bin', size, seed: 4, patchOffer: 'offer.restart = true; return offer;' }),
      [T2, S],
    );
    await offer.locator('[data-testid=accept-batch]').waitFor({ timeout: 15000 });
    const acceptsBefore = (await repliesFor(inWorker, T2)).filter((type) => type === 'accept').length;
    assert.equal(acceptsBefore, 1, 'the new version is not accepted before the person says so');
    await offer.locator('[data-testid=accept-batch]').click();
    const expected = await inWorker(([size, seed]) => hostile.hashOf(size, seed), [S, 4]);
    const shown = alice.page.locator('[data-testid=file-hash][data-path="same.bin"]');
    await shown.waitFor({ timeout: 30000 });
    assert.equal(await shown.textContent(), expected, 'verified as the new version');
    assert.equal(
      await savedHash(alice.page, 'same.bin', suite.dir),
      expected,
      'the saved bytes are the ones shown as verified',
    );
    assert.deepEqual(alice.errors, []);
  } finally {
    await flow.closeAll(alice, mallory);
  }
});

test('a batch announcing 10 B whose offer claims 2 GiB is refused, not accepted', async () => {
  const { alice, mallory, inWorker, aliceId } = await victimAndMallory();
  try {
    // The batch first; once Alice accepted 10 B, the offer for the same file claims 2 GiB.
    const T = 7101;
    await inWorker(
      ([to, msg]) => hostile.sendText(to, msg),
      [aliceId, batchMessage('bait', [{ transfer: T, path: 'small.txt', size: 10 }])],
    );
    await incomingBatch(alice, 'small.txt').locator('[data-testid=accept-batch]').click();
    await inWorker(
      ([to, t]) => {
        hostile.start(to, {
          transfer: t,
          name: 'small.txt',
          size: 10,
          seed: 5,
          patchOffer: 'offer.size = 2147483648; return offer;',
        });
      },
      [aliceId, T],
    );
    const row = alice.page.locator('[data-testid=transfer-file][data-path="small.txt"]');
    await row.locator('[data-failed=true]').waitFor({ timeout: 15000 });
    assert.equal(await row.getAttribute('data-reason'), 'size_differs');
    await eventually(
      async () => (await repliesFor(inWorker, T)).includes('reject'),
      'a reject for the 2 GiB offer',
      10000,
    );
    assert.ok(!(await repliesFor(inWorker, T)).includes('accept'), 'never accepted');
    assert.deepEqual(alice.errors, []);
  } finally {
    await flow.closeAll(alice, mallory);
  }
});

test('offers of 2^50 bytes in 16 MiB blocks are declined cleanly, and a file from another person still arrives', async () => {
  const {
    alice,
    mallory,
    others: [bob],
    inWorker,
    aliceId,
  } = await victimAndMallory(['Bob']);
  try {
    const T = 7201;
    const huge = 2 ** 50;
    await inWorker(
      ([to, t, msg]) => {
        hostile.sendText(to, msg);
        hostile.start(to, {
          transfer: t,
          name: 'huge.bin',
          size: 10,
          seed: 6,
          patchOffer: 'offer.size = 1125899906842624; offer.block_size = 16777216; return offer;',
        });
      },
      [aliceId, T, batchMessage('huge', [{ transfer: T, path: 'huge.bin', size: huge }])],
    );
    const batch = incomingBatch(alice, 'huge.bin');
    await batch.waitFor({ timeout: 15000 });
    // Declined before anyone can accept it (the core's bookkeeping cap, and the storage check):
    // the same decline a person's click makes, which made the core abort before.
    await eventually(
      async () => (await repliesFor(inWorker, T)).includes('reject'),
      'the decline reaching Mallory',
      10000,
    );
    assert.equal(
      await batch.locator('[data-testid=accept-batch], [data-testid=decline-batch]').count(),
      0,
      'the offer does not stay open on screen',
    );

    // The engine is intact: Bob's file arrives and verifies.
    const file = path.join(suite.dir, 'from-bob.bin');
    writeFileSync(file, randomBytes(MiB + 17));
    await bob.page.selectOption('[data-testid=peer-select]', { label: 'Alice' });
    await bob.page.setInputFiles('[data-testid=room-file-input]', file);
    await incomingBatch(alice, 'from-bob.bin').locator('[data-testid=accept-batch]').click();
    const shown = alice.page.locator('[data-testid=file-hash][data-path="from-bob.bin"]');
    await shown.waitFor({ timeout: 30000 });
    assert.equal(await shown.textContent(), b3sum(file));
    assert.ok(!alice.logs.some((l) => /Aborted/.test(l)), alice.logs.filter((l) => /Aborted/.test(l)).join('\n'));
  } finally {
    await flow.closeAll(alice, mallory, bob);
  }
});

test('100 files each opened and never finished hold at most a few receivers at a time', async () => {
  const { alice, mallory, inWorker, aliceId } = await victimAndMallory();
  try {
    // Two 16 KiB blocks per file; Mallory sends the first block of each file it is asked for and
    // never the second.
    const files = Array.from({ length: 100 }, (_, i) => ({
      transfer: 7300 + i,
      path: `stuck/f${String(i).padStart(3, '0')}.bin`,
      size: 20000,
    }));
    await inWorker(
      ([to, list, msg]) => {
        hostile.sendText(to, msg);
        for (const f of list)
          hostile.start(to, {
            transfer: f.transfer,
            name: f.path,
            size: f.size,
            seed: f.transfer,
            blockSize: 16384,
            readBlocks: 1,
          });
      },
      [aliceId, files, batchMessage('stuck', files)],
    );
    await incomingBatch(alice, '100').locator('[data-testid=accept-batch]').click();
    let most = 0;
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      const active = (await snapshot(alice)).incoming.filter(
        (i) => i.state === 'starting' || i.state === 'receiving',
      ).length;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 100));
    }
    const accepted = new Set(
      await inWorker(() => hostile.received.filter((m) => m.type === 'accept').map((m) => m.transfer)),
    );
    assert.ok(most >= 1, 'some files started');
    assert.ok(most <= 4, `at most 4 files receiving at once, saw ${most}`);
    assert.ok(accepted.size <= 4, `at most 4 files accepted while none finishes, saw ${accepted.size}`);
    assert.deepEqual(alice.errors, []);
  } finally {
    await flow.closeAll(alice, mallory);
  }
});

test('a file for one chosen person never goes to a namesake who joins after they left', async () => {
  const alice = await flow.newPeer(suite.browser, 'Alice');
  const bob = await flow.newPeer(suite.browser, 'Bob');
  const carol = await flow.newPeer(suite.browser, 'Carol');
  let namesake = null;
  try {
    const url = await flow.createRoom(alice, suite.service.origin);
    for (const p of [bob, carol]) await flow.joinRoom(p, url);
    for (const p of [bob, carol]) await flow.waitReadyForFiles(alice, p);
    const file = path.join(suite.dir, 'for-bob.bin');
    writeFileSync(file, randomBytes(2 * MiB));
    await alice.page.selectOption('[data-testid=peer-select]', { label: 'Bob' });
    await alice.page.setInputFiles('[data-testid=room-file-input]', file);
    await incomingBatch(bob, 'for-bob.bin').waitFor();
    await bob.context.close(); // Bob leaves without accepting: the file stays unfinished for him
    await flow.peerItem(alice.page, 'Bob').waitFor({ state: 'detached', timeout: 30000 });

    // Someone else takes the name "Bob" (a fresh tab: no secret of Bob's).
    namesake = await flow.newPeer(suite.browser, 'Bob');
    await flow.joinRoom(namesake, url);
    await flow.waitReadyForFiles(alice, namesake);
    const deadline = Date.now() + 6000;
    while (Date.now() < deadline) {
      assert.equal(await incomingBatch(namesake, 'for-bob.bin').count(), 0, "the namesake was offered Bob's file");
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await incomingBatch(carol, 'for-bob.bin').count(), 0);
  } finally {
    await flow.closeAll(alice, carol, ...(namesake ? [namesake] : []));
  }
});

test('a peer flooding the chat grows the page by at most the 500 newest messages', async () => {
  const { alice, mallory } = await victimAndMallory();
  try {
    await mallory.page.evaluate(() => {
      const form = document.querySelector('[data-testid=chat-input]').form;
      for (let i = 0; i < 620; i += 1) {
        document.querySelector('[data-testid=chat-input]').value = `flood ${i}`;
        form.requestSubmit();
      }
    });
    await alice.page.locator('[data-testid=chat-message]', { hasText: 'flood 619' }).waitFor();
    assert.equal(await alice.page.locator('[data-testid=chat-message]').count(), 500);
    assert.equal(
      await alice.page.locator('[data-testid=chat-text]', { hasText: /^flood 0$/ }).count(),
      0,
      'the oldest left the page',
    );
  } finally {
    await flow.closeAll(alice, mallory);
  }
});
