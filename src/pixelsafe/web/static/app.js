// Entry point: wires the gallery, uploads (picker and drag and drop) and the detail view.
import { api, download } from './api.js';
import { loadPolicy, policy } from './config.js';
import { initDetail, openDetail } from './detail.js';
import { el, toast } from './dom.js';
import { firstPage, load, rerender, showSelection, skeletons, state } from './gallery.js';
import { initVlm } from './vlm.js';

let pollTimer = null;

async function refreshTrash() {
  const trash = await api('/api/trash');
  const button = document.getElementById('empty-trash');
  button.hidden = trash.count === 0;
  button.textContent = `Empty trash (${trash.count})`;
}

async function emptyTrash() {
  const button = document.getElementById('empty-trash');
  if (!window.confirm('Delete the photos in the trash for good? This cannot be undone.')) return;
  button.disabled = true;
  try {
    const result = await api('/api/trash', { method: 'DELETE' });
    toast(`${result.deleted} photo${result.deleted === 1 ? '' : 's'} deleted for good.`);
  } catch (err) { toast(err.message, 'error'); } finally { button.disabled = false; }
  await refreshTrash();
}

async function refresh() {
  clearTimeout(pollTimer);
  try {
    refreshTrash();
    const pending = await load(open);
    pollTimer = setTimeout(pending > 0 ? refresh : watch, pending > 0 ? 1000 : IDLE_POLL);
  } catch (err) {
    toast(err.message, 'error');
    pollTimer = setTimeout(refresh, 5000);
  }
}

// While nothing is pending the page asks only whether anything changed (a number the
// server keeps in memory), and loads again when it did: a photo copied into the folder
// shows within a couple of seconds, and an idle gallery costs the server no query.
const IDLE_POLL = 1500;
async function watch() {
  try {
    const { changes } = await api('/api/changes');
    if (changes !== state.changes) {
      await refresh();
      return;
    }
  } catch {
    // the server restarting: ask again
  }
  pollTimer = setTimeout(watch, IDLE_POLL);
}

function clearSelection() {
  state.selected.clear();
  showSelection();
  rerender(open);
}

// The selected photos, each redacted as its own export with the defaults, in one ZIP.
async function exportSelected() {
  const button = document.getElementById('export-selected');
  const ids = [...state.selected];
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  toast(`Redacting ${ids.length} photo${ids.length === 1 ? '' : 's'}…`);
  try {
    const { name, headers } = await download('/api/export', { method: 'POST', json: { ids } });
    toast(`${headers.get('X-PixelSafe-Exported')} photos redacted and saved as ${name}.`);
    clearSelection();
    await refresh();
  } catch (err) { toast(err.message, 'error'); } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

function open(id) {
  openDetail(id, refresh);
}

async function upload(files) {
  const list = [...files];
  if (!list.length) return;
  const form = new FormData();
  for (const file of list) form.append('file', file, file.name);
  toast(`Uploading ${list.length} photo${list.length > 1 ? 's' : ''}…`);
  try {
    const result = await api('/api/images', { method: 'POST', form });
    const failed = result.uploaded.filter((r) => r.status === 'error');
    const dupes = result.uploaded.filter((r) => r.status === 'duplicate');
    const parts = [`${result.uploaded.length - failed.length - dupes.length} added`];
    if (dupes.length) parts.push(`${dupes.length} already in the library`);
    if (failed.length) parts.push(`${failed.length} refused: ${failed[0].error.message}`);
    toast(parts.join(', '), failed.length ? 'error' : 'info');
  } catch (err) {
    toast(err.message, 'error');
  }
  firstPage();
  await refresh();
}

// The lists of the page come from the policy table, never from the markup.
function fillChoices() {
  const options = (id, rows) => document.getElementById(id).append(
    ...rows.map(([value, text]) => el('option', { value, text })));
  options('filter-risk', Object.entries(policy.riskTitles));
  options('filter-kind', policy.kinds.map((k) => [k.kind, k.title]));
  options('style', policy.styles.map((s) => [s.style, s.title]));
  options('sort', policy.sorts.map((s) => [s.sort, s.title]));
  document.getElementById('passphrase').minLength = policy.minPassphrase;
}

// Drag and drop is wired before anything is loaded: a photo dropped while the page starts
// is uploaded once it is ready, never opened by the browser in place of the gallery (nor
// lost). `ready` settles true once the policy is loaded, false if the page cannot start.
function wireDrop(ready) {
  const drop = document.getElementById('drop');
  let depth = 0;
  window.addEventListener('dragenter', (event) => {
    if (![...event.dataTransfer.types].includes('Files')) return;
    depth += 1;
    drop.hidden = false;
  });
  window.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) drop.hidden = true; });
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => {
    event.preventDefault();
    depth = 0;
    drop.hidden = true;
    const files = [...event.dataTransfer.files];
    ready.then((ok) => (ok ? upload(files) : toast('The gallery did not start: nothing was uploaded.', 'error')));
  });
}

async function init() {
  let started;
  wireDrop(new Promise((resolve) => { started = resolve; }));
  skeletons();
  try {
    await loadPolicy();
  } catch (err) {
    started(false);
    toast(`Cannot start: ${err.message}`, 'error');
    // no key in this tab (a new tab, or the address typed without its #key=…): say so
    // where the gallery would be, not only in a passing toast
    const empty = document.getElementById('empty');
    empty.textContent = `Cannot start: ${err.message}`;
    empty.hidden = false;
    document.getElementById('gallery').replaceChildren();
    return;
  }
  fillChoices();
  initDetail();
  started(true);
  const input = document.getElementById('file-input');
  document.getElementById('upload-button').addEventListener('click', () => input.click());
  document.getElementById('empty-trash').addEventListener('click', emptyTrash);
  document.getElementById('export-selected').addEventListener('click', exportSelected);
  document.getElementById('clear-selection').addEventListener('click', clearSelection);
  input.addEventListener('change', async () => { await upload(input.files); input.value = ''; });
  const mode = document.getElementById('mode');
  mode.value = localStorage.getItem('pixelsafe-mode') || 'auto';
  state.mode = mode.value;
  mode.addEventListener('change', () => {
    state.mode = mode.value;
    localStorage.setItem('pixelsafe-mode', mode.value);
    rerender(open);
  });
  const sort = document.getElementById('sort');
  const savedSort = localStorage.getItem('pixelsafe-sort');
  if (policy.sorts.some((s) => s.sort === savedSort)) sort.value = savedSort;
  state.sort = sort.value;
  sort.addEventListener('change', () => localStorage.setItem('pixelsafe-sort', sort.value));
  for (const [id, key] of [['filter-risk', 'risk'], ['filter-kind', 'kind'], ['sort', 'sort']]) {
    document.getElementById(id).addEventListener('change', (event) => {
      state[key] = event.target.value;
      firstPage();
      refresh();
    });
  }
  document.getElementById('prev').addEventListener('click', () => { state.page -= 1; refresh(); });
  document.getElementById('next').addEventListener('click', () => { state.page += 1; refresh(); });
  initVlm(refresh);
  refresh();
}

init();
