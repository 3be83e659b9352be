// Text that comes from another person (display names, file paths, download names) is shown and used
// only after this cleaning: control characters could break lines or fake layout, and bidirectional
// controls could make "gpj.exe" read as "exe.jpg" (the "Trojan Source" trick). Nothing here trusts
// the sender's client to have done it.

import limits from '../../protocol/limits.json' with { type: 'json' };

// C0 and C1 controls, DEL, the Arabic letter mark, LRM/RLM, the embeddings and overrides
// (U+202A–U+202E), the isolates (U+2066–U+2069), and the line/paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// The display-name limit (UTF-8 bytes) is defined once, in protocol/limits.json: the server's build
// generates its constant from the same file, so page and server cannot disagree.
export const MAX_NAME_BYTES = limits.displayNameMaxBytes;

export function stripUnsafe(text) {
  return String(text ?? '').replace(UNSAFE_CHARACTERS, '');
}

// Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character.
export function truncateUtf8(text, maxBytes) {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = encoder.encode(ch).length;
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

// A display name as shown and as sent: cleaned, trimmed, at most MAX_NAME_BYTES of UTF-8; '' when
// nothing is left (or when it was not a string at all). Whatever it returns besides '' passes the
// server's check (valid_display_name): no controls or bidi overrides, not blank, within the limit.
export function cleanName(raw) {
  if (typeof raw !== 'string') return '';
  return truncateUtf8(stripUnsafe(raw).trim(), MAX_NAME_BYTES).trim();
}

// A relative path as the core wants it and as it is shown: '/'-separated, cleaned parts, no empty,
// '.' or '..' part, no leading '/'; 'file' when nothing is left.
export function cleanPath(path) {
  return (
    stripUnsafe(path)
      .replace(/\\/g, '/')
      .split('/')
      .filter((part) => part && part !== '.' && part !== '..')
      .join('/') || 'file'
  );
}
