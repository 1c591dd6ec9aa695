// Memory the analysis reuses or gives back at once. The worker's large arrays (a network's
// input, a photo drawn at a size, a network's output, the text detector's map) are up to
// 16 MB each; left to the collector, a 12 MP photo's analysis left up to about 90 MB of them
// behind (a forced collection after each job took the tab's peak from 634-680 to 551-576 MB),
// and the browser collects late.

// One scratch buffer for the networks' inputs, reused from one run to the next.
let scratch = new Float32Array(0);

/** A zeroed Float32Array of `n` values; it is the same memory as the one the next call
 * gives, so it is good until then (the worker runs one job at a time). Never `release` it. */
export function scratchFloats(n) {
  if (scratch.length < n) scratch = new Float32Array(n);
  const view = scratch.subarray(0, n);
  view.fill(0);
  return view;
}

/** Give back the memory of arrays no longer used now, not when the browser collects them:
 * each one's buffer is detached (transferred to a length of 0), which frees it. An array
 * that is a view of part of its buffer, or of memory that cannot be detached (a wasm
 * memory), is left to the collector, as is any array in a browser without `transfer`. */
export function release(...arrays) {
  for (const a of arrays) {
    const buffer = a?.buffer;
    if (!(buffer instanceof ArrayBuffer) || typeof buffer.transfer !== 'function'
        || a.byteOffset !== 0 || a.byteLength !== buffer.byteLength
        || buffer === scratch.buffer) continue;
    try {
      buffer.transfer(0);
    } catch {
      // not detachable: the collector frees it
    }
  }
}
