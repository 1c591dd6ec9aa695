// The analysis, in a Web Worker: CenterFace and the OCR networks through onnxruntime-web
// (wasm; threads when the page is cross-origin isolated), the codes in a worker of their own
// (codes.js). Everything it reads comes from this origin: the models and rules.json (written
// by the build from the Python package) and the wasm files. `ms` in a result is the job's
// time, with any model it had to load first and the photo's decoding (`decodeMs`).
import * as ort from './ort/ort.wasm.min.mjs';
import { decodePhoto } from './decode.js';
import { ALIGN, STRIDE, decode, fineWindows, nms, plan, turnBack, windows } from './faces.js';
import { readZones } from './mrz.js';
import { readText } from './ocr.js';
import { release, scratchFloats } from './scratch.js';
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
  // the runtime compiled from bytes read here, let go once it has started: compiled as it
  // streamed in, a 12 MP photo's tab held 45-75 MB more in about half the runs
  // (bench/phone-results.md, session 15)
  ort.env.wasm.wasmBinary = await fileBytes('ort/ort-wasm-simd-threaded.wasm');
  ort.env.logLevel = 'error'; // the shipped export's unused initializers are not news
  return rules;
});
/** A file of this origin, whole, read through a Blob: a body read straight into an
 * ArrayBuffer left about 40 MB behind in a 12 MP photo's tab (the networks' files) until
 * the browser collected it. */
async function fileBytes(url) {
  return (await (await fetch(url)).blob()).arrayBuffer();
}
const OPTIONS = { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
async function network(url) {
  const bytes = await fileBytes(url);
  const session = await ort.InferenceSession.create(bytes, OPTIONS);
  release(new Uint8Array(bytes)); // copied into the runtime's memory
  if (ort.env.wasm.wasmBinary) { // the runtime has started: its bytes are not needed again
    release(new Uint8Array(ort.env.wasm.wasmBinary));
    ort.env.wasm.wasmBinary = undefined;
  }
  return session;
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

/** The sides of a photo of `width` x `height` at `scale`. */
function sides(width, height, scale) {
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** `bitmap`, a photo of `width` x `height` (it may hold it smaller), drawn at `scale` of
 * that size. */
function scaled(bitmap, scale, width = bitmap.width, height = bitmap.height) {
  return draw(bitmap, ...sides(width, height, scale));
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
    for (const t of Object.values(result)) {
      release(t.data);
      t.dispose?.();
    }
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
  release(img.data);
  const canvas = { data, width: cw, height: w };
  const { dets } = await infer(model, canvas, windows(cw, w, cfg.tile, cfg.overlap), floor);
  release(data);
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
    const [sw, sh] = sides(width, height, p.scale);
    const wins = coarse === null
      ? windows(sw, sh, cfg.tile, cfg.overlap)
      : fineWindows(coarse.heat, coarse.hw, coarse.hh, p.scale / coarse.scale, sw, sh, cfg);
    // the fine pass (the last) where the coarse one saw nothing: nothing to draw or run
    if (wins.length === 0) continue;
    const img = draw(bitmap, sw, sh);
    const run = await infer(model, img, wins, floor);
    release(img.data);
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

/** The barcodes and QR codes of the photo `blob` and its GPS position (codes.js), read in a
 * worker of their own that is ended once they are: the barcode reader's copy of the photo and
 * its heap (about 13 bytes a pixel) go back at once, before any network grows its own, and
 * a JPEG's are read before the photo is decoded at all. `bytes` is the file's (given to that
 * worker), or null with `bitmap`, the photo decoded, to read from (given there and back):
 * {codes, width, height, gps, bitmap (the photo decoded, or null)}. */
function codes(rules, { blob = null, bytes = null, bitmap = null }) {
  const reader = new Worker(new URL('codes.js', self.location.href), { type: 'module' });
  return new Promise((resolve, reject) => {
    reader.onmessage = (event) => {
      if (event.data.ok) resolve(event.data);
      else reject(new Error(event.data.error));
    };
    reader.onerror = (event) => reject(new Error(event.message || 'the barcode reader stopped'));
    reader.postMessage({ blob, bytes, bitmap, rules: rules.codes, textRules: rules.text },
      [bytes, bitmap].filter(Boolean));
  }).finally(() => reader.terminate());
}

/** A face as the page gets it. */
function asFace([x1, y1, x2, y2, s]) {
  return { box: [x1, y1, x2, y2], score: s };
}

// one job at a time, in the order they came: the scratch buffer is shared, and two photos'
// memory is never held at once
let queue = Promise.resolve();
self.onmessage = (event) => { queue = queue.then(() => job(event)); };

async function job(event) {
  const { id, blob, facesOnly } = event.data;
  let { bitmap } = event.data;
  try {
    const start = performance.now();
    const rules = await loadRules();
    if (facesOnly) { // a protected copy looked at again: its faces alone, in a copy decoded
      // smaller ([width, height] is the photo's size)
      const found = await faces(await loadFaces(), bitmap, ...facesOnly);
      self.postMessage({ id, ok: true, faces: found.map(asFace), ms: performance.now() - start });
      return;
    }
    // the codes and the GPS first, in a worker of their own that is ended before the photo
    // is decoded (a JPEG's) and before the networks run
    let read = await codes(rules, { blob, bytes: await blob.arrayBuffer() });
    const decoding = performance.now();
    bitmap = read.bitmap ?? await decodePhoto(blob);
    const decodeMs = read.decodeMs + performance.now() - decoding;
    if (bitmap.width !== read.width || bitmap.height !== read.height) {
      // the file's header and the browser disagree on the photo's size: its pixels are
      // the truth, and the codes are read from them
      read = { ...await codes(rules, { bitmap }), gps: read.gps };
      ({ bitmap } = read);
    }
    const { gps } = read;
    const { width, height } = bitmap;
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
      ...read.codes.map((c) => ({
        kind: 'barcode', label: c.label,
        data: { payload_type: c.payload.type, critical: c.payload.critical },
      })),
      // the personal fields a code carries, as personal text (barcodes.py's FIELD_LABELS)
      ...read.codes.flatMap((c) => Object.entries(c.payload.fields)
        .filter(([key, value]) => value && fieldLabels[key])
        .map(([key, value]) => ({ kind: 'personal_text', label: fieldLabels[key], text: value }))),
      ...(gps ? [{ kind: 'location', label: 'gps', text: formatLatLon(gps.lat, gps.lon) }] : []),
    ];
    const scored = score(findings, rules.score);
    const explanation = explain(findings, rules.score, CHECKED);
    self.postMessage({
      id, ok: true, width: bitmap.width, height: bitmap.height, threads: ort.env.wasm.numThreads,
      faces: found, codes: read.codes, gps, lines, texts, documents, textDetected: detected,
      score: scored.score,
      reasons: scored.reasons, explanation,
      risk: risk(scored.score, rules.score), ms: performance.now() - start, decodeMs,
    });
  } catch (err) {
    self.postMessage({ id, ok: false, error: String(err && err.message ? err.message : err) });
  } finally {
    bitmap?.close(); // a no-op if it went to the codes' worker and was lost there
  }
}
