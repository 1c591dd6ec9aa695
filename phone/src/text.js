// The text rules of the library (pixelsafe.text.recognizers, pixelsafe.text.mrz), for the
// phone. What can be data is read from rules.json (`text`: card networks, IBAN lengths,
// the printed date grammar and its month names); what is arithmetic (Luhn, mod 97, the
// ICAO 9303 check digit) is written here once more, and both sides run one table of
// cases (tests/text-cases.json).

/** Luhn's checksum over a string of digits. */
export function luhn(digits) {
  let total = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return total % 10 === 0;
}

/** The network whose IIN ranges hold these digits (rows of rules.text.card_networks). */
export function cardNetwork(digits, networks) {
  for (const { network, lengths, prefixes } of networks) {
    if (!lengths.includes(digits.length)) continue;
    if (prefixes.some(([lo, hi]) => {
      const head = Number(digits.slice(0, lo.length));
      return Number(lo) <= head && head <= Number(hi);
    })) return network;
  }
  return null;
}

/** {network, last4} of a card number as printed, or null (Python: validate_card). */
export function validateCard(value, networks) {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19 || !luhn(digits)
      || new Set(digits).size === 1) return null;
  const network = cardNetwork(digits, networks);
  return network ? { network, last4: digits.slice(-4) } : null;
}

/** ISO 13616: the country's length and mod 97 == 1 (Python: iban_ok). */
export function ibanOk(value, lengths) {
  const iban = value.replace(/\s/g, '').toUpperCase();
  if (lengths[iban.slice(0, 2)] !== iban.length || !/^\d\d$/.test(iban.slice(2, 4))) {
    return false;
  }
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const c of moved) {
    const value36 = parseInt(c, 36);
    if (Number.isNaN(value36)) return false;
    for (const digit of String(value36)) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest === 1;
}

const WEIGHTS = [7, 3, 1];

/** ICAO 9303's check digit: digits as they are, A-Z as 10-35, the filler < as 0. */
export function mrzCheckDigit(data) {
  let total = 0;
  [...data].forEach((c, i) => {
    let v;
    if (c >= '0' && c <= '9') v = Number(c);
    else if (c === '<') v = 0;
    else v = c.charCodeAt(0) - 55;
    total += v * WEIGHTS[i % 3];
  });
  return total % 10;
}

/** Every printed date in a text: [{start, end, text}] (Python: DATES.finditer). */
export function findDates(text, dates) {
  const grammar = new RegExp(dates.pattern, 'giu');
  return [...text.matchAll(grammar)].map((m) => (
    { start: m.index, end: m.index + m[0].length, text: m[0] }));
}

function month(word, months) {
  const lower = word.toLowerCase();
  let best = null;
  months.forEach((forms, n) => {
    for (const p of forms) {
      if (lower.startsWith(p) && (best === null || p.length > best[0])) best = [p.length, n + 1];
    }
  });
  return best ? best[1] : null;
}

/** The [year, month, day] a printed date can stand for (Python: date_values): a two-digit
 * year as it is, both day-month orders of a numeric date when both are possible. */
export function dateValues(text, dates) {
  const parts = text.match(/\d+|[\p{L}\p{M}]+/gu) || [];
  const numbers = parts.filter((p) => /^\d+$/.test(p));
  const months = new Set(parts.filter((p) => !/^\d+$/.test(p))
    .map((p) => month(p, dates.months)).filter((m) => m !== null));
  const out = [];
  if (months.size && numbers.length === 2) {
    const [a, b] = numbers;
    for (const m of months) out.push([Number(b), m, Number(a)]);
  } else if (!months.size && numbers.length === 3) {
    const [a, b, c] = numbers;
    if (a.length === 4) out.push([Number(a), Number(b), Number(c)]);
    else out.push([Number(c), Number(b), Number(a)], [Number(c), Number(a), Number(b)]);
  }
  const seen = new Set();
  return out.filter(([, m, d]) => m >= 1 && m <= 12 && d >= 1 && d <= 31)
    .filter((v) => !seen.has(v.join('-')) && seen.add(v.join('-')));
}

/** An e-mail's domain has a dot and an alphabetic top-level part (Python: _email_ok). */
export function emailOk(value) {
  const domain = value.split('@').pop();
  const tld = domain.split('.').pop();
  return domain.includes('.') && /^\p{L}{2,}$/u.test(tld) && !value.includes('..');
}

const VALIDATORS = {
  email: (value) => emailOk(value),
  payment_card: (value, rules) => validateCard(value, rules.card_networks) !== null,
  iban: (value, rules) => ibanOk(value, rules.iban_lengths),
};

/** The pixels of `line.text[start:end]`: the line's box cut in proportion to the
 * characters, padded by a share of the text height as the library pads (text/page.py). */
export function spanBox(line, start, end, [px, py]) {
  const [x1, y1, x2, y2] = line.box;
  const n = Math.max(1, line.text.length);
  const h = y2 - y1;
  const a = x1 + ((x2 - x1) * start) / n;
  const b = x1 + ((x2 - x1) * end) / n;
  return [a - px * h, y1 - py * h, b + px * h, y2 + py * h];
}

/** Personal text the phone's recognisers find in OCR lines: [{kind, label, text, box,
 * score}] (the patterns and their scores from rules.json, each match validated). */
export function personalText(lines, rules) {
  const found = [];
  for (const line of lines) {
    for (const { label, pattern, flags, score } of rules.patterns) {
      if (!VALIDATORS[label]) continue;
      for (const m of line.text.matchAll(new RegExp(pattern, `g${flags}u`))) {
        if (!VALIDATORS[label](m[0], rules)) continue;
        found.push({
          kind: 'personal_text', label, text: m[0], score: score * Math.min(1, line.score + 0.1),
          box: spanBox(line, m.index, m.index + m[0].length, rules.pad),
        });
      }
    }
  }
  return found;
}
