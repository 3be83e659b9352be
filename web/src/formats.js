// Sizes, rates and clock times in the page's two languages, written out here rather than by Intl.
// Why: the first Intl formatter a page builds loads ICU's locale data on the main thread, about
// 30 ms on these machines and four times that on a mid-range phone: one long task on every room
// page, whether or not a number is ever shown. The formats are few and fixed (a number with at most
// one decimal, grouped by thousands; hh:mm), and tests/node/web_formats.test.mjs checks that every
// one matches what Intl writes for the same language.

const SEPARATORS = {
  en: { group: ',', decimal: '.' },
  nl: { group: '.', decimal: ',' },
};

// The digits of `value` as Intl starts from them: the shortest decimal that reads back as the same
// double (what String() gives), so 0.15 rounds to 0.2 and 3.3499999999999996 to 3.3.
function decimalText(value) {
  const text = String(value);
  if (!text.includes('e')) return text;
  return value < 1 ? '0' : BigInt(Math.round(value)).toString(); // below 1e-6, or 1e21 and up (never a size)
}

// `value` >= 0 and finite (sizes and rates), with at most `fractionDigits` decimals (trailing
// zeros dropped), grouped by thousands, halves rounded away from zero (Intl's halfExpand).
export function formatNumber(value, fractionDigits, language) {
  const { group, decimal } = SEPARATORS[language] ?? SEPARATORS.en;
  const [wholeText, fractionText = ''] = decimalText(value).split('.');
  let digits = wholeText + fractionText.padEnd(fractionDigits, '0').slice(0, fractionDigits);
  if ((fractionText[fractionDigits] ?? '0') >= '5') digits = (BigInt(digits) + 1n).toString();
  digits = digits.padStart(fractionDigits + 1, '0');
  const whole = digits.slice(0, digits.length - fractionDigits);
  const fraction = digits.slice(digits.length - fractionDigits).replace(/0+$/, '');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return fraction ? `${grouped}${decimal}${fraction}` : grouped;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytesIn(bytes, language) {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(value, unit === 0 ? 0 : 1, language)} ${BYTE_UNITS[unit]}`;
}

export function formatRateIn(bytesPerSecond, language) {
  return `${formatNumber(bytesPerSecond / 1e6, 0, language)} MB/s`;
}

// The local time of `ms` as hh:mm: 24-hour in Dutch, 12-hour with AM/PM in English.
export function formatTimeIn(ms, language) {
  const date = new Date(ms);
  const minutes = String(date.getMinutes()).padStart(2, '0');
  const hours = date.getHours();
  if (language === 'nl') return `${String(hours).padStart(2, '0')}:${minutes}`;
  const twelve = hours % 12 === 0 ? 12 : hours % 12;
  return `${String(twelve).padStart(2, '0')}:${minutes} ${hours < 12 ? 'AM' : 'PM'}`;
}
