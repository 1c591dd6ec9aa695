// The phone page: a photo is picked and handed to the worker, which reads it and decodes it
// (its orientation applied); nothing is sent anywhere. `window.pixelsafePhone.analyze(blob)`
// is the same call for the tests.
import { decodePhoto } from './decode.js';
import { plan } from './faces.js';
import { protect as protectPhoto } from './protect.js';

// `?threads=1` asks the worker for one wasm thread (the benchmark's comparison)
const threads = new URLSearchParams(location.search).get('threads');
const worker = new Worker(threads ? `worker.js?threads=${Number(threads)}` : 'worker.js',
  { type: 'module' });
let rules = null;

/** The protected copy of a photo analysed by `analyze` (a Blob): faces in `style` ('blur',
 * 'pixelate' or 'fill'), codes filled, no metadata. */
export async function protect(blob, result, style = 'blur') {
  rules ??= await (await fetch('rules.json')).json();
  const size = [result.width, result.height];
  return protectPhoto(blob, result, style, rules,
    async (copy) => (await analyze(copy, { facesOnly: size })).faces);
}
const pending = new Map();
let next = 0;

worker.onmessage = (event) => {
  const { id, ...result } = event.data;
  const settle = pending.get(id);
  pending.delete(id);
  if (result.ok) settle.resolve(result);
  else settle.reject(new Error(result.error));
};

/** HEIC and HEIF (iPhones' photos) cannot be opened by most browsers: say so plainly. */
async function refuseHeic(blob) {
  const head = new Uint8Array(await blob.slice(0, 16).arrayBuffer());
  const brand = String.fromCharCode(...head.subarray(4, 12));
  if (/^ftyp(heic|heix|hevc|heim|heis|mif1|msf1)/.test(brand)) {
    throw new Error('this is a HEIC photo, which this browser cannot open yet: share it as '
      + 'JPEG (on an iPhone: Settings, Camera, Formats, Most Compatible) and try again');
  }
}

/** The findings of one photo (a Blob or File): {width, height, faces, codes, gps, lines
 * (the OCR's), texts (personal text in them), documents (identity documents by their
 * zones), score, risk, reasons (the score rules that fired), explanation (the findings
 * named, in the library's words), ms (the worker's time), decodeMs (its part decoding the
 * photo), threads}. The worker decodes the photo itself, after reading a JPEG's codes from
 * its file: the page holds no copy of its pixels meanwhile. With `facesOnly` ([width,
 * height]: a protected copy of a photo of that size), {faces, ms} alone: the copy is decoded
 * here no larger than the face detector's finest pass looks at it. */
export async function analyze(blob, { facesOnly = null } = {}) {
  await refuseHeic(blob);
  const id = next++;
  let message = { id, blob };
  let transfer = [];
  if (facesOnly) {
    rules ??= await (await fetch('rules.json')).json();
    const [width, height] = facesOnly;
    const top = Math.max(...plan(width, height, rules.faces).map((p) => p.scale));
    const bitmap = await decodePhoto(blob, top < 1 ? {
      resizeWidth: Math.max(1, Math.round(width * top)),
      resizeHeight: Math.max(1, Math.round(height * top)),
      resizeQuality: 'high',
    } : {});
    message = { id, bitmap, facesOnly };
    transfer = [bitmap];
  }
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage(message, transfer);
  });
}

/** the longest side the photo is shown at: sharp on a phone's screen, and a 12 MP photo
 * is not held a second time at full size */
const SHOWN_SIDE = 2048;
/** the photo shown: its canvas's pixels per photo pixel */
let shown = 1;

/** Outline a box given in the photo's pixels on the photo shown. */
function stroke(ctx, [x1, y1, x2, y2]) {
  ctx.strokeRect(x1 * shown, y1 * shown, (x2 - x1) * shown, (y2 - y1) * shown);
}

/** Show the photo, decoded at the size it is shown at, with the boxes of what was found. */
async function show(blob, result) {
  const canvas = document.getElementById('photo');
  const ctx = canvas.getContext('2d');
  shown = Math.min(1, SHOWN_SIDE / Math.max(result.width, result.height));
  const width = Math.max(1, Math.round(result.width * shown));
  const height = Math.max(1, Math.round(result.height * shown));
  const bitmap = await decodePhoto(blob, {
    resizeWidth: width, resizeHeight: height, resizeQuality: 'high',
  });
  canvas.width = width;
  canvas.height = height;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  ctx.lineWidth = Math.max(2, Math.round(width / 400));
  for (const [items, colour] of [[result.faces, '#e4572e'], [result.codes, '#2e6fe4'],
    [result.texts, '#9b2ee4'], [result.documents, '#c0392b']]) {
    ctx.strokeStyle = colour;
    for (const f of items) stroke(ctx, f.box);
  }
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function say(text) {
  document.getElementById('status').textContent = text;
}

// boxes drawn by hand over the photo shown, in the photo's pixels: a finger (or a mouse) drags
// from one corner to the other
let boxes = [];
/** the photo shown and its analysis */
let last = null;
const frame = document.getElementById('frame');
const drag = document.getElementById('drag');
let start = null;

/** A pointer's place in the photo's pixels, and in the frame's CSS pixels. */
function where(event) {
  const canvas = document.getElementById('photo');
  const r = canvas.getBoundingClientRect();
  const x = Math.min(Math.max(event.clientX - r.left, 0), r.width);
  const y = Math.min(Math.max(event.clientY - r.top, 0), r.height);
  return {
    x: (x * canvas.width) / r.width / shown, y: (y * canvas.height) / r.height / shown,
    cx: x, cy: y,
  };
}

function outline(box) {
  const ctx = document.getElementById('photo').getContext('2d');
  ctx.save();
  ctx.strokeStyle = '#f5a623';
  ctx.setLineDash([ctx.lineWidth * 3, ctx.lineWidth * 2]);
  stroke(ctx, box);
  ctx.restore();
}

frame.addEventListener('pointerdown', (event) => {
  if (!last) return;
  start = where(event);
  frame.setPointerCapture(event.pointerId);
  Object.assign(drag.style, { left: `${start.cx}px`, top: `${start.cy}px`, width: '0', height: '0' });
  drag.hidden = false;
});
frame.addEventListener('pointermove', (event) => {
  if (!start) return;
  const p = where(event);
  Object.assign(drag.style, {
    left: `${Math.min(start.cx, p.cx)}px`, top: `${Math.min(start.cy, p.cy)}px`,
    width: `${Math.abs(p.cx - start.cx)}px`, height: `${Math.abs(p.cy - start.cy)}px`,
  });
});
frame.addEventListener('pointerup', (event) => {
  if (!start) return;
  const p = where(event);
  const box = [Math.min(start.x, p.x), Math.min(start.y, p.y), Math.max(start.x, p.x),
    Math.max(start.y, p.y)].map(Math.round);
  start = null;
  drag.hidden = true;
  if (box[2] - box[0] < 4 || box[3] - box[1] < 4) return; // a tap, not a box
  boxes.push(box);
  outline(box);
  document.getElementById('undo').hidden = false;
});
frame.addEventListener('pointercancel', () => { start = null; drag.hidden = true; });
document.getElementById('undo').addEventListener('click', async () => {
  boxes.pop();
  await show(last.file, last.result);
  boxes.forEach(outline);
  document.getElementById('undo').hidden = boxes.length === 0;
});

const input = document.getElementById('pick');
input.addEventListener('change', async () => {
  const file = input.files && input.files[0];
  if (!file) return;
  say('Looking at the photo on this device…');
  try {
    const result = await analyze(file);
    last = { file, result };
    boxes = [];
    document.getElementById('undo').hidden = true;
    await show(file, result);
    document.getElementById('protect').hidden = false;
    say(`Score ${result.score} of 5, ${result.risk.title}. ${result.explanation} `
      + `(${Math.round(result.ms)} ms on this device, ${plural(result.threads, 'thread')}).`);
  } catch (err) {
    say(`This photo could not be read: ${err.message}`);
  }
});

document.getElementById('export').addEventListener('click', async () => {
  if (!last) return;
  const style = document.getElementById('style').value;
  const out = await protect(last.file, { ...last.result, manual: boxes }, style);
  const name = last.file.name.replace(/\.[^.]+$/, '') + (out.type === 'image/png' ? '.protected.png' : '.protected.jpg');
  const file = new File([out], name, { type: out.type });
  if (navigator.canShare && navigator.canShare({ files: [file] })) {
    await navigator.share({ files: [file] }).catch(() => {});
    return;
  }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(file);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
});

// offline from the second visit on: the service worker keeps every file of this build
// (it needs a secure origin: HTTPS, or localhost)
const offline = 'serviceWorker' in navigator
  ? navigator.serviceWorker.register('sw.js', { scope: './' }).then(() => navigator.serviceWorker.ready)
  : Promise.resolve(null);

window.pixelsafePhone = { analyze, protect, offline, boxes: () => boxes.map((b) => [...b]) };
document.body.dataset.ready = 'true';
