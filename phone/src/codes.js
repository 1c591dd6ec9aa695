// The barcode reader, in a worker of its own (worker.js starts one per photo and ends it
// once the codes are read, so that its copy of the photo and its wasm heap go back at once):
// zxing-wasm over the photo's pixels, each code's payload classified and its box made as the
// library makes it. It is given the photo's bitmap and gives it back beside the codes.
import exifr from 'exifr';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { classify } from './payloads.js';

// zxing-wasm looks for its wasm on a CDN unless told: here, this origin's copy
prepareZXingModule({
  overrides: { locateFile: (path) => new URL(`zxing/${path}`, self.location.href).href },
});

/** how many pixels a strip of `pixels` draws at a time */
const STRIP_PIXELS = 1 << 20;

/** The RGBA pixels of `bitmap` at its own size, drawn a strip at a time: one copy of the
 * photo in memory, not a full-size canvas beside it. */
function pixels(bitmap) {
  const { width, height } = bitmap;
  const data = new Uint8ClampedArray(width * height * 4);
  const rows = Math.max(1, Math.floor(STRIP_PIXELS / width));
  const strip = new OffscreenCanvas(width, rows);
  const ctx = strip.getContext('2d', { willReadFrequently: true });
  for (let y = 0; y < height; y += rows) {
    const h = Math.min(rows, height - y);
    ctx.clearRect(0, 0, width, rows);
    ctx.drawImage(bitmap, 0, y, width, h, 0, 0, width, h);
    data.set(ctx.getImageData(0, 0, width, h).data, y * width * 4);
  }
  strip.width = 0;
  return data;
}

/** Barcodes and QR codes, every format zxing reads, at any angle; each checked by its own
 * checksum, its payload classified. Its box: the code's corners' bounds, in the photo's
 * pixels. */
async function codes(bitmap, bytes, rules, textRules) {
  const { width, height } = bitmap;
  const options = {
    formats: [], tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true,
    maxNumberOfSymbols: 64,
  };
  const found = (bytes && await fromJpeg(bytes, width, height, options))
    ?? await readBarcodes(new ImageData(pixels(bitmap), width, height), options);
  return found.filter((c) => c.isValid).map((c) => {
    const payload = classify(c.text, textRules);
    return {
      format: c.format, text: payload.type === 'wifi' ? wifiText(payload) : c.text,
      label: rules.labels[c.format.replace(/[^A-Za-z0-9]/g, '')]
        ?? c.format.toLowerCase().replace(/[ -]/g, ''),
      box: codeBox(c.position, c.format, rules, width, height), payload,
    };
  });
}

/** The codes of a JPEG read from its bytes, their corners turned as its EXIF orientation
 * turns the photo (`width` x `height`, as shown); null when it is not a JPEG or one the
 * reader cannot decode. The reader decodes it itself, to grey: no RGBA copy of the photo
 * (4 bytes a pixel) is made. */
async function fromJpeg(bytes, width, height, options) {
  const head = new Uint8Array(bytes, 0, Math.min(3, bytes.byteLength));
  if (head[0] !== 0xff || head[1] !== 0xd8 || head[2] !== 0xff) return null;
  const orientation = await exifr.orientation(bytes).catch(() => 1) || 1;
  const turned = orientation >= 5;
  const sw = turned ? height : width; // the stored image's sides
  const sh = turned ? width : height;
  const found = await readBarcodes(new Uint8Array(bytes), options);
  // a file the reader cannot decode (the browser could): read from the pixels instead
  if (found.some((c) => !c.format && c.error)) return null;
  const shown = (p) => turn(p, orientation, sw, sh);
  return found.map((c) => ({
    ...c,
    position: Object.fromEntries(Object.entries(c.position).map(([k, p]) => [k, shown(p)])),
  }));
}

/** A point of a stored image (sw x sh) where its EXIF orientation puts it. */
function turn({ x, y }, orientation, sw, sh) {
  switch (orientation) {
    case 2: return { x: sw - 1 - x, y };
    case 3: return { x: sw - 1 - x, y: sh - 1 - y };
    case 4: return { x, y: sh - 1 - y };
    case 5: return { x: y, y: x };
    case 6: return { x: sh - 1 - y, y: x };
    case 7: return { x: sh - 1 - y, y: sw - 1 - x };
    case 8: return { x: y, y: sw - 1 - x };
    default: return { x, y };
  }
}

/** A Wi-Fi code as the page shows it: its network, never its password. */
function wifiText(payload) {
  return `Wi-Fi network '${payload.fields.wifi_ssid}'${payload.critical ? ' with its password' : ''}`;
}

/** A code's box as the library makes it (barcodes.py's _box, its numbers from rules.json):
 * a linear code's scan line grown to the height of its bars, padded to its quiet zone. */
function codeBox(p, format, rules, width, height) {
  const xs = [p.topLeft.x, p.topRight.x, p.bottomRight.x, p.bottomLeft.x];
  const ys = [p.topLeft.y, p.topRight.y, p.bottomRight.y, p.bottomLeft.y];
  const x1 = Math.min(...xs);
  const x2 = Math.max(...xs);
  let y1 = Math.min(...ys);
  let y2 = Math.max(...ys);
  const w = Math.max(1, x2 - x1);
  if (rules.linear.includes(format.replace(/[ -]/g, '')) && y2 - y1 < rules.scan_line * w) {
    const cy = (y1 + y2) / 2;
    y1 = cy - rules.bar_height * w;
    y2 = cy + rules.bar_height * w;
  }
  const pad = Math.max(rules.pad_min, rules.pad * w);
  return [Math.max(0, x1 - pad), Math.max(0, y1 - pad), Math.min(width, x2 + 1 + pad),
    Math.min(height, y2 + 1 + pad)];
}

self.onmessage = async (event) => {
  const { bitmap, bytes, rules, textRules } = event.data;
  try {
    const found = await codes(bitmap, bytes, rules, textRules);
    self.postMessage({ ok: true, codes: found, bitmap }, [bitmap]);
  } catch (err) {
    bitmap.close();
    self.postMessage({ ok: false, error: String(err && err.message ? err.message : err) });
  }
};
