import assert from 'node:assert/strict';
import { test } from 'node:test';
import { b3sum, core, randomBytes, textBytes } from './core_loader.mjs';
import { runTransfer } from './transfer_harness.mjs';

const MiB = 1024 * 1024;

function assertIntact(result, source) {
  assert.equal(result.senderError, undefined, JSON.stringify(result.senderError));
  assert.equal(result.receiverError, undefined, JSON.stringify(result.receiverError));
  assert.ok(Buffer.from(result.output).equals(Buffer.from(source)), 'received bytes differ');
  const expected = b3sum(source);
  assert.equal(result.rootHex, expected);
  assert.equal(result.senderRootHex, expected);
  assert.equal(result.completedSize, source.length, 'completion names the verified size');
}

test('transfer (wasm): sizes 0, 1, one block, one block + 1 and 5 MiB + 3 arrive intact', async () => {
  for (const size of [0, 1, MiB, MiB + 1, 5 * MiB + 3]) {
    const source = randomBytes(size, size);
    const result = await runTransfer(core, source);
    assertIntact(result, source);
    assert.equal(result.blocksRead, Math.ceil(size / MiB), 'each block read once');
  }
});

test('transfer (wasm): compressible text crosses the channel compressed', async () => {
  const source = textBytes(8 * MiB, 4);
  const result = await runTransfer(core, source);
  assertIntact(result, source);
  assert.ok(result.wireBytes < source.length / 3, `wire ${result.wireBytes} for ${source.length}`);
});

test('transfer (wasm): owned write copies (the default) and opt-in write views both arrive intact', async () => {
  const source = randomBytes(3 * MiB + 7, 12);
  for (const writeViews of [false, true]) {
    const result = await runTransfer(core, source, { writeViews });
    assertIntact(result, source);
  }
});

test('transfer (wasm): a flipped byte is caught by BLAKE3 and the block sent again', async () => {
  const source = randomBytes(4 * MiB + 100, 8);
  const result = await runTransfer(core, source, { flipBinaryMessage: { index: 20, offset: 4000 } });
  assertIntact(result, source);
  assert.ok(result.receiverProgress.blocksResent >= 1);
});

test('transfer (wasm): a dropped connection resumes and re-sends only the missing blocks', async () => {
  const source = randomBytes(12 * MiB + 5, 9);
  const framesPerBlock = Math.ceil(MiB / (65536 - 60));
  const result = await runTransfer(core, source, { dropAfterFrames: 5 * framesPerBlock + 3 });
  assertIntact(result, source);
  assert.equal(result.drops, 1);
  // Blocks verified before the cut were sent exactly once; only what was in flight came twice.
  const verifiedBlocks = result.verifiedAtDrop / MiB;
  assert.ok(verifiedBlocks >= 3, `verified before the cut: ${verifiedBlocks}`);
  for (let block = 0; block < verifiedBlocks; block += 1) assert.equal(result.firstFragments.get(block), 1);
  const deliveries = [...result.firstFragments.values()].reduce((a, b) => a + b, 0);
  assert.ok(deliveries <= 13 + 8, `${deliveries} block deliveries for 13 blocks`);
});

test('transfer (wasm): frames respect a small maximum message size', async () => {
  const source = randomBytes(MiB + 17, 10);
  const result = await runTransfer(core, source, { maxMessageBytes: 16 * 1024 });
  assertIntact(result, source);
  assert.ok(result.maxMessage <= 16 * 1024);
});

test('transfer (wasm): no embind objects or handles leak', async () => {
  const handlesBefore = core.count_emval_handles();
  const objectsBefore = core.liveObjectCount();
  const source = randomBytes(2 * MiB + 1, 11);
  assertIntact(await runTransfer(core, source), source);
  assert.equal(core.liveObjectCount(), objectsBefore);
  assert.equal(core.count_emval_handles(), handlesBefore);
});

test('receiver (wasm): a malformed offer or frame is a clear error, never a crash', () => {
  const bad = new core.Receiver('{"v":1,"type":"offer","transfer":1,"name":"../x","size":1,"mtime_ms":0}', {});
  try {
    assert.equal(bad.status().ok, false);
  } finally {
    bad.delete();
  }
  const sender = new core.Sender({ name: 'a.bin', size: 10, mtimeMs: 1 }, {});
  const addStatus = sender.addPeer(1, 3, 65536);
  assert.equal(addStatus.ok, true);
  const read = sender.nextAction();
  assert.equal(read.type, 'read');
  sender.onRead(read.block, new Uint8Array(10));
  const offer = sender.nextAction();
  assert.equal(offer.type, 'control');
  sender.delete();
  const receiver = new core.Receiver(offer.text, {});
  try {
    assert.equal(receiver.status().ok, true);
    receiver.accept();
    for (const frame of [new Uint8Array(0), new Uint8Array(59), new Uint8Array(200).fill(7)]) {
      const status = receiver.onFrame(frame);
      assert.equal(status.ok, false);
      assert.match(status.name, /truncated|unknown_type|unsupported_version|length_mismatch/);
    }
    assert.equal(receiver.progress().completed, false);
  } finally {
    receiver.delete();
  }
});

// One block through a Sender and a Receiver by hand; returns the receiver's write action.
function oneBlockWrite(receiverConfig, bytes) {
  const sender = new core.Sender({ name: 'w.bin', size: bytes.length, mtimeMs: 1 }, {});
  const receiver = { value: null };
  try {
    assert.equal(sender.addPeer(1, 4, 65536).ok, true);
    const read = sender.nextAction();
    sender.onRead(read.block, bytes.subarray(read.offset, read.offset + read.length));
    const offer = sender.nextAction();
    receiver.value = new core.Receiver(offer.text, receiverConfig);
    receiver.value.accept();
    assert.equal(sender.onControl(1, receiver.value.nextAction().text).ok, true);
    for (let frame = sender.nextFrame(1); frame !== null; frame = sender.nextFrame(1)) {
      assert.equal(receiver.value.onFrame(frame).ok, true);
    }
    return { receiver: receiver.value, write: receiver.value.nextAction() };
  } catch (e) {
    receiver.value?.delete();
    throw e;
  } finally {
    sender.delete();
  }
}

test('receiver (wasm): a write is an owned copy by default, a view of WASM memory with writeViews', () => {
  const bytes = randomBytes(200 * 1024, 13);
  const owned = oneBlockWrite({}, bytes);
  try {
    assert.equal(owned.write.type, 'write');
    assert.equal(owned.write.bytes.byteLength, bytes.length);
    assert.equal(owned.write.bytes.buffer.byteLength, bytes.length, 'its own buffer');
    assert.equal(owned.receiver.writeView(owned.write.block), null, 'no views unless asked for');
    assert.ok(Buffer.from(owned.write.bytes).equals(Buffer.from(bytes)));
  } finally {
    owned.receiver.delete();
  }

  const viewed = oneBlockWrite({ writeViews: true }, bytes);
  try {
    const { write, receiver } = viewed;
    assert.equal(write.type, 'write');
    assert.ok(write.bytes.buffer.byteLength > bytes.length, 'a view into WASM memory');
    assert.ok(Buffer.from(write.bytes).equals(Buffer.from(bytes)));
    const again = receiver.writeView(write.block);
    assert.equal(again.byteOffset, write.bytes.byteOffset, 'the same bytes until the write is done');
    receiver.onWriteDone(write.block);
    assert.equal(receiver.writeView(write.block), null, 'released once the write is done');
  } finally {
    viewed.receiver.delete();
  }
});
