// What a code's payload gives away, as the library classifies it (text/payloads.py): Wi-Fi
// credentials, boarding passes (IATA BCBP), contacts (vCard, MECARD), mailto/tel/sms
// links, EPC payment codes, URLs and plain text, each with the personal fields inside. A
// Wi-Fi password is never copied. Both sides run one table of payloads
// (tests/text-cases.json).
import { findAll, ibanOk } from './text.js';

/** `K:v;K2:v2;;` with backslash escapes (Wi-Fi and MECARD share this syntax). */
function mecardFields(body) {
  const out = {};
  let key = null;
  let buf = '';
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length) {
      buf += body[i + 1];
      i += 1;
    } else if (c === ':' && key === null) {
      key = buf.toUpperCase();
      buf = '';
    } else if (c === ';') {
      if (key !== null && !(key in out)) out[key] = buf;
      key = null;
      buf = '';
    } else {
      buf += c;
    }
  }
  if (key !== null && !(key in out)) out[key] = buf;
  return out;
}

const kept = (fields) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v));
const words = (s) => s.split(/\s+/).filter(Boolean).join(' ');
const stripChars = (s, chars) => {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a])) a += 1;
  while (b > a && chars.includes(s[b - 1])) b -= 1;
  return s.slice(a, b);
};

function vcard(text) {
  const fields = {};
  for (const raw of text.split(/\r?\n/)) {
    const at = raw.indexOf(':');
    if (at < 0) continue;
    const key = raw.slice(0, at).split(';')[0].toUpperCase();
    const value = raw.slice(at + 1).replaceAll(';', ' ').trim();
    if (!value) continue;
    const first = (k, v) => { if (!(k in fields)) fields[k] = v; };
    if (key === 'FN' || (key === 'N' && !('person_name' in fields))) {
      fields.person_name = words(value);
    } else if (key === 'TEL') first('phone', value);
    else if (key === 'EMAIL') first('email', value);
    else if (key === 'ADR') first('address', words(value));
    else if (key === 'BDAY') first('date_of_birth', value);
    else if (key === 'ORG') first('organisation', value);
  }
  return { type: 'contact', critical: false, fields };
}

/** IATA Resolution 792's mandatory items of the first leg. */
function bcbp(text) {
  if (text.length < 60 || text[0] !== 'M' || !/\d/.test(text[1])) return null;
  const name = text.slice(2, 22).trim();
  const alpha = (s) => /^\p{L}+$/u.test(s);
  if (!(alpha(text.slice(30, 33)) && alpha(text.slice(33, 36)) && name.includes('/'))) return null;
  const at = name.indexOf('/');
  return {
    type: 'boarding_pass', critical: true,
    fields: {
      person_name: stripChars(`${name.slice(0, at).trim()}, ${name.slice(at + 1).trim()}`, ', '),
      booking_reference: text.slice(23, 30).trim(),
    },
  };
}

/** The European Payments Council's QR code (a SEPA credit transfer). */
function epc(text, rules) {
  const rows = text.split(/\r\n|\r|\n/);
  if (rows.length < 7 || rows[0].trim() !== 'BCD') return null;
  const iban = rows[6].trim().replaceAll(' ', '');
  return {
    type: 'payment', critical: true, fields: kept({ person_name: rows[5].trim(), iban }),
    ibanValid: ibanOk(iban, rules.iban_lengths),
  };
}

/** A link's target: what follows its scheme, before its query, decoded. */
function target(text) {
  const rest = text.slice(text.indexOf(':') + 1).split(/[?#]/)[0];
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** Personal data inside free text, by the recognisers the phone runs on OCR lines. */
function textFields(text, rules) {
  const out = {};
  for (const m of findAll(text, '', rules)) {
    if (!(m.label in out)) out[m.label] = m.text;
  }
  return out;
}

/** {type, critical, fields} of a decoded code's text (Python: classify). `rules`: the text
 * rules of rules.json. */
export function classify(text, rules) {
  const head = text.slice(0, 8).toUpperCase();
  if (head.startsWith('WIFI:')) {
    const f = mecardFields(text.slice(5));
    return { type: 'wifi', critical: Boolean(f.P), fields: { wifi_ssid: f.S ?? '' } };
  }
  if (head.startsWith('MECARD:')) {
    const f = mecardFields(text.slice(7));
    return {
      type: 'contact', critical: false,
      fields: kept({
        person_name: stripChars((f.N ?? '').replaceAll(',', ', '), ', '), phone: f.TEL ?? '',
        email: f.EMAIL ?? '', address: f.ADR ?? '',
      }),
    };
  }
  if (head.startsWith('BEGIN:VC')) return vcard(text);
  if (head.startsWith('MAILTO:')) return { type: 'email_link', critical: false, fields: { email: target(text) } };
  if (head.startsWith('TEL:')) {
    return { type: 'phone_link', critical: false, fields: { phone: text.slice(4).trim() } };
  }
  if (head.startsWith('SMS:') || head.startsWith('SMSTO:')) {
    const number = head.startsWith('SMSTO:') ? text.split(':')[1]
      : text.slice(text.indexOf(':') + 1).split(/[?#]/)[0];
    return { type: 'sms_link', critical: false, fields: { phone: number.trim() } };
  }
  const payment = epc(text, rules);
  if (payment) return payment;
  const pass = bcbp(text);
  if (pass) return pass;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return { type: 'url', critical: false, fields: textFields(text, rules) };
  }
  return { type: 'text', critical: false, fields: textFields(text, rules) };
}
