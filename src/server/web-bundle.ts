import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FramewiseError } from '../core/errors.ts';

const WEB_DIR = join(dirname(dirname(dirname(fileURLToPath(import.meta.url)))), 'web');

/** The demo page's files, built once per server from `web/` (TypeScript bundled with esbuild, in memory). */
export interface WebBundle {
  html: string;
  js: string;
}

/** Build the page: `web/index.html` as is, `web/app.ts` (which shares core/ with the server) bundled to one script. */
export async function buildWebBundle(): Promise<WebBundle> {
  try {
    const [html, result] = await Promise.all([
      readFile(join(WEB_DIR, 'index.html'), 'utf8'),
      build({ entryPoints: [join(WEB_DIR, 'app.ts')], bundle: true, format: 'esm', target: 'es2022', write: false, minify: false, logLevel: 'silent' }),
    ]);
    const js = result.outputFiles[0]?.text;
    if (js === undefined) throw new Error('esbuild produced no output');
    return { html, js };
  } catch (err) {
    throw new FramewiseError('invalid-state', `cannot build the demo page from ${WEB_DIR}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}
