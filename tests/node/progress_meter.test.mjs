// The page's speed and ETA (web/src/transfer/progress_meter.js): smoothed rate, ETA, restarts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressMeter } from '../../web/src/transfer/progress_meter.js';

const near = (actual, expected, epsilon = 0.01) =>
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * epsilon, `${actual} ≉ ${expected}`);

test('progress meter: smoothed rate and ETA from samples', () => {
  const meter = new ProgressMeter();
  assert.deepEqual(meter.figures(0, 100), { speed: 0, eta: null });
  meter.sample(0, 0);
  assert.equal(meter.figures(0, 100).speed, 0, 'one sample is no rate');
  for (let i = 1; i <= 50; i += 1) meter.sample(i * 100, i * 1_000_000);
  near(meter.figures(50_000_000, 100_000_000).speed, 10_000_000);
  near(meter.figures(50_000_000, 100_000_000).eta, 5);
  meter.sample(4000, 50_000_001); // time going backwards is ignored
  near(meter.figures(50_000_000, 100_000_000).speed, 10_000_000);
  meter.sample(6000, 10); // fewer bytes than before: a restart, measured anew
  assert.equal(meter.figures(10, 100).speed, 0);
});
