// Talks to the JSON API. Every state-changing request carries the page's token header.
const token = document.querySelector('meta[name="pixelsafe-token"]').content;

export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

async function send(path, { method = 'GET', json, form } = {}) {
  const headers = {};
  let body;
  if (method !== 'GET') headers['X-PixelSafe-Token'] = token;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  const response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
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
