// The detail view: the photo with each finding's box, per-finding toggles, manual boxes,
// metadata with strip, the explanation, and export, encrypt and restore.
import { api, download } from './api.js';
import { policy } from './config.js';
import { badge, el, toast } from './dom.js';

const $ = (id) => document.getElementById(id);
const dialog = $('detail');
let current = null;
let keep = new Set();
let manual = [];
let drawing = null;
let onChange = () => {};
let pollTimer = null;

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

function drawBoxes() {
  const overlay = $('overlay');
  overlay.replaceChildren();
  if (!current.report) return;
  for (const f of current.report.findings) {
    if (!f.box) continue;
    const redact = policy.redacted.has(f.kind) && !keep.has(f.id);
    const vlm = f.source === 'vlm';
    const node = el('div', {
      class: `box kind-${f.kind}${redact ? '' : ' kept'}${vlm ? ' from-vlm' : ''}`, 'data-finding': f.id,
      title: `${f.kind} ${f.label}${f.text ? `: ${f.text}` : ''}${vlm ? ' (VLM)' : ''}`,
    });
    node.append(el('span', { class: 'box-label', text: vlm ? `${f.label} · VLM` : f.label }));
    place(node, f.box);
    overlay.append(node);
  }
  manual.forEach((box, i) => {
    const node = el('div', { class: 'box manual', 'data-manual': i, title: 'manual box' });
    place(node, box);
    overlay.append(node);
  });
}

function value(f) {
  if (f.data && typeof f.data.lat === 'number') return `${f.data.lat.toFixed(6)}, ${f.data.lon.toFixed(6)}`;
  if (f.text) return f.text;
  return f.data ? JSON.stringify(f.data) : '';
}

function fillTables() {
  const rows = [];
  const meta = [];
  for (const f of current.report.findings) {
    if (f.kind === 'metadata' || f.kind === 'location') {
      meta.push(el('tr', { 'data-label': f.label }, el('th', { scope: 'row', text: f.label }), el('td', { text: value(f) })));
      if (!f.box) continue;
    }
    const redactable = policy.redacted.has(f.kind) && f.box;
    const toggle = el('input', {
      type: 'checkbox', 'aria-label': `Redact ${f.label} ${f.id}`, 'data-finding': f.id,
      checked: redactable && !keep.has(f.id), disabled: !redactable,
    });
    toggle.addEventListener('change', () => {
      if (toggle.checked) keep.delete(f.id); else keep.add(f.id);
      drawBoxes();
      refreshPreview();
    });
    const source = f.source === 'vlm'
      ? el('span', { class: 'tag vlm', text: 'VLM', title: `${f.data.model} (prompt ${f.data.prompt_version})${f.data.flag ? ', not found by the detectors' : ''}` })
      : (f.data && f.data.confirmed_by ? el('span', { class: 'tag confirmed', text: '✓ VLM', title: `confirmed by ${f.data.confirmed_by.model}` }) : null);
    rows.push(el('tr', { 'data-finding': f.id, 'data-source': f.source },
      el('td', {}, toggle), el('td', {}, f.kind, source ? ' ' : null, source), el('td', { text: f.label }),
      el('td', { class: 'text', text: f.text || '' }),
      el('td', { text: f.confidence == null ? '' : f.confidence.toFixed(2) })));
  }
  manual.forEach((box, i) => {
    const remove = el('button', { type: 'button', text: 'Remove', 'aria-label': `Remove manual box ${i + 1}` });
    remove.addEventListener('click', () => { manual.splice(i, 1); fillTables(); drawBoxes(); });
    rows.push(el('tr', { class: 'manual-row' }, el('td', {}, remove), el('td', { text: 'manual' }),
      el('td', { text: 'box' }), el('td', { text: box.join(', ') }), el('td', { text: '' })));
  });
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 5, text: 'Nothing found.' })));
  if (!meta.length) meta.push(el('tr', {}, el('td', { colspan: 2, text: 'No metadata found.' })));
  $('findings').replaceChildren(...rows);
  $('metadata').replaceChildren(...meta);
}

function refreshPreview() {
  const img = $('detail-img');
  const redacted = $('preview').checked && current.state === 'done';
  // the server's redacted render uses the default choices; toggles apply on export
  img.src = `/api/images/${current.id}/thumb?size=display${redacted ? '&redacted=1' : ''}`;
}

function render() {
  $('detail-title').textContent = current.name;
  badge($('detail-badge'), current);
  $('detail-img').alt = `${current.name}, with the boxes of ${current.findings} findings`;
  $('detail-explanation').textContent = current.explanation || '';
  $('detail-state').textContent = current.state === 'done' ? '' : (current.error ? `Analysis failed: ${current.error.message}` : `Analysis ${current.state}…`);
  const ready = current.state === 'done';
  for (const id of ['export', 'encrypt', 'draw', 'preview']) $(id).disabled = !ready;
  if (ready) { fillTables(); drawBoxes(); } else {
    $('findings').replaceChildren();
    $('metadata').replaceChildren();
    $('overlay').replaceChildren();
  }
  refreshPreview();
}

async function fetchCurrent(id) {
  current = await api(`/api/images/${id}`);
  render();
  clearTimeout(pollTimer);
  if (current.state === 'queued' || current.state === 'running') {
    pollTimer = setTimeout(() => dialog.open && fetchCurrent(id), 1000);
  }
}

export async function openDetail(id, changed) {
  onChange = changed;
  keep = new Set();
  manual = [];
  setDrawing(false);
  $('preview').checked = false;
  try {
    await fetchCurrent(id);
    if (!dialog.open) dialog.showModal();
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
  fillTables();
  drawBoxes();
}

function protectBody() {
  return { style: $('style').value, keep: [...keep], boxes: manual };
}

async function run(button, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try { await action(); } catch (err) { toast(err.message, 'error'); } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

export function initDetail() {
  $('detail-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { clearTimeout(pollTimer); onChange(); });
  $('draw').addEventListener('click', () => setDrawing($('draw').getAttribute('aria-pressed') !== 'true'));
  $('preview').addEventListener('change', refreshPreview);
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
    const name = await download(`/api/images/${current.id}/export`, { method: 'POST', json: protectBody() });
    toast(`Saved ${name}: redacted, checked again, no metadata.`);
    onChange();
  }));
  $('encrypt').addEventListener('click', () => run($('encrypt'), async () => {
    const passphrase = $('passphrase').value;
    if (passphrase.length < policy.minPassphrase) throw new Error(`Choose a passphrase of at least ${policy.minPassphrase} characters.`);
    const name = await download(`/api/images/${current.id}/encrypt`, { method: 'POST', json: { ...protectBody(), passphrase } });
    $('passphrase').value = '';
    toast(`Saved ${name}. Keep the passphrase: it is not stored anywhere.`);
    onChange();
  }));
  $('strip').addEventListener('click', () => run($('strip'), async () => {
    const name = await download(`/api/images/${current.id}/strip`, { method: 'POST' });
    toast(`Saved ${name} without metadata.`);
  }));
  $('restore-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const button = event.target.querySelector('button');
    run(button, async () => {
      const form = new FormData();
      form.append('file', $('restore-file').files[0]);
      form.append('passphrase', $('restore-pass').value);
      const name = await download('/api/restore', { method: 'POST', form });
      $('restore-pass').value = '';
      toast(`Restored ${name}.`);
    });
  });
  $('delete').addEventListener('click', () => run($('delete'), async () => {
    if (!window.confirm(`Move ${current.name} to the library's trash folder?`)) return;
    await api(`/api/images/${current.id}`, { method: 'DELETE' });
    dialog.close();
    toast(`${current.name} moved to the trash folder.`);
  }));
}
