// The limits the page and the server share are defined once, in protocol/limits.json: the page
// imports it, the server's build generates a header from it (server/tests/protocol_test.cpp checks
// that side). Here: the page uses the file's value, and its own-name cleaning never produces a name
// the server's check (valid_display_name, docs/signaling.md) would refuse.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MAX_NAME_BYTES, cleanName } from '../../web/src/text.js';

const limits = JSON.parse(readFileSync(new URL('../../protocol/limits.json', import.meta.url), 'utf8'));
const bytes = (text) => new TextEncoder().encode(text).length;

// The server's rule for a display name, as docs/signaling.md states it.
function serverAccepts(name) {
  if (bytes(name) < 1 || bytes(name) > limits.displayNameMaxBytes) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the server refuses exactly these
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(name)) return false;
  return /[^ ]/.test(name);
}

test('the page takes the display-name limit from protocol/limits.json', () => {
  assert.equal(typeof limits.displayNameMaxBytes, 'number');
  assert.equal(MAX_NAME_BYTES, limits.displayNameMaxBytes);
});

test('a cleaned own name is empty or one the server accepts', () => {
  const max = limits.displayNameMaxBytes;
  const inputs = [
    'Ana',
    ' Bram ',
    '   ',
    '',
    '\t\n',
    'a'.repeat(max),
    'a'.repeat(max + 1),
    'é'.repeat(max),
    '😀'.repeat(max),
    `x${'😀'.repeat(max)}`,
    'gpj.exe\u202e',
    '\u2066Eve\u2069',
    'Bob\u0085',
    '\u0000Null',
    'Del\u007f',
    `${' '.repeat(max)}z`,
    '\u3000',
    'a\u200bb',
  ];
  for (const input of inputs) {
    const clean = cleanName(input);
    assert.ok(clean === '' || serverAccepts(clean), JSON.stringify(input));
    assert.ok(bytes(clean) <= max, JSON.stringify(input));
  }
  assert.equal(cleanName('a'.repeat(max + 1)), 'a'.repeat(max));
  assert.equal(cleanName('Ana'), 'Ana');
});
