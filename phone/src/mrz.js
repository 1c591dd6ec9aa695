// Machine-readable zones (ICAO 9303) on the phone, as the library reads them
// (pixelsafe/text/mrz.py): zones found among OCR lines in reading order, OCR confusions
// repaired field by field, and a repair kept only when its field's check digit confirms
// it. The alphabet, the look-alikes and the filler patterns come from rules.json
// (`mrz`); the field layout of each format is written here once more, and both sides run
// one table of zones (tests/text-cases.json).
import { digitCount, mrzCheckDigit, spanBox } from './text.js';

const map = (s, table) => [...s].map((c) => table[c] ?? c).join('');
const isDigits = (s) => /^\d+$/.test(s);

/** OCR text to the zone's alphabet: uppercase, no spaces, the look-alikes of '<' mapped. */
export function normalise(text, rules) {
  let t = map(map(text, rules.lookalikes).toUpperCase().replaceAll(' ', ''), rules.lookalikes);
  for (const look of rules.filler_lookalikes) t = t.replaceAll(look, '<');
  return t;
}

/** '<' read as K or C in filler runs; a name line read without '<' gets its separators. */
export function repairFillers(line, rules) {
  let l = line;
  if (!l.replace(/[<KC]+$/, '').includes('<') && 'PIACV'.includes(l[0] ?? '-')
      && l.slice(4).includes('CC')) {
    l = l.slice(0, 4) + l.slice(4).replaceAll('CC', '<<');
  }
  l = l.replace(new RegExp(rules.filler_run, 'g'),
    (m) => ((m.match(/</g) || []).length >= 2 ? '<'.repeat(m.length) : m));
  l = l.replace(new RegExp(rules.trailing_fillers), (m) => '<'.repeat(m.length));
  if (l[0] === 'P' && l[1] !== '<' && /^\p{L}+$/u.test(l.slice(1, 4)) && l[4] !== '<'
      && l.length < 44) l = `P<${l.slice(1)}`;
  return l;
}

export function looksLikeMrz(text, rules) {
  const t = normalise(text, rules);
  return t.length >= 26 && new RegExp(rules.chars).test(t)
    && (t.includes('<') || digitCount(t) >= 12);
}

function looksLikeNameLine(text, rules) {
  const t = normalise(text, rules);
  return new RegExp(rules.name_line).test(t) && digitCount(t) <= 2;
}

/** Indices of consecutive zone-looking lines, grouped into zones of 2 or 3 lines. */
export function groupZones(texts, rules) {
  const zones = [];
  let run = [];
  const close = () => { if (run.length >= 2) zones.push(run.length >= 3 ? run.slice(-3) : run); };
  texts.forEach((t, i) => {
    if (looksLikeMrz(t, rules)) {
      if (run.length === 0 && i > 0 && looksLikeNameLine(texts[i - 1], rules)) run.push(i - 1);
      run.push(i);
      return;
    }
    close();
    run = [];
  });
  close();
  return zones.map((z) => {
    const lengths = z.map((i) => normalise(texts[i], rules).length);
    return z.length === 3 && Math.max(...lengths) > 33 ? z.slice(1) : z;
  });
}

function fixNumeric(value, check, rules) {
  const v = map(value, rules.to_digit);
  const c = map(check, rules.to_digit);
  return [v, c, isDigits(c) && isDigits(v.replaceAll('<', '0')) && mrzCheckDigit(v) === Number(c)];
}

/** The read value, every letter read as its look-alike digit, then one letter at a time. */
function candidates(value, rules) {
  const out = [value];
  const letters = [...value].flatMap((c, i) => (c in rules.to_digit ? [i] : []));
  if (letters.length) {
    out.push(map(value, rules.to_digit));
    if (letters.length > 1) {
      for (const i of letters) out.push(value.slice(0, i) + rules.to_digit[value[i]] + value.slice(i + 1));
    }
  }
  return [...new Set(out)];
}

function fixAlnum(value, check, rules) {
  const c = map(check, rules.to_digit);
  if (!isDigits(c)) return [value, c, false];
  for (const cand of candidates(value, rules)) {
    if (mrzCheckDigit(cand) === Number(c)) return [cand, c, true];
  }
  return [value, c, false];
}

const fit = (line, width) => (line.length < width ? line + '<'.repeat(width - line.length)
  : line.slice(0, width));
const strip = (s) => s.replace(/^<+|<+$/g, '');

function names(field, rules) {
  const f = strip(map(field, rules.to_alpha));
  const at = f.indexOf('<<');
  const [surname, given] = at < 0 ? [f, ''] : [f.slice(0, at), f.slice(at + 2)];
  return [surname.replaceAll('<', ' ').trim(), given.replaceAll('<', ' ').trim()];
}

function compositeOk(data, char, rules) {
  const c = map(char, rules.to_digit);
  return isDigits(c) && mrzCheckDigit(data) === Number(c);
}

function zone(fmt, lines, fields, checks, repaired, read) {
  const [surname, given] = fields.names;
  return {
    read_lengths: read.map((l) => l.length), format: fmt,
    document_type: fields.type, issuing_state: fields.state, surname, given_names: given,
    number: fields.number.replace(/<+$/, ''), nationality: fields.nationality,
    birth_date: fields.birth, sex: fields.sex, expiry_date: fields.expiry,
    verified: checks.length > 0 && checks.every(([, ok]) => ok),
    checks: Object.fromEntries(checks), repaired,
    kind: fields.type.startsWith('P') ? 'passport' : 'id_card', lines,
  };
}

function repairs(pairs) {
  return pairs.filter(([, old, now]) => old !== now).map(([name]) => name);
}

function td1(read, rules) {
  let [a, b] = read.map((x) => fit(x, rules.formats.TD1[1]));
  const c = fit(read[2], rules.formats.TD1[1]);
  const [number, nChk, nOk] = fixAlnum(a.slice(5, 14), a[14], rules);
  const [birth, bChk, bOk] = fixNumeric(b.slice(0, 6), b[6], rules);
  const [expiry, eChk, eOk] = fixNumeric(b.slice(8, 14), b[14], rules);
  a = a.slice(0, 5) + number + nChk + a.slice(15);
  b = birth + bChk + b[7] + expiry + eChk + b.slice(15);
  const composite = a.slice(5, 30) + b.slice(0, 7) + b.slice(8, 15) + b.slice(18, 29);
  const checks = [['number', nOk], ['birth_date', bOk], ['expiry_date', eOk],
    ['composite', compositeOk(composite, b[29], rules)]];
  const repaired = repairs([['number', read[0].slice(5, 14), number],
    ['birth_date', read[1].slice(0, 6), birth], ['expiry_date', read[1].slice(8, 14), expiry]]);
  return zone('TD1', [a, b, c], {
    type: map(a.slice(0, 2), rules.to_alpha).replace(/<+$/, ''),
    state: map(a.slice(2, 5), rules.to_alpha), names: names(c, rules), number,
    nationality: map(b.slice(15, 18), rules.to_alpha), birth, sex: b[7], expiry,
  }, checks, repaired, read);
}

function twoLine(read, fmt, rules) {
  const width = rules.formats[fmt][1];
  const a = fit(read[0], width);
  let b = fit(read[1], width);
  const [number, nChk, nOk] = fixAlnum(b.slice(0, 9), b[9], rules);
  const [birth, bChk, bOk] = fixNumeric(b.slice(13, 19), b[19], rules);
  const [expiry, eChk, eOk] = fixNumeric(b.slice(21, 27), b[27], rules);
  b = number + nChk + b.slice(10, 13) + birth + bChk + b[20] + expiry + eChk + b.slice(28);
  const checks = [['number', nOk], ['birth_date', bOk], ['expiry_date', eOk]];
  let composite;
  let compChar;
  if (fmt === 'TD3') {
    const personal = b.slice(28, 42);
    const pChk = map(b[42], rules.to_digit);
    // an empty personal number may carry '<' as its check digit
    checks.push(['personal_number', (pChk === '<' && /^<*$/.test(personal))
      || (isDigits(pChk) && mrzCheckDigit(personal) === Number(pChk))]);
    [composite, compChar] = [b.slice(0, 10) + b.slice(13, 20) + b.slice(21, 43), b[43]];
  } else {
    [composite, compChar] = [b.slice(0, 10) + b.slice(13, 20) + b.slice(21, 35), b[35]];
  }
  checks.push(['composite', compositeOk(composite, compChar, rules)]);
  const repaired = repairs([['number', read[1].slice(0, 9), number],
    ['birth_date', read[1].slice(13, 19), birth], ['expiry_date', read[1].slice(21, 27), expiry]]);
  return zone(fmt, [a, b], {
    type: map(a.slice(0, 2), rules.to_alpha).replace(/<+$/, ''),
    state: map(a.slice(2, 5), rules.to_alpha), names: names(a.slice(5), rules), number,
    nationality: map(b.slice(10, 13), rules.to_alpha), birth, sex: b[20], expiry,
  }, checks, repaired, read);
}

/** A zone's lines as OCR read them (2 of 36/44 or 3 of 30 characters) parsed and checked:
 * the library's Mrz.to_data() with its kind and lines, or null when the shape is wrong. */
export function parse(lines, rules) {
  let read = lines.map((x) => normalise(x, rules));
  if (read.length === 3) read = [read[0], read[1], repairFillers(read[2], rules)];
  else if (read.length === 2) read = [repairFillers(read[0], rules), read[1]];
  else return null;
  if (read.length === 3) return td1(read, rules);
  return twoLine(read, Math.max(...read.map((x) => x.length)) > 37 ? 'TD3' : 'TD2', rules);
}

/** The document around its zone: its sides and height from the zone's width. */
export function documentRect([zx1, , zx2, zy2], fmt, rules) {
  const width = zx2 - zx1;
  const [side, below] = rules.document_margin;
  return [zx1 - side * width, zy2 - rules.document_ratio[fmt] * width, zx2 + side * width,
    zy2 + below * width];
}

/** The identity documents a page's lines (in reading order) show by their zones, as the
 * library reports them (text/documents.py): {documents: [{label, box, score, verified,
 * mrz}], texts: each zone line as personal text, used: the indices of those lines}. */
export function readZones(lines, rules, pad) {
  const documents = [];
  const texts = [];
  const used = new Set();
  for (const idx of groupZones(lines.map((l) => l.text), rules)) {
    const read = parse(idx.map((i) => lines[i].text), rules);
    if (read === null) continue;
    idx.forEach((i) => used.add(i));
    const boxes = idx.map((i) => lines[i].box);
    const zoneBox = [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
      Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
    const score = read.verified ? 0.99 : 0.7;
    documents.push({
      kind: 'document', label: read.kind, box: documentRect(zoneBox, read.format, rules),
      score, verified: read.verified, mrz: read,
    });
    for (const i of idx) {
      texts.push({
        kind: 'personal_text', label: 'mrz', text: lines[i].text,
        score: Math.min(score, lines[i].score + 0.05), verified: read.verified,
        box: spanBox(lines[i], 0, lines[i].text.length, pad),
      });
    }
  }
  return { documents, texts, used };
}
