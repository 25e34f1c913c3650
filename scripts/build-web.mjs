// Builds the demo page into dist/web: index.html as is, web/app.ts (which shares core/, the effects and the models'
// wrappers with the server through framewise/browser) bundled to one ES module with esbuild. Run by
// `npm run build`; the server only reads the result.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'dist', 'web');
await mkdir(out, { recursive: true });
await Promise.all([
  copyFile(join(root, 'web', 'index.html'), join(out, 'index.html')),
  build({
    entryPoints: [join(root, 'web', 'app.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // onnxruntime-web's build that loads its WebAssembly and the worker loader from /ort/ (the server serves them),
    // so its threads start from their own script rather than from this bundle.
    conditions: ['onnxruntime-web-use-extern-wasm'],
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  }),
]);
