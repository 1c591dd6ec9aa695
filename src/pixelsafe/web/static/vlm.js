// The local VLM switch: a status light (grey off, green ready, red not usable) and the
// server's own message from its check of Ollama.
import { api } from './api.js';
import { toast } from './dom.js';

const button = document.getElementById('vlm-toggle');
const light = document.getElementById('vlm-light');
const text = document.getElementById('vlm-text');
let current = null;

function show(state) {
  current = state;
  button.setAttribute('aria-pressed', String(state.enabled));
  const ok = state.status.ok;
  light.className = `light ${state.enabled ? (ok ? 'ok' : 'error') : 'off'}`;
  const what = state.enabled ? (ok ? 'on' : 'on, not usable') : 'off';
  text.textContent = `${state.model}: ${what}`;
  text.title = state.status.message;
  button.title = state.status.message;
}

export async function initVlm(onChange) {
  try {
    show(await api('/api/vlm'));
  } catch (err) {
    text.textContent = 'VLM status unknown';
  }
  button.addEventListener('click', async () => {
    if (!current) return;
    button.disabled = true;
    try {
      const state = await api('/api/vlm', { method: 'POST', json: { enabled: !current.enabled } });
      show(state);
      toast(state.enabled ? `VLM on: ${state.status.message}` : 'VLM off: detectors only.', state.enabled && !state.status.ok ? 'error' : 'info');
      onChange();
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      button.disabled = false;
    }
  });
}
