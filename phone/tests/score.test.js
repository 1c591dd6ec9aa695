// score.js on the table of score cases that tests/test_fuse.py runs through fuse.score,
// reading the policy table as the built app does (rules.json; PIXELSAFE_PHONE_RULES may
// name another copy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { explain, risk, score } from '../src/score.js';

const rulesPath = process.env.PIXELSAFE_PHONE_RULES
  || new URL('../../src/pixelsafe/web/phone/rules.json', import.meta.url);
const table = JSON.parse(readFileSync(rulesPath)).score;
const shared = JSON.parse(readFileSync(new URL('./score-cases.json', import.meta.url)));
const { cases } = shared;

test('every score case', () => {
  for (const c of cases) {
    const label = c.findings.map((f) => `${f.kind}:${f.label}`).join(',') || 'none';
    assert.equal(score(c.findings, table).score, c.score, label);
  }
});

test('risk levels', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((v) => risk(v, table).level),
    ['low', 'medium', 'medium', 'high', 'critical']);
});

test('explanations in the library\'s words', () => {
  for (const c of shared.explanations) {
    assert.equal(explain(c.findings, table, c.checked), c.explanation);
  }
});
