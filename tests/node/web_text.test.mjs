// The page's cleaning of what other people send (web/src/text.js, chat.js, incoming_batches.js; the
// batch message itself is the core's: golden.test.mjs), run in Node: these modules use no DOM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanName, cleanPath, truncateUtf8 } from '../../web/src/text.js';
import { shownSentAt } from '../../web/src/room/chat.js';
import { offerMismatch, scopedBatchId } from '../../web/src/transfer/incoming_batches.js';

test('names lose control and bidirectional characters and keep at most 64 UTF-8 bytes', () => {
  assert.equal(cleanName('Ali\u202Eexe.jpg'), 'Aliexe.jpg');
  assert.equal(cleanName('a\u2066b\u2069c\u200Fd\u061Ce'), 'abcde');
  assert.equal(cleanName('line\nbreak\u0000\u009f'), 'linebreak');
  assert.equal(cleanName('  spaced  '), 'spaced');
  assert.equal(cleanName(42), '');
  assert.equal(cleanName('\u202E'), '');
  const long = 'é'.repeat(40); // 80 bytes
  assert.equal(new TextEncoder().encode(cleanName(long)).length, 64);
  assert.equal(truncateUtf8('🐈🐈', 5), '🐈', 'never half a character');
});

test('paths lose unsafe characters, empty, "." and ".." parts', () => {
  assert.equal(cleanPath('../../etc/passwd'), 'etc/passwd');
  assert.equal(cleanPath('/abs\\win\\file.txt'), 'abs/win/file.txt');
  assert.equal(cleanPath('photos/\u202Egpj.exe'), 'photos/gpj.exe');
  assert.equal(cleanPath('./'), 'file');
});

test('a chat time far from ours, or not a number, shows as the time it arrived', () => {
  const now = 1_800_000_000_000;
  assert.equal(shownSentAt(now - 5000, now), now - 5000);
  assert.equal(shownSentAt(now + 5000, now), now, 'never in our future');
  assert.equal(shownSentAt(0, now), now);
  assert.equal(shownSentAt(-1e15, now), now);
  assert.equal(shownSentAt(now + 365 * 86400000, now), now);
  assert.equal(shownSentAt('yesterday', now), now);
  assert.equal(shownSentAt(Number.NaN, now), now);
});

test('batch ids are scoped per sender', () => {
  assert.notEqual(scopedBatchId('peerA', 'b'), scopedBatchId('peerB', 'b'));
});

test('an offer must be exactly what its batch announced', () => {
  const entry = { transfer: 1, announcedPath: 'a.txt', path: 'a.txt', size: 10 };
  assert.equal(offerMismatch(entry, { file: { name: 'a.txt', size: 10 } }), null);
  assert.equal(offerMismatch(entry, { file: { name: 'a.txt', size: 2 ** 31 } }), 'size_differs');
  assert.equal(offerMismatch(entry, { file: { name: 'b.txt', size: 10 } }), 'name_differs');
});
