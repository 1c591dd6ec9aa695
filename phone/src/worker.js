// The analysis, in a Web Worker: CenterFace and the OCR networks through onnxruntime-web
// (wasm; threads when the page is cross-origin isolated), the codes in a worker of their own
// (codes.js). Everything it reads comes from this origin: the models and rules.json (written
// by the build from the Python package) and the wasm files. `ms` in a result is the job's
// time, with any model it had to load first.
import * as ort from './ort/ort.wasm.min.mjs';
import exifr from 'exifr';
import { ALIGN, STRIDE, decode, fineWindows, nms, plan, turnBack, windows } from './faces.js';
import { readZones } from './mrz.js';
import { readText } from './ocr.js';
import { scratchFloats } from './scratch.js';
import { explain, formatLatLon, risk, score } from './score.js';
import { personalText } from './text.js';

/** what the phone looks at, as the explanation names it when nothing is found */
const CHECKED = ['faces', 'text', 'codes', 'location'];
const OUTPUTS = ['537', '538', '539']; // heat map, scale, offset (landmarks unused)
/** What the jobs need, loaded once, when first needed: the first photo's codes are read
 * before any network is loaded, and its look for faces alone loads no text network. */
const once = (make) => {
  let made = null;
  return () => (made ??= make());
};
const loadRules = once(async () => {
  const rules = await (await fetch('rules.json')).json();
  const asked = Number(new URLSearchParams(self.location.search).get('threads'));
  ort.env.wasm.numThreads = !self.crossOriginIsolated ? 1
    : asked || Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
  ort.env.wasm.wasmPaths = new URL('ort/', self.location.href).href;
  ort.env.logLevel = 'error'; // the shipped export's unused initializers are not news
  return rules;
});
const OPTIONS = { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
async function network(url) {
  return ort.InferenceSession.create(await (await fetch(url)).arrayBuffer(), OPTIONS);
}
const loadFaces = once(async () => {
  const rules = await loadRules();
  return { rules, session: await network(rules.faces.model) };
});
const loadOcr = once(async () => {
  const rules = await loadRules();
  return { det: await network(rules.ocr.det), rec: await network(rules.ocr.rec) };
});

/** The RGBA pixels of `source` (or of its region x, y, w, h) drawn at sw x sh. */
function draw(source, sw, sh, x = 0, y = 0, w = source.width, h = source.height) {
  const canvas = new OffscreenCanvas(sw, sh);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, x, y, w, h, 0, 0, sw, sh);
  const { data } = ctx.getImageData(0, 0, sw, sh);
  canvas.width = 0; // its pixels go now, not when the canvas is collected
  return { data, width: sw, height: sh };
}

/** `bitmap`, a photo of `width` x `height` (it may hold it smaller), drawn at `scale` of
 * that size. */
function scaled(bitmap, scale, width = bitmap.width, height = bitmap.height) {
  const sw = Math.max(1, Math.round(width * scale));
  const sh = Math.max(1, Math.round(height * scale));
  return draw(bitmap, sw, sh);
}

/** Candidates over `floor` in the windows of `img` (in its pixels), and the heat map of
 * all of it (the greatest where windows overlap). */
async function infer(model, img, wins, floor) {
  const hw = Math.ceil(img.width / STRIDE);
  const hh = Math.ceil(img.height / STRIDE);
  const heat = new Float32Array(hw * hh);
  const out = [];
  for (const [tx, ty, tw, th] of wins) {
    const pw = Math.ceil(tw / ALIGN) * ALIGN;
    const ph = Math.ceil(th / ALIGN) * ALIGN;
    const input = scratchFloats(3 * pw * ph);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const src = ((ty + y) * img.width + tx + x) * 4;
        const dst = y * pw + x;
        input[dst] = img.data[src];
        input[pw * ph + dst] = img.data[src + 1];
        input[2 * pw * ph + dst] = img.data[src + 2];
      }
    }
    const result = await model.session.run(
      { 'input.1': new ort.Tensor('float32', input, [1, 3, ph, pw]) }, OUTPUTS);
    const [hm, sc, off] = OUTPUTS.map((name) => result[name]);
    const w = hm.dims[3];
    const h = hm.dims[2];
    for (const d of decode(hm.data, sc.data, off.data, w, h, floor)) {
      out.push([d[0] + tx, d[1] + ty, d[2] + tx, d[3] + ty, d[4]]);
    }
    const cx = Math.floor(tx / STRIDE);
    const cy = Math.floor(ty / STRIDE);
    const rows = Math.min(Math.ceil(th / STRIDE), hh - cy);
    const cols = Math.min(Math.ceil(tw / STRIDE), hw - cx);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const i = (cy + y) * hw + cx + x;
        heat[i] = Math.max(heat[i], hm.data[y * w + x]);
      }
    }
    for (const t of Object.values(result)) t.dispose?.();
  }
  return { dets: out, heat, hw, hh };
}

/** Faces lying on their side: the image at `turned_side`, turned a quarter left and right
 * side by side in one input, its boxes turned back. */
async function turned(model, bitmap, floor, width, height) {
  const cfg = model.rules.faces;
  const scale = Math.min(1, cfg.turned_side / Math.max(width, height));
  const img = scaled(bitmap, scale, width, height);
  const { width: w, height: h } = img;
  const gap = ALIGN;
  const cw = 2 * h + gap;
  const data = new Uint8ClampedArray(cw * w * 4);
  for (let i = 0; i < w; i++) { // rows of the turned images
    for (let j = 0; j < h; j++) {
      const left = (j * w + (w - 1 - i)) * 4; // numpy rot90(k=1)
      const right = ((h - 1 - j) * w + i) * 4; // rot90(k=-1)
      const a = (i * cw + j) * 4;
      const b = (i * cw + h + gap + j) * 4;
      for (let c = 0; c < 4; c++) {
        data[a + c] = img.data[left + c];
        data[b + c] = img.data[right + c];
      }
    }
  }
  const canvas = { data, width: cw, height: w };
  const { dets } = await infer(model, canvas, windows(cw, w, cfg.tile, cfg.overlap), floor);
  return dets.map((d) => {
    const right = (d[0] + d[2]) / 2 > h + gap / 2;
    const box = right ? [d[0] - h - gap, d[1], d[2] - h - gap, d[3], d[4]] : d;
    const back = turnBack(box, right ? -1 : 1, w, h);
    return [back[0] / scale, back[1] / scale, back[2] / scale, back[3] / scale, back[4]];
  });
}

/** The faces of `bitmap`, a photo of `width` x `height` (held at that size, or no smaller
 * than its finest pass looks at it), at the reported threshold, in the photo's pixels:
 * faces.py's raw(). */
async function faces(model, bitmap, width = bitmap.width, height = bitmap.height) {
  const cfg = model.rules.faces;
  const floor = Math.max(cfg.floor, cfg.threshold);
  const found = [];
  let coarse = null;
  for (const p of plan(width, height, cfg)) {
    const img = scaled(bitmap, p.scale, width, height);
    const wins = coarse === null
      ? windows(img.width, img.height, cfg.tile, cfg.overlap)
      : fineWindows(coarse.heat, coarse.hw, coarse.hh, p.scale / coarse.scale, img.width,
        img.height, cfg);
    const run = await infer(model, img, wins, floor);
    coarse = { ...run, scale: p.scale };
    for (const d of run.dets) {
      const box = [d[0] / p.scale, d[1] / p.scale, d[2] / p.scale, d[3] / p.scale, d[4]];
      const side = Math.sqrt(Math.max(box[2] - box[0], 0) * Math.max(box[3] - box[1], 0))
        * p.scale;
      if (side >= p.minSide && side < p.maxSide) found.push(box);
    }
  }
  if (cfg.turned_side > 0) found.push(...await turned(model, bitmap, floor, width, height));
  return nms(found, cfg.nms_iou)
    .map(([x1, y1, x2, y2, s]) => [Math.min(Math.max(x1, 0), width),
      Math.min(Math.max(y1, 0), height), Math.min(Math.max(x2, 0), width),
      Math.min(Math.max(y2, 0), height), s])
    .filter((d) => Math.min(d[2] - d[0], d[3] - d[1]) >= cfg.min_face_px);
}

/** The barcodes and QR codes of the photo in `bitmap` (codes.js), read in a worker of its
 * own that is ended once they are: the barcode reader's copy of the photo and its heap
 * (about 13 bytes a pixel) go back at once, before any network grows its own. The bitmap
 * goes there and comes back: {codes, bitmap}. */
function codes(bitmap, bytes, rules) {
  const reader = new Worker(new URL('codes.js', self.location.href), { type: 'module' });
  return new Promise((resolve, reject) => {
    reader.onmessage = (event) => {
      if (event.data.ok) resolve(event.data);
      else reject(new Error(event.data.error));
    };
    reader.onerror = (event) => reject(new Error(event.message || 'the barcode reader stopped'));
    const copy = bytes && bytes.slice(0); // the job keeps its own bytes for the GPS
    reader.postMessage({ bitmap, bytes: copy, rules: rules.codes, textRules: rules.text },
      copy ? [bitmap, copy] : [bitmap]);
  }).finally(() => reader.terminate());
}

/** A face as the page gets it. */
function asFace([x1, y1, x2, y2, s]) {
  return { box: [x1, y1, x2, y2], score: s };
}

/** Where the photo was taken, from its EXIF or XMP GPS: {lat, lon} or null. */
async function location(bytes) {
  try {
    const gps = await exifr.gps(bytes);
    if (gps && Number.isFinite(gps.latitude) && Number.isFinite(gps.longitude)
        && !(gps.latitude === 0 && gps.longitude === 0)) {
      return { lat: gps.latitude, lon: gps.longitude };
    }
  } catch {
    // no metadata block, or one exifr cannot parse: nothing to report
  }
  return null;
}

// one job at a time, in the order they came: the scratch buffer is shared, and two photos'
// memory is never held at once
let queue = Promise.resolve();
self.onmessage = (event) => { queue = queue.then(() => job(event)); };

async function job(event) {
  const { id, bytes, facesOnly } = event.data;
  let { bitmap } = event.data;
  try {
    const start = performance.now();
    const rules = await loadRules();
    // a protected copy's faces are looked for in a copy decoded smaller ([width, height]
    // is the photo's size)
    const [width, height] = facesOnly || [bitmap.width, bitmap.height];
    if (facesOnly) { // a protected copy looked at again: its faces alone
      const found = await faces(await loadFaces(), bitmap, width, height);
      self.postMessage({ id, ok: true, faces: found.map(asFace), ms: performance.now() - start });
      return;
    }
    // the codes first, in a worker of their own that is ended before the networks run
    let read;
    ({ codes: read, bitmap } = await codes(bitmap, bytes, rules));
    const gps = bytes ? await location(bytes) : null;
    const found = (await faces(await loadFaces(), bitmap, width, height)).map(asFace);
    const { lines, detected } = await readText(ort, await loadOcr(), bitmap, rules.ocr,
      rules.ocr.chars, draw);
    const zones = readZones(lines, rules.mrz, rules.text.pad);
    const texts = [...zones.texts, ...personalText(lines, rules.text, zones.used)];
    const { documents } = zones;
    // the findings as the policy table names them, scored by its rules
    const fieldLabels = rules.codes.field_labels;
    const findings = [
      ...found.map(() => ({ kind: 'face', label: 'face' })),
      ...documents.map((d) => ({
        kind: d.kind, label: d.label,
        data: { verified: d.verified, surname: d.mrz.surname, given_names: d.mrz.given_names },
      })),
      ...texts.map((t) => ({ kind: t.kind, label: t.label, text: t.text })),
      ...read.map((c) => ({
        kind: 'barcode', label: c.label,
        data: { payload_type: c.payload.type, critical: c.payload.critical },
      })),
      // the personal fields a code carries, as personal text (barcodes.py's FIELD_LABELS)
      ...read.flatMap((c) => Object.entries(c.payload.fields)
        .filter(([key, value]) => value && fieldLabels[key])
        .map(([key, value]) => ({ kind: 'personal_text', label: fieldLabels[key], text: value }))),
      ...(gps ? [{ kind: 'location', label: 'gps', text: formatLatLon(gps.lat, gps.lon) }] : []),
    ];
    const scored = score(findings, rules.score);
    const explanation = explain(findings, rules.score, CHECKED);
    self.postMessage({
      id, ok: true, width: bitmap.width, height: bitmap.height, threads: ort.env.wasm.numThreads,
      faces: found, codes: read, gps, lines, texts, documents, textDetected: detected,
      score: scored.score,
      reasons: scored.reasons, explanation,
      risk: risk(scored.score, rules.score), ms: performance.now() - start,
    });
  } catch (err) {
    self.postMessage({ id, ok: false, error: String(err && err.message ? err.message : err) });
  } finally {
    bitmap.close(); // after the codes, the bitmap they gave back (a no-op if it was lost)
  }
}
