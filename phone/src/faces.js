// Face detection around the CenterFace network: the same plan, windows, gate, decoding and
// suppression as src/pixelsafe/detectors/faces.py, whose numbers (FaceConfig) reach this
// file as data (rules.json, written by `python -m pixelsafe.phone build`). Pure functions:
// no DOM, no network; tests/faces.test.js runs them on the cases the Python tests run too.

export const STRIDE = 4; // the network's output grid is a quarter of its input
export const ALIGN = 32; // its input sides are multiples of 32

/** The passes for a width x height image: [{scale, minSide, maxSide}]. */
export function plan(width, height, cfg) {
  const longSide = Math.max(width, height);
  const coarse = Math.min(1.0, cfg.coarse_side / longSide);
  const fine = Math.min(cfg.max_upscale, Math.sqrt(cfg.fine_pixels / (width * height)));
  if (fine <= coarse * 1.25) return [{ scale: coarse, minSide: 0, maxSide: Infinity }];
  return [
    { scale: coarse, minSide: (32.0 * coarse) / fine, maxSide: Infinity },
    { scale: fine, minSide: 0, maxSide: 160.0 },
  ];
}

/** Where tiles of at most `tile` start along `length`, overlapping by `overlap`. */
export function tiles(length, tile, overlap) {
  if (length <= tile) return [0];
  const step = tile - overlap;
  const starts = [];
  for (let s = 0; s < length - tile; s += step) starts.push(s);
  starts.push(length - tile);
  return starts;
}

/** Overlapping windows [x, y, w, h] that cover a width x height area at x0, y0. */
export function windows(width, height, tile, overlap, x0 = 0, y0 = 0) {
  const out = [];
  for (const ty of tiles(height, tile, overlap)) {
    for (const tx of tiles(width, tile, overlap)) {
      out.push([x0 + tx, y0 + ty, Math.min(tile, width), Math.min(tile, height)]);
    }
  }
  return out;
}

/** Boxes [x1, y1, x2, y2, score] over `threshold` from the network's three maps (each a
 * Float32Array of h x w cells, scale and offset two planes each). */
export function decode(heat, scale, offset, w, h, threshold) {
  const out = [];
  const plane = w * h;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const s = heat[i];
      if (!(s > threshold)) continue;
      const bh = Math.exp(scale[i]) * STRIDE;
      const bw = Math.exp(scale[plane + i]) * STRIDE;
      const cy = (y + offset[i] + 0.5) * STRIDE;
      const cx = (x + offset[plane + i] + 0.5) * STRIDE;
      out.push([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2, s]);
    }
  }
  return out;
}

/** Greedy suppression by score: a box overlapping a better one by `iou` or more goes. */
export function nms(dets, iou) {
  const order = dets.map((_, i) => i).sort((a, b) => dets[b][4] - dets[a][4]);
  const area = (d) => Math.max(0, d[2] - d[0]) * Math.max(0, d[3] - d[1]);
  const keep = [];
  let rest = order;
  while (rest.length) {
    const i = rest[0];
    keep.push(dets[i]);
    const a = dets[i];
    rest = rest.slice(1).filter((j) => {
      const b = dets[j];
      const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
      const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
      const inter = iw * ih;
      return inter / Math.max(area(a) + area(b) - inter, 1e-9) < iou;
    });
  }
  return keep;
}

/** Where the fine pass looks, in the pixels of its width x height input: blocks of
 * `gate_block` px within `gate_margin` px of a cell of the coarse heat map (hw x hh,
 * `ratio` times coarser) over `gate`, joined into rectangles (8-connected), each tiled. */
export function fineWindows(heat, hw, hh, ratio, width, height, cfg) {
  if (cfg.gate <= 0) return windows(width, height, cfg.tile, cfg.overlap);
  const cell = STRIDE * ratio;
  const radius = Math.ceil(cfg.gate_margin / cell);
  let hot = new Uint8Array(hw * hh);
  for (let i = 0; i < hot.length; i++) hot[i] = heat[i] > cfg.gate ? 1 : 0;
  if (radius > 0) hot = dilate(hot, hw, hh, radius);
  // an integral image of the hot cells, read at each block's corners
  const total = new Int32Array((hw + 1) * (hh + 1));
  for (let y = 0; y < hh; y++) {
    for (let x = 0; x < hw; x++) {
      total[(y + 1) * (hw + 1) + x + 1] = hot[y * hw + x] + total[y * (hw + 1) + x + 1]
        + total[(y + 1) * (hw + 1) + x] - total[y * (hw + 1) + x];
    }
  }
  const block = cfg.gate_block;
  const nby = Math.ceil(height / block);
  const nbx = Math.ceil(width / block);
  const ys = [];
  const xs = [];
  for (let k = 0; k <= nby; k++) ys.push(Math.min(Math.ceil((k * block) / cell), hh));
  for (let k = 0; k <= nbx; k++) xs.push(Math.min(Math.ceil((k * block) / cell), hw));
  const at = (y, x) => total[y * (hw + 1) + x];
  const active = new Uint8Array(nbx * nby);
  for (let by = 0; by < nby; by++) {
    for (let bx = 0; bx < nbx; bx++) {
      const count = at(ys[by + 1], xs[bx + 1]) - at(ys[by], xs[bx + 1])
        - at(ys[by + 1], xs[bx]) + at(ys[by], xs[bx]);
      active[by * nbx + bx] = count > 0 ? 1 : 0;
    }
  }
  const out = [];
  for (const [bx, by, bw, bh] of components(active, nbx, nby)) {
    const x0 = bx * block;
    const y0 = by * block;
    const w = Math.min(width, (bx + bw) * block) - x0;
    const h = Math.min(height, (by + bh) * block) - y0;
    out.push(...windows(w, h, cfg.tile, cfg.overlap, x0, y0));
  }
  return out;
}

/** A binary grid dilated by a (2r+1) square: OpenCV's cv2.dilate with a box kernel. */
function dilate(grid, w, h, r) {
  const rows = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r) && !v; k++) v = grid[y * w + k];
      rows[y * w + x] = v;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r) && !v; k++) v = rows[k * w + x];
      out[y * w + x] = v;
    }
  }
  return out;
}

/** The bounding rectangles [x, y, w, h] of the 8-connected groups of set cells, in the
 * order OpenCV's connectedComponentsWithStats labels them (by first cell, row by row). */
export function components(grid, w, h) {
  const seen = new Uint8Array(w * h);
  const out = [];
  for (let start = 0; start < w * h; start++) {
    if (!grid[start] || seen[start]) continue;
    let [x1, y1, x2, y2] = [start % w, Math.floor(start / w), start % w, Math.floor(start / w)];
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop();
      const x = i % w;
      const y = Math.floor(i / w);
      x1 = Math.min(x1, x); x2 = Math.max(x2, x); y1 = Math.min(y1, y); y2 = Math.max(y2, y);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const j = ny * w + nx;
          if (grid[j] && !seen[j]) { seen[j] = 1; stack.push(j); }
        }
      }
    }
    out.push([x1, y1, x2 - x1 + 1, y2 - y1 + 1]);
  }
  return out;
}

/** Boxes found in the image turned a quarter left (k = 1, numpy's rot90) or right
 * (k = -1) of a w x h image, turned back into its pixels. */
export function turnBack(box, k, w, h) {
  const [x1, y1, x2, y2, s] = box;
  return k === 1 ? [w - y2, x1, w - y1, x2, s] : [y1, h - x2, y2, h - x1, s];
}
