// Talks to the JSON API. Every request carries the session's access key (X-PixelSafe-Key)
// and every state-changing one the page's token header. The key arrives in the fragment of
// the address `pixelsafe serve` printed (never sent to a server) and is kept in this tab's
// sessionStorage, which belongs to this origin, port included: no cookie, which a browser
// would send to every port of 127.0.0.1. Images are fetched with it too (imageUrl).
const token = document.querySelector('meta[name="pixelsafe-token"]').content;
const KEY = 'pixelsafe-key';

function sessionKey() {
  const fromAddress = new URLSearchParams(window.location.hash.slice(1)).get('key');
  if (fromAddress) {
    window.sessionStorage.setItem(KEY, fromAddress);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return window.sessionStorage.getItem(KEY) || '';
}
const key = sessionKey();

export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

async function send(path, { method = 'GET', json, form } = {}) {
  const headers = key ? { 'X-PixelSafe-Key': key } : {};
  let body;
  if (method !== 'GET') headers['X-PixelSafe-Token'] = token;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  const response = await fetch(path, { method, headers, body, credentials: 'omit' });
  if (!response.ok) {
    let type = 'error';
    let message = `${response.status} ${response.statusText}`;
    try {
      const err = (await response.json()).error;
      type = err.type;
      message = err.message;
    } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, type, message);
  }
  return response;
}

export async function api(path, options) {
  return (await send(path, options)).json();
}

// Fetch a file and hand it to the browser as a download; returns its name and headers.
export async function download(path, options) {
  const response = await send(path, options);
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = /filename="?([^";]+)"?/.exec(disposition);
  const name = match ? match[1] : 'pixelsafe-download';
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return { name, headers: response.headers };
}

// An API image as a blob: URL, fetched with the key (an <img src> cannot send a header).
// The caller shows it and releases it once loaded (showImage).
export async function imageUrl(path) {
  return URL.createObjectURL(await (await send(path)).blob());
}

// Show a blob: URL in an <img> and release it once the pixels are in.
export function showImage(img, url) {
  const release = () => URL.revokeObjectURL(url);
  img.addEventListener('load', release, { once: true });
  img.addEventListener('error', release, { once: true });
  img.src = url;
}
