// Builds the demo page into dist/web: index.html as is, web/app.ts (which shares core/ with the server) bundled to
// one ES module with esbuild. Run by `npm run build`; the server only reads the result.
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
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  }),
]);
