// The page's cleaning of what other people send (web/src/text.js, chat.js, incoming_batches.js),
// run in Node: these modules use no DOM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanName, cleanPath, truncateUtf8 } from '../../web/src/text.js';
import { shownSentAt } from '../../web/src/room/chat.js';
import { MAX_FILES_PER_BATCH, offerMismatch, parseBatchMessage, scopedBatchId } from '../../web/src/transfer/incoming_batches.js';

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

test('a batch message is checked field by field, and its ids are scoped per sender', () => {
  const good = parseBatchMessage({ batch: 'b-1', files: [{ transfer: 5, path: 'a/b.txt', size: 10 }] });
  assert.equal(good.ok, true);
  assert.deepEqual(good.files, [{ transfer: 5, announcedPath: 'a/b.txt', path: 'a/b.txt', size: 10 }]);
  for (const [msg, reason] of [
    [{ batch: 'x/y', files: [{ transfer: 1, path: 'a', size: 1 }] }, /batch id/],
    [{ batch: 'b', files: [] }, /without files/],
    [{ batch: 'b', files: [{ transfer: 1, path: 'a', size: 1 }, { transfer: 1, path: 'b', size: 1 }] }, /repeated/],
    [{ batch: 'b', files: [{ transfer: 0, path: 'a', size: 1 }] }, /transfer id/],
    [{ batch: 'b', files: [{ transfer: 1, path: '', size: 1 }] }, /path/],
    [{ batch: 'b', files: [{ transfer: 1, path: 'a', size: -1 }] }, /size/],
    [{ batch: 'b', files: [{ transfer: 1, path: 'a', size: 2 ** 50 + 1 }] }, /size/],
    [{ batch: 'b', files: [{ transfer: 1, path: 'a', size: 1.5 }] }, /size/],
    [{ batch: 'b', files: Array.from({ length: MAX_FILES_PER_BATCH + 1 }, (_, i) => ({ transfer: i + 1, path: 'a', size: 1 })) }, /more than/],
  ]) {
    const result = parseBatchMessage(msg);
    assert.equal(result.ok, false);
    assert.match(result.reason, reason);
  }
  assert.notEqual(scopedBatchId('peerA', 'b'), scopedBatchId('peerB', 'b'));
});

test('an offer must be exactly what its batch announced', () => {
  const entry = { transfer: 1, announcedPath: 'a.txt', path: 'a.txt', size: 10 };
  assert.equal(offerMismatch(entry, { file: { name: 'a.txt', size: 10 } }), null);
  assert.match(offerMismatch(entry, { file: { name: 'a.txt', size: 2 ** 31 } }), /size/);
  assert.match(offerMismatch(entry, { file: { name: 'b.txt', size: 10 } }), /name/);
});
