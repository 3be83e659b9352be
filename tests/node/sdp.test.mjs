// sdpDtlsFingerprint (WASM) on the golden SDPs of tests/data/sdp (shared with the doctest suite):
// the real Chromium/Firefox captures give their certificate's fingerprint, each attack is refused by
// its rule, and no embind handle or object is left behind.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { core } from './core_loader.mjs';

const dir = new URL('../data/sdp/', import.meta.url);
const { cases } = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8'));
// latin1 keeps every byte as one character: the attack files hold a NUL and a bare CR on purpose.
const textOf = (c) =>
  readFileSync(new URL(c.file, dir), 'latin1') + `${c.append_line ?? ''}\r\n`.repeat(c.append_times ?? 0);

test('golden SDPs get their recorded verdict (wasm), rule by rule', () => {
  assert.ok(cases.length >= 60);
  const before = core.count_emval_handles();
  for (const c of cases) {
    const result = core.sdpDtlsFingerprint(textOf(c));
    if (c.expect === 'ok') {
      assert.equal(result.ok, true, `${c.name}: ${result.error}`);
      assert.equal(result.fingerprint, c.fingerprint, c.name);
      assert.equal(result.algorithm, c.fingerprint.split(' ')[0], c.name);
    } else {
      assert.equal(result.ok, false, c.name);
      assert.equal(result.name, c.expect, `${c.name}: ${result.error}`);
      assert.equal(result.rule, c.rule, `${c.name}: ${result.error}`);
      assert.match(result.error, new RegExp(`^sdp: ${c.rule}: `), c.name);
      assert.equal(typeof result.code, 'number', c.name);
    }
  }
  assert.equal(core.count_emval_handles(), before);
  assert.equal(core.liveObjectCount(), 0);
});

test('the decoy that fools a first-line reader (the page used one before this decoder) is refused (wasm)', () => {
  // The page's old reader takes the first media-level a=fingerprint: here the victim's, in a
  // rejected section, while the live transport would run on the relay's certificate.
  const text = readFileSync(new URL('attack_decoy_rejected_section_first.sdp', dir), 'latin1');
  const live = core.sdpDtlsFingerprint(readFileSync(new URL('chromium_datachannel_offer.sdp', dir), 'latin1'));
  assert.equal(live.ok, true);
  // What a reader of the first a=fingerprint line (the page's reader before this decoder) takes.
  const [, hash, hex] = /^a=fingerprint:(\S+) (\S+)/m.exec(text);
  assert.notEqual(`${hash.toLowerCase()} ${hex.toUpperCase()}`, live.fingerprint);
  const result = core.sdpDtlsFingerprint(text);
  assert.equal(result.ok, false);
  assert.equal(result.name, 'ambiguous_fingerprint');
  assert.equal(result.rule, 'rejected_section_fingerprint');
});

test('sdpDtlsFingerprint refuses non-strings and oversized strings before copying them', () => {
  for (const bad of [undefined, null, 42, {}, new Uint8Array(4)]) {
    const result = core.sdpDtlsFingerprint(bad);
    assert.equal(result.ok, false);
    assert.equal(result.name, 'wrong_type');
    assert.equal(result.rule, 'not_a_string');
  }
  const huge = core.sdpDtlsFingerprint(`v=0\r\n${'a=x\r\n'.repeat(4_000_000)}`);
  assert.equal(huge.ok, false);
  assert.equal(huge.name, 'too_large');
  assert.equal(huge.rule, 'size');
  // Under 64 Ki UTF-16 units but over 64 KiB of UTF-8: refused by the core's byte count.
  const wide = core.sdpDtlsFingerprint(`v=0\r\ns=${'é'.repeat(40_000)}\r\n`);
  assert.equal(wide.ok, false);
  assert.equal(wide.rule, 'size');
});
