// The calls bench's dating of freezes (bench/lib/call_quality.mjs): a freeze that began inside the
// window is the window's, the gap from before it (counted late by the browser) is not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callQuality } from '../../bench/lib/call_quality.mjs';

// Samples every 250 ms from t = 10 s; `events` maps a sample index to freezes counted there.
function series(events, length = 40) {
  const samples = [];
  let freezes = 0;
  let freezeSeconds = 0;
  for (let i = 0; i < length; i += 1) {
    for (const seconds of events[i] ?? []) {
      freezes += 1;
      freezeSeconds += seconds;
    }
    samples.push({ at: 10000 + 250 * i, concealed: 2 * i, samples: 960 * i, freezes, freezeSeconds, frames: 5 * i });
  }
  return samples;
}

test('a freeze that began inside the window counts', () => {
  const q = callQuality(series({ 12: [0.3] }));
  assert.equal(q.freezes, 1);
  assert.equal(q.freezesCounted, 1);
});

test('a gap counted late that began before the window does not', () => {
  // Counted 3 s into the window, 4.5 s long: it began 1.5 s before the window opened.
  const q = callQuality(series({ 12: [4.5] }));
  assert.equal(q.freezes, 0);
  assert.equal(q.freezesCounted, 1);
});

test('a freeze counted in the first interval that began just after the window opened counts', () => {
  assert.equal(callQuality(series({ 1: [0.2] })).freezes, 1);
  assert.equal(callQuality(series({ 1: [0.3] })).freezes, 0);
});

test('several in one sample: all but one when together they reach back before the window', () => {
  assert.equal(callQuality(series({ 12: [4.5, 0.2] })).freezes, 1);
  assert.equal(callQuality(series({ 12: [0.2, 0.2] })).freezes, 2);
});

test('the audio and frame rates are over the whole window', () => {
  const q = callQuality(series({}, 41)); // 10 s
  assert.equal(q.fps, 20);
  assert.equal(q.samples, 960 * 40);
  assert.ok(Math.abs(q.concealed - 80 / (960 * 40)) < 1e-12);
});
