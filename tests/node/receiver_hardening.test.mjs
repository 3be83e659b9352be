// The WASM Receiver against a hostile sender, as the page sees it: offers that claim huge files,
// restarts that switch files, and the API the page uses to ask the person (again).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { core, randomBytes } from './core_loader.mjs';

const EMPTY_HASH = 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262';
const TOO_LARGE = 6;

function offerText(fields) {
  return JSON.stringify({ v: 1, type: 'offer', transfer: 7, mtime_ms: 1, first_block: EMPTY_HASH, ...fields });
}

// 2^50 bytes in 16 MiB blocks: 2^26 check values (2 GiB) if the offer allocated them.
const HUGE = offerText({ name: 'huge.bin', size: 2 ** 50, block_size: 16 * 1024 * 1024 });

function drain(receiver) {
  const actions = [];
  for (let a = receiver.nextAction(); a !== null; a = receiver.nextAction()) actions.push(a);
  return actions;
}

function withLeakCheck(body) {
  const handles = core.count_emval_handles();
  const objects = core.liveObjectCount();
  body();
  assert.equal(core.liveObjectCount(), objects);
  assert.equal(core.count_emval_handles(), handles);
}

test('receiver (wasm): declining an offer of 2^50 bytes in 16 MiB blocks reaches the sender', () => {
  withLeakCheck(() => {
    const check = core.checkOffer(HUGE, {});
    assert.equal(check.ok, false);
    assert.equal(check.code, TOO_LARGE);
    assert.equal(check.name, 'too_large');
    assert.match(check.error, /67108864 blocks/);

    const receiver = new core.Receiver(HUGE, {});
    try {
      assert.equal(receiver.status().ok, true, 'the offer itself is well-formed');
      assert.equal(receiver.offerStatus().code, TOO_LARGE);
      assert.equal(receiver.offer().file.size, 2 ** 50);
      receiver.reject('too large');
      const actions = drain(receiver);
      assert.deepEqual(
        actions.map((a) => a.type),
        ['control', 'failed'],
      );
      assert.equal(JSON.parse(actions[0].text).type, 'reject');
    } finally {
      receiver.delete();
    }
  });
});

test('receiver (wasm): accepting an offer past the cap fails with too_large and tells the sender', () => {
  withLeakCheck(() => {
    for (const resume of [false, true]) {
      const receiver = new core.Receiver(HUGE, {});
      try {
        if (resume) receiver.acceptResume('{}');
        else receiver.accept();
        const actions = drain(receiver);
        assert.deepEqual(
          actions.map((a) => a.type),
          ['control', 'failed'],
        );
        const told = JSON.parse(actions[0].text);
        assert.equal(told.type, 'error');
        assert.equal(told.code, TOO_LARGE);
        assert.equal(actions[1].code, TOO_LARGE);
      } finally {
        receiver.delete();
      }
    }
    // A host's own limits count too: a lower block cap and the storage's size.
    const small = offerText({ name: 'a.bin', size: 5 * 16384, block_size: 16384 });
    assert.equal(core.checkOffer(small, {}).ok, true);
    assert.equal(core.checkOffer(small, { maxBlocks: 4 }).code, TOO_LARGE);
    assert.equal(core.checkOffer(small, { maxFileSize: 1000 }).code, TOO_LARGE);
    assert.equal(core.checkOffer('{"v":1,"type":"reject","transfer":7}', {}).ok, false);
  });
});

// A Sender of `bytes` as transfer 7, with its offer text (block 0 read).
function senderOf(name, bytes) {
  const sender = new core.Sender({ name, size: bytes.length, mtimeMs: 1 }, { blockSize: 16384 });
  assert.equal(sender.addPeer(1, 7, 65536).ok, true);
  let offer = null;
  for (let a = sender.nextAction(); a !== null; a = sender.nextAction()) {
    if (a.type === 'read') sender.onRead(a.block, bytes.subarray(a.offset, a.offset + a.length));
    else if (a.type === 'control') offer = a.text;
  }
  assert.ok(offer);
  return { sender, offer };
}

// Runs `sender` to `receiver` (already accepted: `acceptText` is its accept) until both settle.
function transfer(sender, receiver, bytes, acceptText) {
  const output = new Uint8Array(bytes.length);
  let completed = null;
  const toSender = [acceptText];
  for (let rounds = 0; rounds < 1000 && completed === null; ++rounds) {
    for (const text of toSender.splice(0)) sender.onControl(1, text);
    for (let a = sender.nextAction(); a !== null; a = sender.nextAction()) {
      if (a.type === 'read') sender.onRead(a.block, bytes.subarray(a.offset, a.offset + a.length));
      else if (a.type === 'control') receiver.onControl(a.text);
    }
    for (let frame = sender.nextFrame(1); frame !== null; frame = sender.nextFrame(1)) receiver.onFrame(frame);
    for (const a of drain(receiver)) {
      if (a.type === 'control') toSender.push(a.text);
      else if (a.type === 'write') {
        output.set(a.bytes, a.offset);
        receiver.onWriteDone(a.block);
      } else if (a.type === 'completed') completed = a;
      else assert.fail(`unexpected ${JSON.stringify(a)}`);
    }
  }
  return { completed, output };
}

test('receiver (wasm): a restart discards, asks again with the new file, then receives only it', () => {
  withLeakCheck(() => {
    const first = randomBytes(3 * 16384 + 100, 31);
    const second = randomBytes(2 * 16384 + 7, 32);
    const a = senderOf('first.bin', first);
    const b = senderOf('second.bin', second);
    const receiver = new core.Receiver(a.offer, { window: 4 });
    try {
      receiver.accept();
      const accept = drain(receiver);
      a.sender.onControl(1, accept[0].text);
      for (let n = 0; n < 2; ++n) {
        for (let x = a.sender.nextAction(); x !== null; x = a.sender.nextAction()) {
          if (x.type === 'read') a.sender.onRead(x.block, first.subarray(x.offset, x.offset + x.length));
        }
        const frame = a.sender.nextFrame(1);
        if (frame) assert.equal(receiver.onFrame(frame).ok, true);
      }

      // Two blocks verified, their writes under way.
      assert.equal(drain(receiver).filter((x) => x.type === 'write').length, 2);

      // The sender's file changed: it offers the new one with restart.
      const restart = JSON.stringify({ ...JSON.parse(b.offer), restart: true });
      assert.equal(receiver.onControl(restart).ok, true);
      const [discard, reoffered, ...rest] = drain(receiver);
      assert.equal(discard.type, 'discard');
      assert.equal(reoffered.type, 'reoffered');
      assert.equal(rest.length, 0, 'no accept until the person says yes again');
      assert.equal(reoffered.file.name, 'second.bin');
      assert.equal(reoffered.file.size, second.length);
      assert.equal(reoffered.blockSize, 16384);
      assert.equal(reoffered.acceptable.ok, true);
      assert.deepEqual(receiver.offer(), { file: reoffered.file, blockSize: 16384, mime: reoffered.mime });
      assert.equal(receiver.offerStatus().ok, true);
      // Nothing is taken meanwhile.
      const stray = a.sender.nextFrame(1);
      if (stray) assert.equal(receiver.onFrame(stray).name, 'bad_state');

      receiver.accept();
      const [again] = drain(receiver);
      const { completed, output } = transfer(b.sender, receiver, second, again.text);
      assert.ok(completed, 'the new file completes');
      assert.equal(completed.size, second.length);
      assert.ok(Buffer.from(output).equals(Buffer.from(second)));
    } finally {
      receiver.delete();
      a.sender.delete();
      b.sender.delete();
    }
  });
});
