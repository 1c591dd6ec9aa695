// text.js on the table of text cases that tests/test_text_cases.py runs through the
// library, reading the rules as the built app does (rules.json; PIXELSAFE_PHONE_RULES may
// name another copy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  dateValues, findAll, findDates, ibanOk, luhn, mrzCheckDigit, phoneRegions, validateCard,
} from '../src/text.js';
import { groupZones, parse } from '../src/mrz.js';
import { classify } from '../src/payloads.js';

const rulesPath = process.env.PIXELSAFE_PHONE_RULES
  || new URL('../../src/pixelsafe/web/phone/rules.json', import.meta.url);
const shipped = JSON.parse(readFileSync(rulesPath));
const { text: rules, mrz: mrzRules } = shipped;
const cases = JSON.parse(readFileSync(new URL('./text-cases.json', import.meta.url)));

const sorted = (values) => values.map((v) => v.join('-')).sort();

test('luhn', () => {
  for (const [digits, ok] of cases.luhn) assert.equal(luhn(digits), ok, digits);
});

test('card networks', () => {
  for (const [number, network] of cases.cards) {
    const verdict = validateCard(number, rules.card_networks);
    assert.equal(verdict ? verdict.network : null, network, number);
  }
});

test('IBAN mod 97', () => {
  for (const [iban, ok] of cases.iban) assert.equal(ibanOk(iban, rules.iban_lengths), ok, iban);
});

test('MRZ check digits', () => {
  for (const [data, digit] of cases.mrz_check_digits) {
    assert.equal(mrzCheckDigit(data), digit, data);
  }
});

test('date forms', () => {
  for (const [text, values] of cases.date_forms) {
    const [found] = findDates(text, rules.dates);
    assert.equal(found && found.text, text.replace(/^the /, ''), text);
    assert.deepEqual(sorted(dateValues(found.text, rules.dates)), sorted(values), text);
  }
});

test('dates in text', () => {
  for (const [text, found] of cases.dates_in_text) {
    assert.deepEqual(findDates(text, rules.dates).map((d) => d.text), found, text);
  }
});

test('phone numbers, e-mails, cards and IBANs in a line', () => {
  for (const [text, context, page, found] of cases.phone_texts) {
    const got = findAll(text, context, rules, phoneRegions(page || text, rules.phone))
      .map((m) => [m.label, m.text, Math.round(m.score * 100) / 100]);
    assert.deepEqual(got, found, text);
  }
});

test('MRZ zones, as printed and as OCR misreads them', () => {
  for (const [lines, want] of cases.mrz_zones) {
    const got = parse(lines, mrzRules);
    if (got !== null) {
      delete got.kind;
      delete got.lines;
    }
    assert.deepEqual(got, want, lines.join(' / '));
  }
});

test('MRZ zones among the lines of a page', () => {
  for (const [texts, zones] of cases.mrz_groups) {
    assert.deepEqual(groupZones(texts, mrzRules), zones, texts.join(' / '));
  }
});

test('what a code carries', () => {
  for (const [text, type, critical, fields] of cases.payloads) {
    const got = classify(text, rules);
    assert.deepEqual({ type: got.type, critical: got.critical, fields: got.fields },
      { type, critical, fields }, text);
  }
});
