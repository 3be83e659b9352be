// Writes the hand-made attack SDPs (attack_*.sdp, each a real capture changed the way a signaling
// relay could change it) and index.json, the expected verdict of every SDP here. Read by the native
// tests (tests/native/sdp_test.cpp) and the WASM tests (tests/node/sdp.test.mjs).
//
//   node tests/data/sdp/make_cases.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const read = (file) => readFileSync(path.join(dir, file), 'latin1');
const cases = [];

// The real captures: each must give the certificate fingerprint its browser reported.
for (const browser of ['chromium', 'firefox']) {
  const captured = JSON.parse(read(`captured_${browser}.json`));
  for (const { file, fingerprint } of captured.files) {
    cases.push({ name: file.replace(/\.sdp$/, ''), file, source: captured.browser, expect: 'ok', fingerprint });
  }
}

const fingerprintOf = (file) => /^a=fingerprint:(.*)$/m.exec(read(file).replace(/\r/g, ''))[1];
// The relay's certificate (live) and the victim's (the one the room proof must not be fooled into).
const victim = fingerprintOf('firefox_datachannel_answer.sdp');
const realOf = (file) => fingerprintOf(file);

function attack(name, base, edit, expect, rule, note) {
  const file = `attack_${name}.sdp`;
  const text = edit(read(base));
  if (text === read(base)) throw new Error(`${name}: the edit changed nothing`);
  writeFileSync(path.join(dir, file), text, 'latin1');
  cases.push({ name: `attack_${name}`, file, base, expect, rule, note });
}
// Replaces the n-th (0-based) a=fingerprint line.
const setFingerprint = (n, value) => (sdp) => {
  let i = -1;
  return sdp.replace(/^a=fingerprint:.*\r$/gm, (line) => (++i === n ? `a=fingerprint:${value}\r` : line));
};
const allFingerprints = (value) => (sdp) => sdp.replace(/^a=fingerprint:.*\r$/gm, `a=fingerprint:${value}\r`);
const bytes = (n, byte = 'AB') => Array(n).fill(byte).join(':');

const dc = 'chromium_datachannel_offer.sdp';
const av = 'chromium_audio_video_offer.sdp';
const decoy = (fingerprint, attribute = 'fingerprint') =>
  `m=audio 0 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=${attribute}:${fingerprint}\r\na=inactive\r\n` +
  'a=mid:decoy\r\na=rtpmap:111 opus/48000/2\r\n';
const beforeFirstMedia = (text) => (sdp) => sdp.replace(/^m=/m, `${text}m=`);

attack(
  'decoy_rejected_section_first',
  dc,
  beforeFirstMedia(decoy(victim)),
  'ambiguous_fingerprint',
  'rejected_section_fingerprint',
  "a port-0 audio section with the victim's fingerprint before the live one (the old JS took the first media-level line)",
);
attack(
  'decoy_rejected_section_uppercase_attribute',
  dc,
  beforeFirstMedia(decoy(victim, 'FINGERPRINT')),
  'ambiguous_fingerprint',
  'rejected_section_fingerprint',
  'the same decoy spelled a=FINGERPRINT',
);
attack(
  'decoy_rejected_section_only_fingerprint',
  dc,
  (sdp) => beforeFirstMedia(decoy(victim))(sdp.replace(/^a=fingerprint:.*\r\n/gm, '')),
  'ambiguous_fingerprint',
  'rejected_section_fingerprint',
  'only the rejected decoy names a certificate',
);
attack(
  'bundle_member_other_fingerprint',
  av,
  setFingerprint(1, victim),
  'ambiguous_fingerprint',
  'multiple_fingerprints',
  'the second BUNDLE member (video) names the victim',
);
attack(
  'bundle_tag_not_first_section',
  av,
  (sdp) => setFingerprint(0, victim)(sdp.replace('a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 1 0 2')),
  'ambiguous_fingerprint',
  'multiple_fingerprints',
  'the BUNDLE tag is mid 1; the first section (a non-tag member, ignored by browsers) names the victim',
);
attack(
  'section_outside_bundle',
  av,
  (sdp) => sdp.replace('a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 0 2'),
  'ambiguous_fingerprint',
  'outside_bundle',
  'video is live (port set) but outside the group: its own transport',
);
attack(
  'bundle_only_outside_bundle',
  'firefox_max_bundle_audio_video_offer.sdp',
  (sdp) => sdp.replace('a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 0 2'),
  'ambiguous_fingerprint',
  'outside_bundle',
  'a port-0 a=bundle-only section left out of the group',
);
attack(
  'session_and_media_fingerprints_differ',
  'firefox_datachannel_offer.sdp',
  (sdp) => sdp.replace(/^a=mid:0\r$/m, `a=mid:0\r\na=fingerprint:${victim}\r`),
  'ambiguous_fingerprint',
  'multiple_fingerprints',
  'session level names one certificate, the m-section another',
);
attack(
  'two_fingerprints_in_one_section',
  dc,
  (sdp) => sdp.replace(/^(a=fingerprint:.*\r)$/m, `$1\na=fingerprint:${victim}\r`),
  'ambiguous_fingerprint',
  'multiple_fingerprints',
  'a second a=fingerprint in the same section',
);
attack(
  'same_certificate_other_hash_too',
  dc,
  (sdp) => sdp.replace(/^(a=fingerprint:.*\r)$/m, `$1\na=fingerprint:sha-512 ${bytes(64)}\r`),
  'ambiguous_fingerprint',
  'multiple_fingerprints',
  'RFC 8122 allows several hashes of one certificate; we cannot tell they agree',
);
attack(
  'two_bundle_groups',
  av,
  (sdp) => sdp.replace('a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 0 1\r\na=group:BUNDLE 2'),
  'ambiguous_fingerprint',
  'multiple_bundle_groups',
  'two transports',
);
attack(
  'bundle_unknown_mid',
  av,
  (sdp) => sdp.replace('a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 0 1 2 3'),
  'ambiguous_fingerprint',
  'bundle_unknown_mid',
  'the group names a section that does not exist',
);
attack(
  'rejected_section_in_bundle',
  'chromium_stopped_transceiver_reoffer.sdp',
  (sdp) => sdp.replace('a=group:BUNDLE 0 2', 'a=group:BUNDLE 1 0 2'),
  'ambiguous_fingerprint',
  'rejected_in_bundle',
  'the port-0 video section made the BUNDLE tag',
);
attack('sha1', dc, allFingerprints(`sha-1 ${bytes(20)}`), 'field_out_of_range', 'weak_algorithm', 'SHA-1 is refused');
attack('md5', dc, allFingerprints(`md5 ${bytes(16)}`), 'field_out_of_range', 'weak_algorithm', 'MD5 is refused');
attack(
  'unknown_hash',
  dc,
  allFingerprints(`sha3-256 ${bytes(32)}`),
  'field_out_of_range',
  'unsupported_algorithm',
  'not a hash we accept',
);
attack(
  'digest_too_short',
  dc,
  allFingerprints(`sha-256 ${bytes(31)}`),
  'length_mismatch',
  'digest_length',
  '31 bytes for sha-256',
);
attack(
  'digest_relabelled_sha384',
  dc,
  (sdp) => sdp.replace('a=fingerprint:sha-256 ', 'a=fingerprint:sha-384 '),
  'length_mismatch',
  'digest_length',
  'a sha-256 digest labelled sha-384',
);
attack(
  'digest_too_long',
  dc,
  allFingerprints(`sha-512 ${bytes(65)}`),
  'length_mismatch',
  'digest_length',
  '65 bytes for sha-512',
);
attack(
  'bad_hex',
  dc,
  (sdp) => sdp.replace(/^(a=fingerprint:sha-256 )../m, '$1G0'),
  'malformed',
  'fingerprint_hex',
  'G is not a hex digit',
);
attack(
  'hex_without_colons',
  dc,
  allFingerprints(`sha-256 ${bytes(32).replace(/:/g, '')}`),
  'malformed',
  'fingerprint_hex',
  'bytes run together',
);
attack(
  'fingerprint_two_spaces',
  dc,
  (sdp) => sdp.replace('a=fingerprint:sha-256 ', 'a=fingerprint:sha-256  '),
  'malformed',
  'fingerprint_syntax',
  'two spaces after the hash name',
);
attack(
  'bare_cr_smuggled_line',
  dc,
  (sdp) => sdp.replace(/^(a=fingerprint:.*)\r$/m, `$1\ra=fingerprint:${victim}\r`),
  'malformed',
  'line_syntax',
  'a second fingerprint after a bare CR, where parsers disagree on line ends',
);
attack('nul_byte', dc, (sdp) => sdp.replace('a=mid:0', 'a=mid:0\0'), 'malformed', 'line_syntax', 'NUL inside a line');
attack(
  'no_fingerprint',
  dc,
  (sdp) => sdp.replace(/^a=fingerprint:.*\r\n/gm, ''),
  'missing_field',
  'no_fingerprint',
  'no a=fingerprint at all',
);
attack(
  'live_section_without_fingerprint',
  av,
  (sdp) => {
    let i = -1;
    return sdp.replace(/^a=fingerprint:.*\r\n/gm, (line) => (++i === 1 ? '' : line));
  },
  'missing_field',
  'section_without_fingerprint',
  'video (live, no session-level fingerprint) has none',
);
attack(
  'every_section_rejected',
  dc,
  (sdp) => sdp.replace(/^m=application \d+/m, 'm=application 0').replace('a=group:BUNDLE 0', 'a=group:BUNDLE'),
  'missing_field',
  'no_live_section',
  'nothing live to take a fingerprint from',
);
attack(
  'duplicate_mid',
  av,
  (sdp) => sdp.replace('a=mid:2', 'a=mid:1').replace('a=group:BUNDLE 0 1 2', 'a=group:BUNDLE 0 1'),
  'malformed',
  'duplicate_mid',
  'two sections share mid 1',
);
attack('not_sdp', dc, (sdp) => `hello\r\n${sdp}`, 'malformed', 'line_syntax', 'not <letter>=<value>');
attack(
  'missing_version_line',
  dc,
  (sdp) => sdp.replace('v=0\r\n', ''),
  'malformed',
  'first_line',
  'an SDP starts with v=0',
);

// Accepted variations of real captures.
function variant(name, base, edit, fingerprint, note) {
  const file = `variant_${name}.sdp`;
  writeFileSync(path.join(dir, file), edit(read(base)), 'latin1');
  cases.push({ name: `variant_${name}`, file, base, expect: 'ok', fingerprint, note });
}
const canonical = (value) => {
  const [a, d] = value.split(' ');
  return `${a.toLowerCase()} ${d.toUpperCase()}`;
};
variant('lf_line_ends', av, (sdp) => sdp.replace(/\r\n/g, '\n'), canonical(realOf(av)), 'LF instead of CRLF');
variant(
  'no_final_line_end',
  av,
  (sdp) => sdp.replace(/\r\n$/, ''),
  canonical(realOf(av)),
  'the last line without CRLF',
);
variant(
  'lowercase_hex_uppercase_hash',
  dc,
  (sdp) => sdp.replace(/^a=fingerprint:sha-256 (.*)\r$/m, (_, d) => `a=fingerprint:SHA-256 ${d.toLowerCase()}\r`),
  canonical(realOf(dc)),
  'hash name and digits in another case give the same canonical form',
);
variant(
  'sha512',
  dc,
  allFingerprints(`sha-512 ${bytes(64, 'c0')}`),
  `sha-512 ${bytes(64, 'C0')}`,
  'a sha-512 fingerprint',
);

// Generated by the tests: the base file, then `append_line` + CRLF `append_times` times.
const generated = (name, base, line, times, verdict, note) =>
  cases.push({ name, file: base, append_line: line, append_times: times, ...verdict, note });
const dcSize = read(dc).length;
const padding = `a=x-padding:${'x'.repeat(98)}`; // 112 bytes with CRLF
generated(
  'attack_oversized',
  dc,
  padding,
  Math.ceil((64 * 1024 + 1 - dcSize) / 112),
  { expect: 'too_large', rule: 'size' },
  'past the 64 KiB signaling limit',
);
generated(
  'variant_just_under_max_size',
  dc,
  padding,
  Math.floor((64 * 1024 - dcSize) / 112),
  { expect: 'ok', fingerprint: canonical(realOf(dc)) },
  'just under 64 KiB, under the line cap',
);
generated(
  'attack_too_many_lines',
  dc,
  'a=x',
  4096,
  { expect: 'too_large', rule: 'line_count' },
  'more than 4096 lines (small ones, well under 64 KiB)',
);

const index = {
  comment:
    'Expected verdicts of sdp::dtls_fingerprint (wasm/include/cieloweb/sdp.hpp) on the SDPs beside this file. ' +
    "chromium_*/firefox_* are real captures (capture_sdp.mjs); their 'fingerprint' is the certificate's own " +
    'getFingerprints(), not read from the SDP. attack_*/variant_* are written by make_cases.mjs from them. ' +
    "'expect' is 'ok' (then 'fingerprint', canonical) or the error_name() of the ErrorCode, with 'rule' the tag " +
    "that opens the error detail ('sdp: <rule>: ...'). With 'append_line', the test appends that line and CRLF " +
    "'append_times' times to the file's text.",
  cases,
};
// One case per line, as in the other golden files.
const body = cases.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
writeFileSync(
  path.join(dir, 'index.json'),
  `{\n  "comment": ${JSON.stringify(index.comment)},\n  "cases": [\n${body}\n  ]\n}\n`,
);
console.log(`${cases.length} cases`);
