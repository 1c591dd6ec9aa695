// ocr.js's map-to-boxes and decoding on small hand-made inputs (the networks themselves
// are compared with the library's in tests/test_phone.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctcDecode, DET_MARGIN, detTiles, regions, textBoxes } from '../src/ocr.js';

const CFG = { thresh: 0.3, box_thresh: 0.5, unclip_ratio: 1.6 };

function map(w, h, rects) {
  const prob = new Float32Array(w * h);
  for (const [x1, y1, x2, y2, p] of rects) {
    for (let y = y1; y < y2; y += 1) for (let x = x1; x < x2; x += 1) prob[y * w + x] = p;
  }
  return prob;
}

test('a region per connected blob, diagonal neighbours included', () => {
  const mask = new Uint8Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(regions(mask, 4, 3).map((r) => [r.x1, r.y1, r.x2, r.y2]),
    [[0, 0, 1, 1], [3, 2, 3, 2]]);
});

test('text boxes: two lines found and grown, a weak or thin one dropped', () => {
  const prob = map(100, 40, [[10, 5, 60, 15, 0.9], [10, 25, 40, 33, 0.8],
    [70, 25, 95, 35, 0.35], [80, 2, 81, 12, 0.9]]);
  const found = textBoxes(prob, 100, 40, CFG);
  assert.equal(found.length, 2);
  const [a, b] = found.map((f) => f.box);
  // a 51x11 region (the 2x2 dilation adds a row and a column) grown by 51*11*1.6/124
  const grow = (51 * 11 * 1.6) / (2 * (51 + 11));
  assert.deepEqual(a.map((v) => Math.round(v * 100) / 100),
    [10 - grow, 5 - grow, 61 + grow, 16 + grow].map((v) => Math.round(v * 100) / 100));
  assert.ok(b[1] > a[3] - 10 && b[0] < 10);
});

test('CTC: repeats merged, blanks dropped, the last class a space', () => {
  const chars = ['a', 'b'];
  const steps = [[0.1, 0.8, 0.1, 0], [0.1, 0.8, 0.1, 0], [0.9, 0.05, 0.05, 0],
    [0.1, 0.8, 0.1, 0], [0, 0, 0.1, 0.9], [0.1, 0.1, 0.7, 0.1]];
  const probs = new Float32Array(steps.flat());
  const read = ctcDecode(probs, steps.length, 4, chars);
  assert.equal(read.text, 'aa b');
  assert.ok(Math.abs(read.score - (0.8 + 0.8 + 0.9 + 0.7) / 4) < 1e-6);
});

test('the detector tiles: at most DET_TILE, overlapping, each map row given once', () => {
  assert.deepEqual(detTiles(736), [[0, 736, 0, 736]]);
  assert.deepEqual(detTiles(1024), [[0, 1024, 0, 1024]]);
  for (const length of [1056, 1344, 1440, 1920, 2880]) {
    const tiles = detTiles(length);
    assert.ok(tiles.length > 1, String(length));
    let covered = 0;
    tiles.forEach(([start, size, from, to], k) => {
      assert.ok(size <= 1024 && size % 32 === 0 && start >= 0 && start + size <= length);
      assert.equal(from, covered); // the spans follow each other, no gap, no overlap
      covered = to;
      if (k > 0) assert.ok(from - start >= DET_MARGIN, `${length}: ${tiles}`);
      if (k < tiles.length - 1) assert.ok(start + size - to >= DET_MARGIN, `${length}: ${tiles}`);
    });
    assert.equal(covered, length);
  }
  assert.deepEqual(detTiles(1920).map((t) => t[1]), [1024, 1024]);
  assert.deepEqual(detTiles(1344).map((t) => t[1]), [736, 736]);
});
