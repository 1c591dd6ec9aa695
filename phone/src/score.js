// The 1-5 score and the risk level, from the policy table's rows (rules.json, written from
// pixelsafe.policy by the build): the same rules the library scores with, never a copy.
// Pure functions; tests/score.test.js runs them on the table of cases the Python tests run.

/** The findings one rule matches: of its kind and labels, with the data values it asks. */
function matching(rule, findings, unscored) {
  return findings.filter((f) => f.kind === rule.kind
    && (rule.labels.length === 0 || rule.labels.includes(f.label))
    && !(rule.scored_only && (unscored[f.kind] || []).includes(f.label))
    && Object.entries(rule.data).every(([key, allowed]) => allowed.includes((f.data || {})[key])));
}

/** {score, reasons}: the highest row that fires, and the reason of every row that does. */
export function score(findings, table) {
  const kinds = new Set(findings.map((f) => f.kind));
  let best = 1;
  const reasons = [];
  for (const rule of table.rules) {
    const found = matching(rule, findings, table.unscored);
    if (found.length < rule.count || new Set(found.map((f) => f.label)).size < rule.distinct) continue;
    if (rule.with_kind !== null && !kinds.has(rule.with_kind)) continue;
    best = Math.max(best, rule.score);
    reasons.push(rule.reason.replace('{n}', String(found.length)).replace('{label}', found[0].label));
  }
  return { score: best, reasons };
}

/** The risk level of a score, and its title: {level, title}. */
export function risk(value, table) {
  const level = table.levels.find((l) => value <= l.up_to);
  return { level: level.level, title: level.title };
}
