// faces.js on the table of cases that the Python tests run through faces.py too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decode, fineWindows, nms, plan, tiles, turnBack } from '../src/faces.js';

const cases = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url)));
const cfg = cases.config;
const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-4, `${what}: ${a} != ${b}`);
const closeAll = (got, want, what) => {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => g.forEach((v, j) => close(v, want[i][j], what)));
};

test('plan', () => {
  for (const c of cases.plan) {
    const got = plan(c.size[0], c.size[1], cfg).map((p) => [p.scale, p.minSide,
      p.maxSide === Infinity ? null : p.maxSide]);
    assert.equal(got.length, c.passes.length);
    got.forEach((p, i) => {
      close(p[0], c.passes[i][0], 'scale');
      close(p[1], c.passes[i][1], 'min side');
      assert.equal(p[2], c.passes[i][2]);
    });
  }
});

test('tiles', () => {
  for (const c of cases.tiles) assert.deepEqual(tiles(c.length, c.tile, c.overlap), c.starts);
});

test('nms', () => {
  for (const c of cases.nms) closeAll(nms(c.dets, c.iou), c.kept, 'nms');
});

test('decode', () => {
  for (const c of cases.decode) {
    const cells = c.w * c.h;
    const heat = new Float32Array(cells);
    for (const [y, x, v] of c.heat) heat[y * c.w + x] = v;
    const scale = new Float32Array(2 * cells);
    scale.fill(c.scale[0], 0, cells);
    scale.fill(c.scale[1], cells);
    const offset = new Float32Array(2 * cells);
    for (const [y, x, dy, dx] of c.offset) {
      offset[y * c.w + x] = dy;
      offset[cells + y * c.w + x] = dx;
    }
    closeAll(decode(heat, scale, offset, c.w, c.h, c.threshold), c.boxes, 'decode');
  }
});

test('fine windows', () => {
  for (const c of cases.fine_windows) {
    const heat = new Float32Array(c.hw * c.hh);
    for (const [x, y, v] of c.hot) heat[y * c.hw + x] = v;
    assert.deepEqual(fineWindows(heat, c.hw, c.hh, c.ratio, c.size[0], c.size[1], cfg), c.windows);
  }
});

test('turn back', () => {
  for (const c of cases.turn_back) closeAll([turnBack(c.box, c.k, c.w, c.h)], [c.back], 'turn');
});
