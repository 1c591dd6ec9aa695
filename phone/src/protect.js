// Redaction on the phone, as the library's protect/core.py does it (its numbers from
// rules.json): faces blurred, pixelated or filled over a box grown by the face margin,
// codes, personal text and identity documents (whole) always filled. The export is encoded from the canvas: no metadata survives.
import { decodePhoto } from './decode.js';

/** A box grown by `factor` around its centre, whole pixels, inside the image. */
export function enlarge([x1, y1, x2, y2], factor, width, height) {
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  const hw = ((x2 - x1) * factor) / 2;
  const hh = ((y2 - y1) * factor) / 2;
  return [Math.max(0, Math.floor(cx - hw)), Math.max(0, Math.floor(cy - hh)),
    Math.min(width, Math.ceil(cx + hw)), Math.min(height, Math.ceil(cy + hh))];
}

function whole([x1, y1, x2, y2], width, height) {
  return [Math.max(0, Math.floor(x1)), Math.max(0, Math.floor(y1)),
    Math.min(width, Math.ceil(x2)), Math.min(height, Math.ceil(y2))];
}

/** Treat one region of the canvas in place: 'fill', 'pixelate' or 'blur'. */
export function treat(ctx, [x1, y1, x2, y2], style, rules) {
  const w = x2 - x1;
  const h = y2 - y1;
  if (w <= 0 || h <= 0) return;
  if (style === 'fill') {
    ctx.fillStyle = '#000';
    ctx.fillRect(x1, y1, w, h);
    return;
  }
  if (style === 'pixelate') {
    const blocks = rules.pixelate_blocks;
    const sw = Math.max(1, Math.min(w, blocks));
    const sh = Math.max(1, Math.min(h, Math.round((blocks * h) / w) || 1));
    const small = new OffscreenCanvas(sw, sh);
    const sctx = small.getContext('2d');
    sctx.imageSmoothingQuality = 'high';
    sctx.drawImage(ctx.canvas, x1, y1, w, h, 0, 0, sw, sh);
    ctx.save();
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, sw, sh, x1, y1, w, h);
    ctx.restore();
    return;
  }
  // blur twice over a copy a quarter of the size: no face structure survives, edges soft.
  // The copy takes a margin of the radius around the region, so the blur draws in the
  // photo's own colours at the region's edges, not transparency.
  const radius = Math.max(rules.blur_min, Math.max(w, h) / rules.blur_divisor);
  const m = Math.ceil(radius);
  const [W, H] = [ctx.canvas.width, ctx.canvas.height];
  const ex1 = Math.max(0, x1 - m);
  const ey1 = Math.max(0, y1 - m);
  const ew = Math.min(W, x2 + m) - ex1;
  const eh = Math.min(H, y2 + m) - ey1;
  const sw = Math.max(1, Math.floor(ew / 4));
  const sh = Math.max(1, Math.floor(eh / 4));
  const small = new OffscreenCanvas(sw, sh);
  const sctx = small.getContext('2d');
  sctx.imageSmoothingQuality = 'high';
  sctx.drawImage(ctx.canvas, ex1, ey1, ew, eh, 0, 0, sw, sh);
  const blurred = new OffscreenCanvas(sw, sh);
  const bctx = blurred.getContext('2d');
  bctx.drawImage(small, 0, 0); // opaque underneath, where the blur thins out at the edges
  bctx.filter = `blur(${radius / 4}px)`;
  bctx.drawImage(small, 0, 0);
  ctx.save();
  ctx.beginPath();
  ctx.rect(x1, y1, w, h);
  ctx.clip();
  ctx.drawImage(blurred, 0, 0, sw, sh, ex1, ey1, ew, eh); // nothing of the original is left
  ctx.filter = `blur(${radius / 2}px)`;
  ctx.drawImage(blurred, 0, 0, sw, sh, ex1, ey1, ew, eh);
  ctx.restore();
}

/** The next, stronger treatment of a face still found after one: blur, then pixelate,
 * then fill (the library's order, protect/core.py's strength). */
const STRONGER = { blur: 'pixelate', pixelate: 'fill', fill: 'fill' };
/** how many times the copy is looked at again for faces */
export const HARDEN_ROUNDS = 3;

/** The photo `blob` drawn at full size with every treatment: each face and each box drawn
 * by hand (`result.manual`, in the photo's pixels) in `style`, each code, piece of personal
 * text and identity document filled, then each face a later look found (`later`: {box,
 * style}) in its style; encoded anew (JPEG, or PNG for a PNG) so that nothing of the file's
 * metadata is carried over. The full-size canvas is let go as soon as it is encoded. */
async function render(blob, result, style, rules, later) {
  const bitmap = await decodePhoto(blob);
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const margin = rules.protect.face_margin;
  for (const f of result.faces) treat(ctx, enlarge(f.box, margin, width, height), style, rules.protect);
  // boxes drawn by hand: in the faces' style, as the library treats them
  for (const box of result.manual || []) treat(ctx, whole(box, width, height), style, rules.protect);
  for (const c of result.codes) treat(ctx, whole(c.box, width, height), 'fill', rules.protect);
  for (const t of result.texts || []) treat(ctx, whole(t.box, width, height), 'fill', rules.protect);
  // an identity document is filled whole: its portrait, every printed field, its zone
  for (const d of result.documents || []) {
    if (rules.protect.identity_documents.includes(d.label)) {
      treat(ctx, whole(d.box, width, height), 'fill', rules.protect);
    }
  }
  for (const f of later) treat(ctx, enlarge(f.box, margin, width, height), f.style, rules.protect);
  const type = blob.type === 'image/png' ? 'image/png' : 'image/jpeg';
  const out = await canvas.convertToBlob({ type, quality: 0.92 });
  canvas.width = 0; // its pixels go now, before the copy is looked at again
  return out;
}

/** The protected copy of a photo (see `render`). Faces are treated until `findFaces` (the
 * worker's detector, over the encoded copy) no longer finds one: a face still found, or one
 * the first look missed, is treated again, more strongly each round, and the copy drawn
 * anew from the photo with it (the photo is not held at full size while it is looked at). */
export async function protect(blob, result, style, rules, findFaces) {
  const later = [];
  let next = STRONGER[style];
  for (let round = 0; ; round++) {
    const out = await render(blob, result, style, rules, later);
    if (!findFaces || round >= HARDEN_ROUNDS) return out;
    const left = await findFaces(out);
    if (left.length === 0) return out;
    later.push(...left.map((f) => ({ box: f.box, style: next })));
    next = STRONGER[next];
  }
}
