// The page writes sizes, rates and times itself (web/src/formats.js) instead of through Intl, which
// costs the main thread a long task to load; each must read exactly as Intl writes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytesIn, formatNumber, formatRateIn, formatTimeIn } from '../../web/src/formats.js';

const LANGUAGES = ['en', 'nl'];

// Values that exercise grouping, rounding up into the next digit, halves and exact binary fractions.
function sampleValues() {
  const values = [0, 0.04, 0.05, 0.15, 0.25, 0.95, 0.96, 1, 9.95, 99.95, 999, 999.95, 1000, 1023.96, 12345.67];
  for (let i = 0; i < 4096; i += 1) values.push(i / 1024, i / 10 + 0.05, i * 1024 + 0.5);
  let seed = 7;
  for (let i = 0; i < 5000; i += 1) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    values.push((seed / 2 ** 31) * 10 ** (i % 13));
  }
  return values;
}

test('numbers read as Intl writes them, in both languages', () => {
  for (const language of LANGUAGES) {
    for (const digits of [0, 1]) {
      const intl = new Intl.NumberFormat(language, { maximumFractionDigits: digits });
      for (const value of sampleValues()) {
        assert.equal(formatNumber(value, digits, language), intl.format(value), `${language} ${digits} ${value}`);
      }
    }
  }
});

test('sizes and rates', () => {
  assert.equal(formatBytesIn(1536, 'en'), '1.5 KiB');
  assert.equal(formatBytesIn(1536, 'nl'), '1,5 KiB');
  assert.equal(formatBytesIn(1023, 'nl'), '1.023 B');
  assert.equal(formatBytesIn(268435456, 'en'), '256 MiB');
  assert.equal(formatBytesIn(1024 ** 4 * 2048, 'en'), '2,048 TiB');
  assert.equal(formatRateIn(11_500_000, 'en'), '12 MB/s');
  assert.equal(formatRateIn(1_234_000_000, 'nl'), '1.234 MB/s');
});

test('clock times read as Intl writes them, every minute of a day', () => {
  for (const language of LANGUAGES) {
    const intl = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' });
    for (let minute = 0; minute < 24 * 60; minute += 1) {
      const ms = new Date(2026, 11, 5, 0, minute).getTime();
      // Intl may separate AM/PM with a narrow no-break space; the words and digits must agree.
      assert.equal(formatTimeIn(ms, language), intl.format(ms).replace(/\s/g, ' '), `${language} minute ${minute}`);
    }
  }
});
