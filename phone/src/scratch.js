// One scratch buffer for the networks' inputs, reused from one run to the next. A fresh
// typed array per run (up to 12 MB for a face window or a text tile) is garbage the browser
// collects late: after a 12 MP photo's analysis the tab held up to about 190 MB of garbage
// (a forced collection took it from 647 to 460 MB), these arrays among it.
let scratch = new Float32Array(0);

/** A zeroed Float32Array of `n` values; it is the same memory as the one the next call
 * gives, so it is good until then (the worker runs one job at a time). */
export function scratchFloats(n) {
  if (scratch.length < n) scratch = new Float32Array(n);
  const view = scratch.subarray(0, n);
  view.fill(0);
  return view;
}

