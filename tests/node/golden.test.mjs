// The golden frames and control messages (tests/data, shared with the doctest suite) through the WASM
// build's decoders: the same verdict, field for field, as the native build.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { core } from './core_loader.mjs';

const load = (name) => JSON.parse(readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8')).cases;
const fromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (bytes) => Buffer.from(bytes).toString('hex');

test('golden frames decode (wasm) exactly as recorded', () => {
  const cases = load('frames.json');
  assert.ok(cases.length >= 20);
  for (const c of cases) {
    const result = core.decodeFrame(fromHex(c.hex));
    if (c.expect === 'ok') {
      assert.equal(result.ok, true, `${c.name}: ${result.error}`);
      assert.equal(result.transferId, c.transfer_id, c.name);
      assert.equal(result.blockIndex, c.block_index, c.name);
      assert.equal(result.fragmentOffset, c.fragment_offset, c.name);
      assert.equal(result.encodedLength, c.encoded_length, c.name);
      assert.equal(result.rawLength, c.raw_length, c.name);
      assert.equal(result.compressed, c.compressed, c.name);
      assert.equal(toHex(result.payload), c.payload_hex, c.name);
    } else {
      assert.equal(result.ok, false, c.name);
      assert.equal(result.name, c.expect, c.name);
    }
  }
});

test('golden control messages decode (wasm) exactly as recorded', () => {
  // Cases given as raw bytes (invalid UTF-8) cannot exist as JS strings; the native suite covers them.
  const cases = load('control_messages.json').filter((c) => c.text !== undefined);
  assert.ok(cases.length >= 80);
  for (const c of cases) {
    const result = core.decodeControl(c.text);
    if (c.expect === 'ok') {
      assert.equal(result.ok, true, `${c.name}: ${result.error}`);
      assert.equal(result.type, c.type, c.name);
      assert.equal(result.transfer, c.transfer, c.name);
      if (c.file_name !== undefined) assert.equal(result.file.name, c.file_name, c.name);
      if (c.size !== undefined) assert.equal(result.file.size, c.size, c.name);
      if (c.reply !== undefined) assert.equal(result.reply, c.reply, c.name);
      if (c.batch !== undefined) assert.equal(result.batch, c.batch, c.name);
      if (c.files !== undefined) assert.equal(result.files.length, c.files, c.name);
    } else {
      assert.equal(result.ok, false, c.name);
      assert.equal(result.name, c.expect, c.name);
    }
  }
});

// A batch message of `count` files named f<i> (transfer ids 1..count).
const batchText = (count, pathChars = 8) =>
  JSON.stringify({
    v: 1,
    type: 'batch',
    batch: 'b-1',
    files: Array.from({ length: count }, (_, i) => ({
      transfer: i + 1,
      path: `f${i}`.padEnd(pathChars, 'p'),
      size: i,
    })),
  });

test('a batch message is checked field by field (wasm): what the page receives, the limits, the codes', () => {
  const good = core.decodeControl(
    JSON.stringify({ v: 1, type: 'batch', batch: 'b-1', files: [{ transfer: 5, path: 'a/b.txt', size: 10 }] }),
  );
  assert.equal(good.ok, true);
  assert.equal(good.batch, 'b-1');
  assert.deepEqual(good.files, [{ transfer: 5, path: 'a/b.txt', size: 10 }]);
  const bad = (files, batch = 'b') => core.decodeControl(JSON.stringify({ v: 1, type: 'batch', batch, files })).name;
  assert.equal(bad([{ transfer: 1, path: 'a', size: 1 }], 'x/y'), 'field_out_of_range');
  assert.equal(bad([]), 'field_out_of_range');
  assert.equal(
    bad([
      { transfer: 1, path: 'a', size: 1 },
      { transfer: 1, path: 'b', size: 1 },
    ]),
    'duplicate_id',
  );
  assert.equal(bad([{ transfer: 0, path: 'a', size: 1 }]), 'field_out_of_range');
  assert.equal(bad([{ transfer: 1, path: '', size: 1 }]), 'field_out_of_range');
  assert.equal(bad([{ transfer: 1, path: 'a', size: -1 }]), 'wrong_type');
  assert.equal(bad([{ transfer: 1, path: 'a', size: 2 ** 50 + 1 }]), 'field_out_of_range');
  assert.equal(bad([{ transfer: 1, path: 'a', size: 1.5 }]), 'wrong_type');
  assert.equal(core.decodeControl(batchText(10000)).files.length, 10000);
  assert.equal(core.decodeControl(batchText(10001)).name, 'too_large');
  const huge = batchText(1100, 4000);
  assert.ok(huge.length > 4 * 1024 * 1024);
  assert.equal(core.decodeControl(huge).name, 'too_large');
});

test("the page's own messages are encoded by the core, and decode to what was meant (wasm)", () => {
  const hello = core.encodeControl({ type: 'hello', reply: true });
  assert.equal(core.decodeControl(hello.text).reply, true);
  const files = [{ transfer: 3, path: 'Fotos/niño.txt', size: 2 ** 40 }];
  const batch = core.decodeControl(core.encodeControl({ type: 'batch', batch: 'b-2', files }).text);
  assert.deepEqual([batch.type, batch.batch, batch.files], ['batch', 'b-2', files]);
  const cancel = core.decodeControl(core.encodeControl({ type: 'cancel', transfer: 9, reason: 'storage_full' }).text);
  assert.deepEqual([cancel.type, cancel.transfer], ['cancel', 9]);
  // What a peer would refuse is not sent.
  assert.equal(core.encodeControl({ type: 'batch', batch: 'b/3', files }).name, 'field_out_of_range');
  assert.equal(core.encodeControl({ type: 'offer' }).name, 'unknown_type');
});

test("a frame is routed by the core's peek at its transfer id (wasm)", () => {
  const frame = fromHex(load('frames.json').find((c) => c.expect === 'ok').hex);
  assert.equal(core.peekTransferId(frame), core.decodeFrame(frame).transferId);
  assert.equal(core.peekTransferId(frame.subarray(0, 7)), -1);
});

test('golden resume states decode and limit (wasm) exactly as recorded', () => {
  const cases = load('resume_states.json');
  assert.ok(cases.length >= 20);
  for (const c of cases) {
    const result = core.limitResumeState(c.text, c.limit_to ?? [[0, 2 ** 32 - 1]]);
    if (c.expect !== 'ok') {
      assert.equal(result.ok, false, c.name);
      assert.equal(result.name, c.expect, c.name);
      continue;
    }
    assert.equal(result.ok, true, `${c.name}: ${result.error}`);
    const expected = c.limit_to ? c.limited : c.verified;
    assert.equal(
      result.blocks,
      expected.reduce((n, [a, b]) => n + b - a, 0),
      c.name,
    );
    assert.equal(core.limitResumeState(result.state, [[0, 2 ** 32 - 1]]).blocks, result.blocks, c.name);
  }
});
