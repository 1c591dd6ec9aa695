// The text rules of the library (pixelsafe.text.recognizers, pixelsafe.text.mrz), for the
// phone. What can be data is read from rules.json (`text`: card networks, IBAN lengths,
// the printed date grammar and its month names); what is arithmetic (Luhn, mod 97, the
// ICAO 9303 check digit) is written here once more, and both sides run one table of
// cases (tests/text-cases.json). Phone numbers are found and validated by libphonenumber-js
// (the port of the libphonenumber the library runs), with the library's rules as data.
import { PhoneNumberMatcher } from 'libphonenumber-js/max';

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
    const [a, b] = numbers[0].length === 4 ? [numbers[1], numbers[0]] : numbers;
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

/** A pattern recogniser of the library (a row of rules.patterns) over one line: its
 * validated matches, scored higher when a context word is near (Python:
 * PatternRecognizer.find). */
function patternMatches(row, text, context, rules) {
  const validate = VALIDATORS[row.label];
  // the line above gives context only when it is a label alone, with no value of its own
  const above = /\d/.test(context) ? '' : context;
  const hasContext = row.context !== null
    && new RegExp(row.context, 'iu').test(`${above} ${text}`);
  if (row.needs_context && !hasContext) return [];
  const out = [];
  for (const m of text.matchAll(new RegExp(row.pattern, `g${row.flags}u`))) {
    if (validate && !validate(m[0], rules)) continue;
    out.push({
      label: row.label, start: m.index, end: m.index + m[0].length, text: m[0],
      score: hasContext ? row.context_score : row.score,
    });
  }
  return out;
}

/** The regions whose national numbers a page's phones are read in (Python: for_page): the
 * countries the page names first, then the library's. */
export function phoneRegions(pageText, phone) {
  const named = phone.country_hints.filter(({ region, words, marks }) => (
    !phone.regions.includes(region) && (new RegExp(words, 'iu').test(pageText)
      || (marks !== '' && new RegExp(marks, 'u').test(pageText))))).map((h) => h.region);
  return { regions: [...named, ...phone.regions], named };
}

/** How many ASCII digits a string holds. */
export const digitCount = (s) => (s.match(/\d/g) || []).length;

/** Phone numbers in a line (Python: PhoneRecognizer.find): libphonenumber-js finds and
 * validates them, the library's rules (rules.text.phone) decide which need a phone word
 * near them and how much each counts. */
export function findPhones(text, context, phone, { regions, named } = phoneRegions(text, phone)) {
  const words = new RegExp(phone.context, 'iu');
  const hasContext = words.test(`${context} ${text}`);
  const labelAbove = words.test(context) && context.split(/\s+/).filter(Boolean).length <= 2
    && !/\d/.test(context);
  const notAPhone = new RegExp(phone.not_a_phone, 'iu');
  const taxBefore = new RegExp(phone.tax_before, 'iu');
  // a tax label ends the text before the number, no phone word after it (tax_number)
  const taxNumber = (before) => {
    const m = taxBefore.exec(before);
    return m !== null && !words.test(before.slice(m.index));
  };
  const formattedShape = new RegExp(phone.formatted, 'u');
  const prefixedShape = new RegExp(phone.prefixed, 'u');
  const passes = regions.map((region) => [region, 'VALID']);
  if (hasContext || text.includes('+')) passes.push(...regions.map((r) => [r, 'POSSIBLE']));
  const seen = new Map();
  for (const [region, leniency] of passes) {
    const valid = leniency === 'VALID';
    const matcher = new PhoneNumberMatcher(text, { defaultCountry: region, leniency, v2: true });
    while (matcher.hasNext()) {
      const { number, startsAt, endsAt } = matcher.next();
      const rawString = text.slice(startsAt, endsAt);
      const raw = rawString.trim();
      if (notAPhone.test(raw) || taxNumber(text.slice(0, startsAt))) continue;
      const international = raw.startsWith('+') || raw.startsWith('00');
      const formatted = formattedShape.test(raw)
        || (named.includes(region) && prefixedShape.test(raw));
      if (valid && !(international || formatted || hasContext)) continue;
      const beside = labelAbove || words.test(text.slice(0, startsAt));
      if (!valid && (!(raw.startsWith('+') || beside)
          || digitCount(raw) < phone.min_possible_digits)) continue;
      let score = phone.scores[hasContext ? 'context' : international ? 'international'
        : 'formatted'];
      if (!valid) score -= phone.scores.only_possible;
      const key = `${startsAt}-${endsAt}`;
      if (!seen.has(key) || seen.get(key).score < score) {
        seen.set(key, {
          label: 'phone', start: startsAt, end: endsAt, text: rawString, score,
          e164: number.number, region: number.country ?? null,
        });
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.start - b.start);
}

/** Every recogniser the phone runs over one line; overlapping matches keep the higher
 * score, and on a tie the longer span (Python: find_all). */
export function findAll(text, context, rules, regions = phoneRegions(text, rules.phone)) {
  const found = [
    ...rules.patterns.flatMap((row) => patternMatches(row, text, context, rules)),
    ...findPhones(text, context, rules.phone, regions),
  ];
  found.sort((a, b) => b.score - a.score || (b.end - b.start) - (a.end - a.start));
  const kept = [];
  for (const m of found) {
    if (kept.every((k) => m.end <= k.start || m.start >= k.end)) kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Personal text the phone's recognisers find in OCR lines (in reading order): [{kind,
 * label, text, box, score}]. A line's context is the line before it; the lines in `skip`
 * (a document's zone) are read by their own rules. */
export function personalText(lines, rules, skip = new Set()) {
  const regions = phoneRegions(lines.map((l) => l.text).join('\n'), rules.phone);
  const found = [];
  lines.forEach((line, i) => {
    if (skip.has(i)) return;
    const context = i > 0 ? lines[i - 1].text : '';
    for (const m of findAll(line.text, context, rules, regions)) {
      found.push({
        kind: 'personal_text', label: m.label, text: m.text,
        score: m.score * Math.min(1, line.score + 0.1),
        box: spanBox(line, m.start, m.end, rules.pad),
      });
    }
  });
  return found;
}
