// The barcode reader and the metadata, in a worker of their own (worker.js starts one per
// photo and ends it once they are read, so that the reader's copy of the photo and its wasm
// heap go back at once): zxing-wasm over the photo, each code's payload classified and its box
// made as the library makes it; exifr's GPS position. A JPEG's codes are read from its file,
// before the photo is decoded anywhere; any other photo is decoded here, read from its
// pixels and handed back.
import exifr from 'exifr';
import { imageSize } from 'image-size';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { decodePhoto } from './decode.js';
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
 * pixels. Read from the JPEG file `bytes` when it is one the reader decodes, otherwise from
 * the pixels of `bitmap` (decoded here from `blob` if not given): {codes, width, height (the
 * photo's, upright), bitmap (the one read from, or null), decodeMs (the time decoding it
 * here)}. */
async function codes(blob, bytes, bitmap, rules, textRules) {
  const options = {
    formats: [], tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true,
    maxNumberOfSymbols: 64,
  };
  let read = !bitmap && bytes && await fromJpeg(bytes, options);
  let decodeMs = 0;
  if (!read) {
    const start = performance.now();
    bitmap ??= await decodePhoto(blob);
    decodeMs = performance.now() - start;
    const { width, height } = bitmap;
    read = {
      found: await readBarcodes(new ImageData(pixels(bitmap), width, height), options),
      width, height,
    };
  }
  const { found, width, height } = read;
  return {
    width, height, bitmap: bitmap ?? null, decodeMs,
    codes: found.filter((c) => c.isValid).map((c) => {
      const payload = classify(c.text, textRules);
      return {
        format: c.format, text: payload.type === 'wifi' ? wifiText(payload) : c.text,
        label: rules.labels[c.format.replace(/[^A-Za-z0-9]/g, '')]
          ?? c.format.toLowerCase().replace(/[ -]/g, ''),
        box: codeBox(c.position, c.format, rules, width, height), payload,
      };
    }),
  };
}

/** The codes of a JPEG read from its bytes, their corners turned as its EXIF orientation
 * turns the photo: {found, width, height (the photo's sides, upright)}; null when it is not
 * a JPEG or one the reader cannot decode. The reader decodes it itself, to grey: no RGBA copy
 * of the photo (4 bytes a pixel) is made, and the photo is not decoded yet. */
async function fromJpeg(bytes, options) {
  const head = new Uint8Array(bytes, 0, Math.min(3, bytes.byteLength));
  if (head[0] !== 0xff || head[1] !== 0xd8 || head[2] !== 0xff) return null;
  let stored;
  try {
    stored = imageSize(new Uint8Array(bytes)); // the stored image's sides, from its header
  } catch {
    return null;
  }
  const orientation = await exifr.orientation(bytes).catch(() => 1) || 1;
  const { width: sw, height: sh } = stored;
  const found = await readBarcodes(new Uint8Array(bytes), options);
  // a file the reader cannot decode (the browser could): read from the pixels instead
  if (found.some((c) => !c.format && c.error)) return null;
  const shown = (p) => turn(p, orientation, sw, sh);
  return {
    width: orientation >= 5 ? sh : sw,
    height: orientation >= 5 ? sw : sh,
    found: found.map((c) => ({
      ...c,
      position: Object.fromEntries(Object.entries(c.position).map(([k, p]) => [k, shown(p)])),
    })),
  };
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

// {blob, bytes (the file's, or null), bitmap (the photo decoded, or null), rules,
// textRules} -> {ok, codes, width, height, gps (when bytes came), bitmap (or null),
// decodeMs}
self.onmessage = async (event) => {
  const { blob, bytes, rules, textRules } = event.data;
  let { bitmap } = event.data;
  try {
    const gps = bytes ? await location(bytes) : null;
    const read = await codes(blob, bytes, bitmap, rules, textRules);
    ({ bitmap } = read);
    self.postMessage({ ok: true, gps, ...read }, bitmap ? [bitmap] : []);
  } catch (err) {
    bitmap?.close();
    self.postMessage({ ok: false, error: String(err && err.message ? err.message : err) });
  }
};
