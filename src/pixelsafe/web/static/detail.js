// The detail view: the photo with each finding's numbered box, per-finding toggles, manual
// boxes, metadata with strip, the explanation, and export, encrypt and restore.
//
// "Preview redaction" shows the export itself: the server runs the export with the page's
// choices (toggles, manual boxes, style) and sends it at display size with every region it
// got, escalations included. A protected photo, or one its privacy mode hides, opens in
// that preview; showing the original is a choice the user makes.
import { api, download, imageUrl, showImage } from './api.js';
import { policy, redactedByDefault } from './config.js';
import { badge, el, toast } from './dom.js';
import { hidden, state } from './gallery.js';

const $ = (id) => document.getElementById(id);
const dialog = $('detail');
let current = null;
let keep = new Set();
let manual = [];
let drawing = null;
let onChange = () => {};
let pollTimer = null;
let previewUrl = null;
let previewTimer = null;
let previewSerial = 0;
/** the rendition the image shows (null: a preview, or nothing yet) */
let shownPath = null;
/** a photo with this many faces lists them as one row, folded ("56 faces, 87-95 %") */
const FACE_GROUP = 8;
/** the face group's rows are shown (the user unfolded it) */
let facesOpen = false;

function size() {
  const info = current.report.image;
  return { w: info.width, h: info.height };
}

function place(node, box) {
  const { w, h } = size();
  node.style.left = `${(100 * box[0]) / w}%`;
  node.style.top = `${(100 * box[1]) / h}%`;
  node.style.width = `${(100 * (box[2] - box[0])) / w}%`;
  node.style.height = `${(100 * (box[3] - box[1])) / h}%`;
}

function kindTitle(kind) {
  const found = policy.kinds.find((k) => k.kind === kind);
  return found ? found.one : kind;
}

// Findings with a box get a number, shown on the box and in the table's first column;
// each also knows its place among the findings of its kind ("Face 3 of 16").
function numbering() {
  const boxed = current.report.findings.filter((f) => f.box);
  const perKind = {};
  const totals = {};
  for (const f of boxed) totals[f.kind] = (totals[f.kind] || 0) + 1;
  const out = new Map();
  boxed.forEach((f, i) => {
    perKind[f.kind] = (perKind[f.kind] || 0) + 1;
    out.set(f.id, { n: i + 1, k: perKind[f.kind], of: totals[f.kind] });
  });
  return out;
}

function labelName(f) {
  const found = policy.kinds.find((k) => k.kind === f.kind);
  return (found && found.labels[f.label]) || f.label.replace(/_/g, ' ');
}

function percent(f) {
  return f.confidence == null ? '' : `${Math.round(f.confidence * 100)} %`;
}

function accessibleName(f, num) {
  const pct = percent(f);
  return `${kindTitle(f.kind)} ${num.k} of ${num.of}${pct ? `, ${pct}` : ''}`;
}

function highlight(id, on) {
  for (const node of document.querySelectorAll(`#overlay [data-finding="${id}"], #findings tr[data-finding="${id}"]`)) {
    node.classList.toggle('hl', on);
  }
}

function drawBoxes() {
  const overlay = $('overlay');
  overlay.replaceChildren();
  if (!current.report) return;
  const numbers = numbering();
  for (const f of current.report.findings) {
    if (!f.box) continue;
    const num = numbers.get(f.id);
    const redact = redactedByDefault(f) && !keep.has(f.id);
    const vlm = f.source === 'vlm';
    const node = el('div', {
      class: `box kind-${f.kind}${redact ? '' : ' kept'}${vlm ? ' from-vlm' : ''}`, 'data-finding': f.id,
      title: `${num.n}. ${kindTitle(f.kind)}, ${labelName(f)}${f.text ? `: ${f.text}` : ''}${vlm ? ' (VLM)' : ''}`,
    });
    node.append(el('span', { class: 'box-label', text: String(num.n), 'aria-hidden': 'true' }));
    node.addEventListener('mouseenter', () => highlight(f.id, true));
    node.addEventListener('mouseleave', () => highlight(f.id, false));
    place(node, f.box);
    overlay.append(node);
  }
  manual.forEach((box, i) => {
    const node = el('div', { class: 'box manual', 'data-manual': i, title: `manual box ${i + 1}` });
    node.append(el('span', { class: 'box-label', text: `M${i + 1}`, 'aria-hidden': 'true' }));
    place(node, box);
    overlay.append(node);
  });
}

function value(f) {
  if (f.data && typeof f.data.lat === 'number') return `${f.data.lat.toFixed(6)}, ${f.data.lon.toFixed(6)}`;
  if (f.data && f.data.display) return f.data.display;
  if (f.text) return f.text;
  return f.data ? JSON.stringify(f.data) : '';
}

function setKeep(id, kept) {
  if (kept) keep.add(id); else keep.delete(id);
}

function choicesChanged() {
  fillTables();
  drawBoxes();
  schedulePreview();
}

function toggleHint(f, redactable) {
  if (f.kind === 'document' && redactable) return 'Filled whole, portrait and every field. Untick to redact only what was read on it, field by field.';
  if (f.kind === 'document') return 'A page of text is not filled whole: the personal text on it is redacted line by line. Draw a box to hide more.';
  if (!redactable) return 'Not redacted in the image.';
  return '';
}

function fillTables() {
  const rows = [];
  const meta = [];
  const numbers = numbering();
  // the detectors' faces; one only the VLM saw keeps its own row, in sight
  const faces = current.report.findings.filter((f) => f.kind === 'face' && f.box && f.source !== 'vlm');
  const grouped = faces.length >= FACE_GROUP;
  for (const f of current.report.findings) {
    if (grouped && f === faces[0]) rows.push(faceGroupRow(faces, numbers));
    if (f.kind === 'metadata' || f.kind === 'location') {
      meta.push(el('tr', { 'data-label': f.label }, el('th', { scope: 'row', text: f.label }), el('td', { text: value(f) })));
      if (!f.box) continue;
    }
    const num = numbers.get(f.id);
    const redactable = redactedByDefault(f) && f.box;
    const toggle = el('input', {
      type: 'checkbox', 'aria-label': `Redact ${num ? accessibleName(f, num) : `${kindTitle(f.kind)} ${f.label}`}`,
      'data-finding': f.id, checked: redactable && !keep.has(f.id), disabled: !redactable,
      title: toggleHint(f, redactable),
    });
    toggle.addEventListener('change', () => { setKeep(f.id, !toggle.checked); choicesChanged(); });
    const source = f.source === 'vlm'
      ? el('span', { class: 'tag vlm', text: 'VLM', title: `${f.data.model} (prompt ${f.data.prompt_version})${f.data.flag ? ', not found by the detectors' : ''}` })
      : (f.data && f.data.confirmed_by ? el('span', { class: 'tag confirmed', text: '✓ VLM', title: `confirmed by ${f.data.confirmed_by.model}` }) : null);
    const row = el('tr', { 'data-finding': f.id, 'data-source': f.source },
      el('td', { class: 'num', text: num ? String(num.n) : '' }),
      el('td', {}, toggle), el('td', {}, kindTitle(f.kind), source ? ' ' : null, source),
      el('td', { text: labelName(f) }),
      el('td', { class: `text${f.label === 'mrz' ? ' mrz' : ''}`, text: f.text || '' }),
      el('td', { text: percent(f) }));
    row.addEventListener('mouseenter', () => highlight(f.id, true));
    row.addEventListener('mouseleave', () => highlight(f.id, false));
    row.addEventListener('focusin', () => highlight(f.id, true));
    row.addEventListener('focusout', () => highlight(f.id, false));
    if (grouped && faces.includes(f)) {
      row.classList.add('in-group');
      row.hidden = !facesOpen;
    }
    rows.push(row);
  }
  manual.forEach((box, i) => {
    const remove = el('button', { type: 'button', text: 'Remove', 'aria-label': `Remove manual box ${i + 1}` });
    remove.addEventListener('click', () => { manual.splice(i, 1); choicesChanged(); });
    rows.push(el('tr', { class: 'manual-row' }, el('td', { class: 'num', text: `M${i + 1}` }),
      el('td', {}, remove), el('td', { text: 'Manual box' }),
      el('td', { text: '' }), el('td', { class: 'text', text: box.join(', ') }), el('td', { text: '' })));
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 6, text: 'Nothing found.' })));
  if (!meta.length) meta.push(el('tr', {}, el('td', { colspan: 2, text: 'No metadata found.' })));
  $('findings').replaceChildren(...rows);
  $('metadata').replaceChildren(...meta);
  $('faces-all').hidden = $('faces-none').hidden = current.report.findings.filter((f) => f.kind === 'face' && f.box).length < 2;
}

// Many faces (a group photo) are one row: how many, their confidence range, one toggle
// for all (mixed when some are kept), and a button that unfolds the row of each.
function faceGroupRow(faces, numbers) {
  const kept = faces.filter((f) => keep.has(f.id)).length;
  const pcts = faces.map((f) => Math.round(f.confidence * 100));
  const range = `${Math.min(...pcts)}–${Math.max(...pcts)} %`;
  const nums = faces.map((f) => numbers.get(f.id).n);
  const toggle = el('input', {
    // mixed: unticked and marked so; a click then redacts them all
    type: 'checkbox', class: 'group-toggle', checked: kept === 0,
    'aria-label': `Redact all ${faces.length} faces`,
  });
  toggle.indeterminate = kept > 0 && kept < faces.length;
  toggle.addEventListener('change', () => {
    for (const f of faces) setKeep(f.id, !toggle.checked);
    choicesChanged();
  });
  const unfold = el('button', {
    type: 'button', class: 'unfold', 'aria-expanded': String(facesOpen),
    text: facesOpen ? 'Fold' : 'Show each',
  });
  unfold.addEventListener('click', () => { facesOpen = !facesOpen; fillTables(); });
  const counted = kept ? `${faces.length} faces, ${faces.length - kept} redacted` : `${faces.length} faces`;
  return el('tr', { class: 'face-group', 'data-kind': 'face' },
    el('td', { class: 'num', text: `${Math.min(...nums)}–${Math.max(...nums)}` }),
    el('td', {}, toggle), el('td', {}, kindTitle('face'), ' ', unfold),
    el('td', { text: counted }), el('td', { class: 'text', text: '' }), el('td', { text: range }));
}

// -- errors where the eye is: inside the dialog, until dismissed ------------------------
export function showError(message) {
  if (!dialog.open) { toast(message, 'error'); return; }
  $('detail-error-text').textContent = message;
  $('detail-error').hidden = false;
  $('detail-error').scrollIntoView({ block: 'nearest' });
}

function clearError() {
  $('detail-error').hidden = true;
  $('detail-error-text').textContent = '';
}

function say(message) {
  $('detail-note').textContent = message;
}

// a passphrase the page refuses is said under its field, where the eye is
function passphraseError(message) {
  $('passphrase-error').textContent = message;
  $('passphrase-error').hidden = !message;
  if (message) $('passphrase').setAttribute('aria-invalid', 'true');
  else $('passphrase').removeAttribute('aria-invalid');
}

// a photo opens with nothing typed for the previous one left in the forms
function resetForms() {
  dialog.querySelector('.manual-form').open = false;
  $('box-form').reset();
  $('restore-form').reset();
  $('passphrase').value = '';
  passphraseError('');
}

// -- the image: original, or the export's own preview ------------------------------------
async function showOriginal() {
  const path = `/api/images/${current.id}/thumb?size=display`;
  $('preview-note').textContent = '';
  if (shownPath === path) return; // the same rendition, polled while the analysis runs
  const serial = ++previewSerial;
  $('stage').setAttribute('aria-busy', 'true');
  try {
    const url = await imageUrl(path);
    if (serial !== previewSerial) { URL.revokeObjectURL(url); return; }
    showImage($('detail-img'), url);
    $('detail-img').dataset.shows = 'original';
    shownPath = path;
  } catch (err) {
    if (serial === previewSerial) showError(`The photo could not be shown: ${err.message}`);
  } finally {
    if (serial === previewSerial) $('stage').removeAttribute('aria-busy');
  }
}

function base64Blob(text, type) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type });
}

function describePlan(plan) {
  const escalated = plan.regions.filter((r) => r.kind === 'face' && r.style === 'fill' && $('style').value !== 'fill');
  const lines = plan.regions.filter((r) => r.kind === 'text_line');
  const extra = plan.regions.filter((r) => !r.finding && r.kind !== 'manual' && r.kind !== 'text_line');
  const parts = [`${plan.regions.length} region${plan.regions.length === 1 ? '' : 's'} as the export writes ${plan.regions.length === 1 ? 'it' : 'them'}`];
  if (lines.length) parts.push(`${lines.length} line${lines.length === 1 ? '' : 's'} of text filled (hide all text)`);
  if (escalated.length) parts.push(`${escalated.length} face region${escalated.length === 1 ? '' : 's'} filled solid because the face detector still saw a face after blurring`);
  if (plan.added.length) parts.push(`the check after redaction found ${plan.added.length} more (${plan.added.map((a) => a.label).join(', ')}) and redacted ${plan.added.length === 1 ? 'it' : 'them'} too`);
  else if (extra.length) parts.push(`${extra.length} added by the checks`);
  return `${parts.join('; ')}.`;
}

async function showPreview() {
  const serial = ++previewSerial;
  const img = $('detail-img');
  $('stage').setAttribute('aria-busy', 'true');
  $('preview-note').textContent = 'Preparing the export preview…';
  // an earlier preview stays in view meanwhile, but is no longer what the export writes
  if (img.dataset.shows === 'preview') img.dataset.shows = 'earlier-preview';
  try {
    const plan = await api(`/api/images/${current.id}/preview`, { method: 'POST', json: protectBody() });
    if (serial !== previewSerial || !$('preview').checked) return;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(base64Blob(plan.jpeg, 'image/jpeg'));
    img.src = previewUrl;
    img.dataset.shows = 'preview';
    shownPath = null;
    $('preview-note').textContent = describePlan(plan);
  } catch (err) {
    if (serial !== previewSerial) return;
    $('preview-note').textContent = '';
    showError(`The preview could not be made: ${err.message}`);
  } finally {
    if (serial === previewSerial) $('stage').removeAttribute('aria-busy');
  }
}

function refreshImage() {
  const ready = current.state === 'done';
  const wantsPreview = $('preview').checked;
  if (wantsPreview && ready) { showPreview(); return; }
  previewSerial++;
  if (wantsPreview && !ready) {
    // protected or hidden, and not analysed yet: nothing to show until it is
    $('detail-img').removeAttribute('src');
    delete $('detail-img').dataset.shows;
    shownPath = null;
    $('preview-note').textContent = 'Shown once analysed (this photo is protected or hidden in this mode).';
    return;
  }
  showOriginal();
}

function schedulePreview() {
  if (!$('preview').checked) return;
  clearTimeout(previewTimer);
  previewTimer = setTimeout(refreshImage, 400);
}

function render() {
  $('detail-title').textContent = current.name;
  badge($('detail-badge'), current);
  $('detail-img').alt = `${current.name}, with the numbered boxes of ${current.findings} findings`;
  $('detail-explanation').textContent = current.explanation || '';
  $('detail-action').textContent = current.recommended_action || '';
  $('detail-state').textContent = current.state === 'done' ? '' : (current.error ? `Analysis failed: ${current.error.message}` : `Analysis ${current.state}…`);
  const ready = current.state === 'done';
  for (const id of ['export', 'encrypt', 'draw']) $(id).disabled = !ready;
  $('protected-note').hidden = !current.locked;
  if (ready) { fillTables(); drawBoxes(); } else {
    $('findings').replaceChildren();
    $('metadata').replaceChildren();
    $('overlay').replaceChildren();
  }
  refreshImage();
}

async function fetchCurrent(id) {
  const wasDone = current && current.id === id && current.state === 'done';
  current = await api(`/api/images/${id}`);
  if (!wasDone || current.state !== 'done') render();
  clearTimeout(pollTimer);
  if (current.state === 'queued' || current.state === 'running') {
    pollTimer = setTimeout(() => dialog.open && fetchCurrent(id), 1000);
  }
}

export async function openDetail(id, changed) {
  onChange = changed;
  keep = new Set();
  manual = [];
  facesOpen = false;
  current = null;
  // never the previous photo under the new title: the image is cleared at once
  $('detail-img').removeAttribute('src');
  delete $('detail-img').dataset.shows;
  shownPath = null;
  setDrawing(false);
  clearError();
  say('');
  resetForms();
  const known = state.images.get(id);
  // protected, or hidden by the privacy mode: opens redacted; the original is a choice
  $('preview').checked = Boolean(known && hidden(known, state.mode));
  try {
    await fetchCurrent(id);
    if (current.locked) $('preview').checked = true;
    if (!dialog.open) dialog.showModal();
    // and at the top (a closed dialog keeps its scroll position, and cannot be scrolled)
    for (const node of [dialog, ...dialog.querySelectorAll('.detail-body, .side, .table-wrap')]) node.scrollTop = 0;
  } catch (err) { toast(err.message, 'error'); }
}

function setDrawing(on) {
  $('draw').setAttribute('aria-pressed', String(on));
  $('overlay').classList.toggle('drawing', on);
}

function point(event) {
  const rect = $('overlay').getBoundingClientRect();
  const { w, h } = size();
  const x = Math.min(Math.max(event.clientX - rect.left, 0), rect.width);
  const y = Math.min(Math.max(event.clientY - rect.top, 0), rect.height);
  return [Math.round((x * w) / rect.width), Math.round((y * h) / rect.height)];
}

function addManual(box) {
  const [x1, y1, x2, y2] = box;
  const b = [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
  if (b[2] - b[0] < 2 || b[3] - b[1] < 2) return;
  manual.push(b);
  choicesChanged();
}

function protectBody() {
  return { style: $('style').value, keep: [...keep], boxes: manual, all_text: $('all-text').checked };
}

async function run(button, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  clearError();
  say('');
  try { await action(); } catch (err) { showError(err.message); } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

function added(headers) {
  const n = Number(headers.get('X-PixelSafe-Added') || 0);
  return n ? ` The check after redaction found ${n} more finding${n === 1 ? '' : 's'} and redacted ${n === 1 ? 'it' : 'them'} too.` : '';
}

export function initDetail() {
  $('detail-close').addEventListener('click', () => dialog.close());
  $('detail-error-close').addEventListener('click', clearError);
  dialog.addEventListener('close', () => {
    clearTimeout(pollTimer);
    previewSerial++;
    if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
    onChange();
  });
  $('draw').addEventListener('click', () => setDrawing($('draw').getAttribute('aria-pressed') !== 'true'));
  $('preview').addEventListener('change', refreshImage);
  $('style').addEventListener('change', schedulePreview);
  $('all-text').addEventListener('change', schedulePreview);
  $('faces-all').addEventListener('click', () => {
    for (const f of current.report.findings) if (f.kind === 'face') keep.delete(f.id);
    choicesChanged();
  });
  $('faces-none').addEventListener('click', () => {
    for (const f of current.report.findings) if (f.kind === 'face' && f.box) keep.add(f.id);
    choicesChanged();
  });
  const overlay = $('overlay');
  overlay.addEventListener('pointerdown', (event) => {
    if (!overlay.classList.contains('drawing')) return;
    event.preventDefault();
    overlay.setPointerCapture(event.pointerId);
    drawing = { start: point(event), node: el('div', { class: 'box manual drawing-box' }) };
    overlay.append(drawing.node);
  });
  overlay.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const [x, y] = point(event);
    const [sx, sy] = drawing.start;
    place(drawing.node, [Math.min(sx, x), Math.min(sy, y), Math.max(sx, x), Math.max(sy, y)]);
  });
  overlay.addEventListener('pointerup', (event) => {
    if (!drawing) return;
    const box = [...drawing.start, ...point(event)];
    drawing.node.remove();
    drawing = null;
    addManual(box);
  });
  $('box-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const { w, h } = size();
    const clamp = (v, m) => Math.min(Math.max(Number(v), 0), m);
    addManual([clamp(form.get('x1'), w), clamp(form.get('y1'), h), clamp(form.get('x2'), w), clamp(form.get('y2'), h)]);
  });
  $('export').addEventListener('click', () => run($('export'), async () => {
    const { name, headers } = await download(`/api/images/${current.id}/export`, { method: 'POST', json: protectBody() });
    say(`Saved ${name}: redacted, checked again, no metadata.${added(headers)}`);
    onChange();
  }));
  $('passphrase').addEventListener('input', () => passphraseError(''));
  $('encrypt').addEventListener('click', () => {
    const passphrase = $('passphrase').value;
    if (passphrase.length < policy.minPassphrase) {
      passphraseError(`Choose a passphrase of at least ${policy.minPassphrase} characters.`);
      $('passphrase').focus();
      return;
    }
    passphraseError('');
    encrypt(passphrase);
  });
  const encrypt = (passphrase) => run($('encrypt'), async () => {
    const { name, headers } = await download(`/api/images/${current.id}/encrypt`, { method: 'POST', json: { ...protectBody(), passphrase } });
    $('passphrase').value = '';
    const weak = headers.get('X-PixelSafe-Warning');
    say(`Saved ${name}. Keep the passphrase: it is not stored anywhere.${added(headers)}${weak ? ` Warning: ${weak}.` : ''}`);
    onChange();
  });
  $('strip').addEventListener('click', () => run($('strip'), async () => {
    const { name } = await download(`/api/images/${current.id}/strip`, { method: 'POST' });
    say(`Saved ${name} without metadata.`);
  }));
  $('restore-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const button = event.target.querySelector('button');
    run(button, async () => {
      const form = new FormData();
      form.append('file', $('restore-file').files[0]);
      form.append('passphrase', $('restore-pass').value);
      const { name, headers } = await download('/api/restore', { method: 'POST', form });
      $('restore-pass').value = '';
      const warning = headers.get('X-PixelSafe-Warning');
      // a restored JPEG comes back as a PNG: say why, so the new suffix is no surprise
      const why = name.endsWith('.png')
        ? ' It is a PNG so that the original pixels come back exactly: a JPEG would lose some of them again.'
        : '';
      say(`Restored ${name}.${why}${warning ? ` Warning: ${warning}` : ''}`);
    });
  });
  $('delete').addEventListener('click', () => run($('delete'), async () => {
    if (!window.confirm(`Move ${current.name} to the library's trash folder? Its previews and report are deleted now; the file stays in the trash until you empty it.`)) return;
    await api(`/api/images/${current.id}`, { method: 'DELETE' });
    dialog.close();
    toast(`${current.name} moved to the trash folder.`);
  }));
}
