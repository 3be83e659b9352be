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
    } else {
      assert.equal(result.ok, false, c.name);
      assert.equal(result.name, c.expect, c.name);
    }
  }
});
