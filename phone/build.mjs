// Builds the phone app into the folder given (the Python side adds the model and its
// rules): the page's scripts bundled by esbuild (exifr, libphonenumber-js with its full
// metadata and zxing-wasm's reader inside),
// onnxruntime-web's and zxing-wasm's wasm files copied out of the installed packages.
// Run by `python -m pixelsafe.phone build` in `make setup`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) throw new Error('usage: node build.mjs OUTDIR');
mkdirSync(join(out, 'ort'), { recursive: true });
mkdirSync(join(out, 'zxing'), { recursive: true });
await build({
  entryPoints: ['app.js', 'worker.js', 'codes.js', 'sw.js'].map((f) => join(here, 'src', f)),
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  external: ['./ort/*'],
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css', 'icon.svg']) copyFileSync(join(here, f), join(out, f));
const ort = join(here, 'node_modules/onnxruntime-web/dist');
for (const f of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) {
  copyFileSync(join(ort, f), join(out, 'ort', f));
}
copyFileSync(join(here, 'node_modules/zxing-wasm/dist/reader/zxing_reader.wasm'),
  join(out, 'zxing', 'zxing_reader.wasm'));
