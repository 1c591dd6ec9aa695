// Text in the browser: the library's two OCR networks (PP-OCRv6 small's detector, and its
// recogniser cut to the characters the library keeps), run by onnxruntime-web, with
// RapidOCR's numbers from rules.json (`ocr`). Lines come back as axis-aligned boxes in the
// photo's pixels with their text and score; the rules of text.js read them.
//
// The detector's map is turned into boxes as RapidOCR's DB post-processing does (threshold,
// dilation, a box per connected region, its mean score, the box grown by the unclip
// ratio), with axis-aligned boxes instead of rotated rectangles: photos taken on a phone
// hold their text about level, and a level box over tilted text covers it still.

import { release, scratchFloats } from './scratch.js';

/** Pixels of `img` (RGBA) as the networks' BGR input, normalised: (x/255 - mean) / std. */
function tensorData(img, width, height, mean, std, pad = width) {
  const plane = pad * height;
  const out = scratchFloats(3 * plane);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const src = (y * width + x) * 4;
      const dst = y * pad + x;
      for (let c = 0; c < 3; c += 1) { // BGR, as PaddleOCR's networks were trained
        out[c * plane + dst] = (img.data[src + 2 - c] / 255 - mean[c]) / std[c];
      }
    }
  }
  return out;
}

/** The connected regions of `mask` (w x h, 8-neighbours): [{x1, y1, x2, y2, pixels}]. */
export function regions(mask, w, h) {
  const label = new Int32Array(w * h).fill(-1);
  const out = [];
  const stack = [];
  for (let start = 0; start < w * h; start += 1) {
    if (!mask[start] || label[start] >= 0) continue;
    const r = { x1: w, y1: h, x2: -1, y2: -1, pixels: [] };
    label[start] = out.length;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop();
      const x = i % w;
      const y = (i - x) / w;
      r.pixels.push(i);
      if (x < r.x1) r.x1 = x;
      if (x > r.x2) r.x2 = x;
      if (y < r.y1) r.y1 = y;
      if (y > r.y2) r.y2 = y;
      for (let dy = -1; dy <= 1; dy += 1) {
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const j = ny * w + nx;
          if (mask[j] && label[j] < 0) {
            label[j] = out.length;
            stack.push(j);
          }
        }
      }
    }
    out.push(r);
  }
  release(label);
  return out;
}

/** Boxes of text in a probability map (w x h), in the map's pixels: DB post-processing. */
export function textBoxes(prob, w, h, cfg) {
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y += 1) { // threshold, then a 2x2 dilation as RapidOCR's
    for (let x = 0; x < w; x += 1) {
      const i = y * w + x;
      if (prob[i] > cfg.thresh) {
        mask[i] = 1;
        if (x + 1 < w) mask[i + 1] = 1;
        if (y + 1 < h) mask[i + w] = 1;
        if (x + 1 < w && y + 1 < h) mask[i + w + 1] = 1;
      }
    }
  }
  const boxes = [];
  for (const r of regions(mask, w, h)) {
    const bw = r.x2 - r.x1 + 1;
    const bh = r.y2 - r.y1 + 1;
    if (Math.min(bw, bh) < 3) continue;
    let sum = 0;
    for (const i of r.pixels) sum += prob[i];
    const score = sum / r.pixels.length;
    if (score < cfg.box_thresh) continue;
    const grow = (bw * bh * cfg.unclip_ratio) / (2 * (bw + bh)); // pyclipper's offset
    const box = [r.x1 - grow, r.y1 - grow, r.x2 + 1 + grow, r.y2 + 1 + grow];
    if (Math.min(box[2] - box[0], box[3] - box[1]) < 5) continue;
    boxes.push({ box, score });
  }
  release(mask);
  return boxes;
}

/** CTC's best path: the characters of each step's best class, repeats and blanks dropped;
 * the score is the mean of the kept steps' probabilities. Class 0 is the blank, class i
 * is chars[i - 1], the last class the space. */
export function ctcDecode(probs, steps, classes, chars) {
  let text = '';
  let sum = 0;
  let n = 0;
  let last = -1;
  for (let t = 0; t < steps; t += 1) {
    let best = 0;
    let bestP = -Infinity;
    const row = t * classes;
    for (let c = 0; c < classes; c += 1) {
      if (probs[row + c] > bestP) {
        bestP = probs[row + c];
        best = c;
      }
    }
    if (best !== 0 && best !== last) {
      text += best === classes - 1 ? ' ' : chars[best - 1];
      sum += bestP;
      n += 1;
    }
    last = best;
  }
  return { text: text.normalize('NFKC').trim(), score: n ? sum / n : 0 };
}

/** The longest side of one run of the text detector on the phone: its memory grows with
 * the pixels of its input (about 80 bytes a pixel) and a tab never gets it back, so the
 * library's full 1,920 px input runs in tiles. */
export const DET_TILE = 1024;
/** how far each tile reaches past the part of the map it gives, on each side: the
 * network's view of a line's surroundings */
export const DET_MARGIN = 64;

/** Tiles along a side of `length` (a multiple of 32): [start, size, from, to] with tiles
 * of at most `tile` (multiples of 32) overlapping by at least 2 `margin`; each gives the
 * map from `from` to `to`, at least `margin` inside it but at the ends; those spans cover
 * the side once. */
export function detTiles(length, tile = DET_TILE, margin = DET_MARGIN) {
  if (length <= tile) return [[0, length, 0, length]];
  const n = Math.ceil((length - 2 * margin) / (tile - 2 * margin));
  const size = Math.min(length, Math.ceil((length + (n - 1) * 2 * margin) / n / 32) * 32);
  const starts = Array.from({ length: n }, (_, k) => Math.round((k * (length - size)) / (n - 1)));
  const cuts = [0];
  for (let k = 1; k < n; k += 1) cuts.push(Math.round((starts[k - 1] + size + starts[k]) / 2));
  cuts.push(length);
  return starts.map((start, k) => [start, size, cuts[k], cuts[k + 1]]);
}

/** The map of the text detector over `bitmap` drawn at dw x dh (multiples of 32), run in
 * tiles of at most DET_TILE px a side (one run when the input is no bigger). */
async function detect(ort, sessions, bitmap, dw, dh, cfg, draw) {
  const prob = new Float32Array(dw * dh);
  const sx = bitmap.width / dw;
  const sy = bitmap.height / dh;
  for (const [y, h, y1, y2] of detTiles(dh)) {
    for (const [x, w, x1, x2] of detTiles(dw)) {
      const img = draw(bitmap, w, h, x * sx, y * sy, w * sx, h * sy);
      const input = new ort.Tensor('float32', tensorData(img, w, h, cfg.mean, cfg.std),
        [1, 3, h, w]);
      release(img.data);
      const out = await sessions.det.run({ [sessions.det.inputNames[0]]: input });
      const map = out[sessions.det.outputNames[0]];
      for (let row = y1; row < y2; row += 1) {
        const from = (row - y) * w + (x1 - x);
        prob.set(map.data.subarray(from, from + (x2 - x1)), row * dw + x1);
      }
      release(map.data);
      map.dispose?.();
    }
  }
  return prob;
}

/** The text of a box of `bitmap` (in its pixels), read by the recogniser, or null. */
async function recognise(ort, sessions, bitmap, [x1, y1, x2, y2], cfg, chars, draw) {
  const bw = x2 - x1;
  const bh = y2 - y1;
  if (bw < 2 || bh < 2) return null;
  const rh = cfg.rec_height;
  const rw = Math.max(1, Math.ceil((rh * bw) / bh));
  const padded = Math.max(cfg.rec_width, rw);
  const crop = draw(bitmap, rw, rh, x1, y1, bw, bh);
  const tensor = new ort.Tensor('float32',
    tensorData(crop, rw, rh, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], padded), [1, 3, rh, padded]);
  release(crop.data);
  const out = await sessions.rec.run({ [sessions.rec.inputNames[0]]: tensor });
  const probs = out[sessions.rec.outputNames[0]];
  const [, steps, classes] = probs.dims;
  const read = ctcDecode(probs.data, steps, classes, chars);
  release(probs.data);
  probs.dispose?.();
  return read.text && read.score >= cfg.min_score ? read : null;
}

/** A box of a map of mw x mh, in the pixels of a `width` x `height` photo, clipped. */
function inPhoto(box, mw, mh, width, height) {
  return [Math.max(0, (box[0] * width) / mw), Math.max(0, (box[1] * height) / mh),
    Math.min(width, (box[2] * width) / mw), Math.min(height, (box[3] * height) / mh)];
}

/** Whether the detector's whole input (dw x dh) is worth running, as the library's gate
 * decides (models/ocr.GatedDetection, its numbers in rules.json): always for an input
 * under `gate_min_pixels`; else the detector first sees the photo at `gate_scale` of that
 * size, with lower thresholds, and the whole input runs only when one of the boxes it
 * finds (the likeliest first) reads as text, or when there are more than
 * `gate_max_boxes` of them. A photo without text pays for the small pass alone. */
export async function worthDetecting(ort, sessions, bitmap, dw, dh, cfg, chars, draw) {
  if (dw * dh < cfg.gate_min_pixels || cfg.gate_scale <= 0) return true;
  const gw = Math.max(32, Math.round((dw * cfg.gate_scale) / 32) * 32);
  const gh = Math.max(32, Math.round((dh * cfg.gate_scale) / 32) * 32);
  const prob = await detect(ort, sessions, bitmap, gw, gh, cfg, draw);
  const boxes = textBoxes(prob, gw, gh,
    { thresh: cfg.gate_threshold, box_thresh: cfg.gate_box, unclip_ratio: cfg.unclip_ratio });
  release(prob);
  if (boxes.length > cfg.gate_max_boxes) return true;
  boxes.sort((a, b) => b.score - a.score);
  for (const { box } of boxes) {
    const where = inPhoto(box, gw, gh, bitmap.width, bitmap.height);
    if (await recognise(ort, sessions, bitmap, where, cfg, chars, draw)) return true;
  }
  return false;
}

/**
 * The lines of text in `bitmap`: {lines: [{box: [x1, y1, x2, y2], text, score}] in its
 * pixels, detected: whether the whole detector ran (false: the gate found no text)}.
 * `draw(source, sw, sh, sx, sy, w, h)` gives RGBA pixels of a region drawn at a size.
 */
export async function readText(ort, sessions, bitmap, cfg, chars, draw) {
  const { width, height } = bitmap;
  const scale = Math.min(1, cfg.det_side / Math.max(width, height));
  const dw = Math.max(32, Math.round((width * scale) / 32) * 32);
  const dh = Math.max(32, Math.round((height * scale) / 32) * 32);
  if (!await worthDetecting(ort, sessions, bitmap, dw, dh, cfg, chars, draw)) {
    return { lines: [], detected: false };
  }
  const prob = await detect(ort, sessions, bitmap, dw, dh, cfg, draw);
  const boxes = textBoxes(prob, dw, dh, cfg);
  release(prob);
  const lines = [];
  for (const { box } of boxes) {
    const where = inPhoto(box, dw, dh, width, height);
    const read = await recognise(ort, sessions, bitmap, where, cfg, chars, draw);
    if (read) lines.push({ box: where, text: read.text, score: read.score });
  }
  return { lines: readingOrder(lines), detected: true };
}

/** Top to bottom by rows, left to right within a row: a line joins the current row when
 * its centre lies within half a line height of the row's first line (text/page.py). */
export function readingOrder(lines) {
  const centre = (l) => (l.box[1] + l.box[3]) / 2;
  const height = (l) => l.box[3] - l.box[1];
  const rows = [];
  for (const line of [...lines].sort((a, b) => centre(a) - centre(b))) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(centre(line) - centre(row[0])) <= 0.5 * Math.min(height(line),
      height(row[0]))) row.push(line);
    else rows.push([line]);
  }
  return rows.flatMap((row) => row.sort((a, b) => a.box[0] - b.box[0]));
}
