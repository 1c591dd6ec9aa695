// The gallery grid: cards with score badges, privacy modes, the protect toggle, stats.
import { api, imageUrl, showImage } from './api.js';
import { policy } from './config.js';
import { badge, el, toast } from './dom.js';

const PER_PAGE = 48;
export const state = {
  page: 1, total: 0, images: new Map(), mode: 'auto', risk: '', kind: '', sort: '',
  /** cursors[n]: where page n + 1 starts (the server's `next` of page n), so that a page
   * deep in a big library is entered at its first photo rather than counted to */
  cursors: [],
  /** ids picked for an export of several photos (kept across pages and refreshes) */
  selected: new Set(),
};

// The "Export selected" and "Clear" buttons follow the selection.
export function showSelection() {
  const n = state.selected.size;
  const button = document.getElementById('export-selected');
  button.hidden = document.getElementById('clear-selection').hidden = n === 0;
  button.textContent = `Export selected (${n})`;
}

// Which rendition a card shows. Nothing unanalysed is shown in auto or hide mode.
export function hidden(image, mode) {
  if (image.locked) return true;
  if (mode === 'show') return false;
  if (image.state !== 'done') return true;
  return policy.hidden[mode === 'hide' ? 'hide' : 'auto'].has(image.risk_level);
}

function thumbSource(image) {
  if (!hidden(image, state.mode)) return `/api/images/${image.id}/thumb?size=thumb`;
  if (image.state === 'done') return `/api/images/${image.id}/thumb?size=thumb&redacted=1`;
  return null;
}

function card(image, onOpen) {
  const li = el('li', { class: 'card', 'data-id': image.id });
  const open = el('button', { type: 'button', class: 'thumb', 'aria-label': `Open ${image.name}` });
  open.addEventListener('click', () => onOpen(image.id));
  const src = thumbSource(image);
  if (src) {
    const img = el('img', { alt: `${image.name}${hidden(image, state.mode) ? ' (redacted preview)' : ''}`, 'data-src': src });
    open.append(img);
    imageUrl(src).then((url) => showImage(img, url), () => img.classList.add('broken'));
  } else {
    open.append(el('div', { class: 'placeholder', text: image.state === 'failed' ? 'Cannot analyse' : 'Analysing…' }));
  }
  const score = el('span');
  badge(score, image);
  const lock = el('button', {
    type: 'button', class: 'lock', 'aria-pressed': String(image.locked),
    'aria-label': `${image.locked ? 'Unprotect' : 'Protect'} ${image.name}`,
    text: image.locked ? 'Protected' : 'Protect',
  });
  lock.addEventListener('click', async () => {
    try {
      const updated = await api(`/api/images/${image.id}/lock`, { method: 'POST', json: { locked: !image.locked } });
      state.images.set(updated.id, updated);
      li.replaceWith(card(updated, onOpen));
      await refreshStats();
    } catch (err) { toast(err.message, 'error'); }
  });
  // only an analysed photo can be exported: its report says what to redact
  const pick = el('input', {
    type: 'checkbox', class: 'pick-box', 'aria-label': `Select ${image.name} for export`,
    checked: state.selected.has(image.id), disabled: image.state !== 'done',
  });
  pick.addEventListener('change', () => {
    if (pick.checked && state.selected.size >= policy.maxExport) {
      pick.checked = false;
      toast(`At most ${policy.maxExport} photos can be exported at once.`, 'error');
      return;
    }
    if (pick.checked) state.selected.add(image.id); else state.selected.delete(image.id);
    showSelection();
  });
  const caption = el('div', { class: 'caption' },
    el('span', { class: 'name', text: image.name, title: image.name }),
    el('label', { class: 'pick' }, pick, ' Select'),
    image.vlm ? el('span', { class: 'tag vlm', text: 'VLM', title: 'includes the local VLM' }) : null,
    image.pending && image.state === 'done' ? el('span', { class: 'tag pending', text: 'updating…' }) : null,
    el('span', { class: 'risk', text: image.explanation || (image.error ? image.error.message : '') }));
  li.append(open, score, lock, caption);
  return li;
}

export function skeletons(n = 8) {
  const grid = document.getElementById('gallery');
  grid.replaceChildren(...Array.from({ length: n }, () => el('li', { class: 'card skeleton', 'aria-hidden': 'true' })));
}

export function showStats(stats) {
  document.getElementById('stat-total').textContent = stats.total;
  document.getElementById('stat-high').textContent = stats.high_risk;
  document.getElementById('stat-protected').textContent = stats.protected;
  const pending = stats.queued + stats.running;
  const bar = document.getElementById('progress');
  bar.hidden = pending === 0 && !stats.indexing;
  const done = stats.analysed + stats.failed;
  document.getElementById('progress-bar').max = Math.max(1, stats.total);
  document.getElementById('progress-bar').value = done;
  const analysing = pending ? `Analysing: ${done} of ${stats.total} done, ${pending} to go` : '';
  // the server listens before it has looked through the folder: say so, and keep polling
  const looking = stats.indexing ? `Looking through the folder: ${stats.total} photo${stats.total === 1 ? '' : 's'} found so far` : '';
  document.getElementById('progress-text').textContent = [looking, analysing].filter(Boolean).join('. ');
  return pending + (stats.indexing ? 1 : 0);
}

async function refreshStats() {
  const status = await api('/api/status');
  return showStats(status.stats);
}

export async function load(onOpen) {
  const params = new URLSearchParams({ page: state.page, per_page: PER_PAGE });
  const after = state.page > 1 ? state.cursors[state.page - 1] : null;
  if (after) params.set('after', after);
  if (state.risk) params.set('risk', state.risk);
  if (state.kind) params.set('kind', state.kind);
  if (state.sort) params.set('sort', state.sort);
  const data = await api(`/api/images?${params}`);
  state.total = data.total;
  state.cursors[state.page] = data.next;
  state.changes = data.changes;
  const grid = document.getElementById('gallery');
  const cards = data.images.map((image) => {
    const before = state.images.get(image.id);
    state.images.set(image.id, image);
    const existing = grid.querySelector(`li[data-id="${image.id}"]`);
    if (existing && before && JSON.stringify(before) === JSON.stringify(image)) return existing;
    return card(image, onOpen);
  });
  grid.replaceChildren(...cards);
  document.getElementById('empty').hidden = data.total > 0;
  const pages = Math.max(1, Math.ceil(data.total / PER_PAGE));
  document.getElementById('pager').hidden = pages <= 1;
  document.getElementById('page-info').textContent = `Page ${state.page} of ${pages}`;
  document.getElementById('prev').disabled = state.page <= 1;
  document.getElementById('next').disabled = state.page >= pages || !data.next;
  return showStats(data.stats);
}

export function rerender(onOpen) {
  const grid = document.getElementById('gallery');
  grid.replaceChildren(...[...grid.children].map((li) => {
    const image = state.images.get(Number(li.dataset.id));
    return image ? card(image, onOpen) : li;
  }));
}

/** Back to the first page (the order or a filter changed, or photos arrived). */
export function firstPage() {
  state.page = 1;
  state.cursors = [];
}
