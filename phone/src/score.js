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

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const nameOf = (table, kind, label) => (table.names[kind] || {})[label] ?? label.replaceAll('_', ' ');
const short = (text, limit = 60) => (text.length <= limit ? text : `${text.slice(0, limit - 1)}…`);
const fold = (text) => text.toLowerCase().split(/\s+/).filter(Boolean).join(' ');

/** Card and account numbers are named by their last four characters only. */
function mask(label, text) {
  if (label === 'payment_card' || label === 'iban') {
    return `…${text.replace(/[^\p{L}\p{N}]/gu, '').slice(-4)}`;
  }
  return short(text, 40);
}

function textParts(findings, table) {
  const parts = [];
  for (const f of findings.filter((x) => x.kind === 'document')) {
    const name = nameOf(table, f.kind, f.label);
    if (f.label !== 'passport' && f.label !== 'id_card') {
      parts.push(name);
      continue;
    }
    const d = f.data || {};
    const state = d.verified ? 'MRZ verified' : 'MRZ read, check digits do not match';
    const holder = [d.surname, d.given_names].filter(Boolean).join(', ');
    const article = 'AEIOU'.includes(name[0]) ? 'an' : 'a';
    parts.push(holder ? `${article} ${name} (${state}) for ${holder}` : `${article} ${name} (${state})`);
  }
  // each value once, and not the names the document's holder already gives
  const holders = new Set(findings.filter((f) => f.kind === 'document')
    .flatMap((f) => fold(`${f.data?.surname ?? ''} ${f.data?.given_names ?? ''}`.replaceAll(',', ' '))
      .split(' ').filter(Boolean)));
  const counts = new Map();
  for (const f of findings) {
    if (f.kind !== 'personal_text' || f.label === 'mrz') continue;
    const text = f.text || '';
    if (f.label === 'person_name' && text && fold(text).split(' ').every((w) => holders.has(w))) continue;
    if (!counts.has(f.label)) counts.set(f.label, new Map());
    const values = counts.get(f.label);
    if (!values.has(fold(text))) values.set(fold(text), mask(f.label, text));
  }
  for (const [label, values] of counts) {
    const name = nameOf(table, 'personal_text', label);
    const shown = [...values.values()].filter(Boolean).slice(0, 3).join(', ');
    parts.push(shown ? `${plural(values.size, name)} (${shown})` : plural(values.size, name));
  }
  for (const f of findings.filter((x) => x.kind === 'barcode')) {
    const payload = f.data?.payload_type ?? 'text';
    parts.push(`a ${f.label.replaceAll('_', ' ')} with ${table.payload_names[payload] ?? payload}`);
  }
  return parts;
}

/** The explanation, in the library's words (fuse.explain): a sentence built only from the
 * findings ({kind, label, text, data}), and what was checked when nothing was found. */
export function explain(findings, table, checked = []) {
  const parts = [];
  const faces = findings.filter((f) => f.kind === 'face').length;
  if (faces) parts.push(plural(faces, 'face'));
  parts.push(...textParts(findings, table));
  for (const f of findings) {
    if (f.kind === 'location' && f.text) parts.push(`GPS position ${f.text}`);
  }
  let sentence;
  if (parts.length) sentence = `${parts.join('; ')}.`;
  else sentence = checked.length ? `Nothing found (checked: ${checked.join(', ')}).` : 'Nothing checked.';
  return sentence[0].toUpperCase() + sentence.slice(1);
}

/** A position as the library prints it: 48.8584 N, 2.2945 E. */
export function formatLatLon(lat, lon) {
  return `${Math.abs(lat).toFixed(4)} ${lat >= 0 ? 'N' : 'S'}, ${Math.abs(lon).toFixed(4)} ${lon >= 0 ? 'E' : 'W'}`;
}
