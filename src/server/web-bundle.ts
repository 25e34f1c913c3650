import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FramewiseError } from '../core/errors.ts';

/** dist/web of the package: the same two folders up from src/server and dist/server. */
const WEB_DIR = join(dirname(dirname(dirname(fileURLToPath(import.meta.url)))), 'dist', 'web');

/** The demo page's files, built by `npm run build` (scripts/build-web.mjs) and read once per server. */
export interface WebBundle {
  html: string;
  js: string;
}

/** Read the built page (`index.html` and the bundled `app.js`). */
export async function loadWebBundle(): Promise<WebBundle> {
  try {
    const [html, js] = await Promise.all([readFile(join(WEB_DIR, 'index.html'), 'utf8'), readFile(join(WEB_DIR, 'app.js'), 'utf8')]);
    return { html, js };
  } catch (err) {
    throw new FramewiseError('invalid-state', `the demo page is not built (${WEB_DIR}): run "npm run build", or start the server with web: false`, {
      cause: err,
    });
  }
}
