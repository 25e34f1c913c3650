import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type BuiltModel, ensureModel, ZOO } from '../models/zoo.ts';
import { HttpError, sendJson } from './http-util.ts';

/**
 * What makes a page cross-origin isolated (so WebAssembly threads can run there): sent with the demo page, its
 * script and onnxruntime-web's files, which workers load.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** onnxruntime-web's WebAssembly builds and their loaders (dist/ort-wasm*.wasm|mjs), by file name. */
async function ortFiles(): Promise<Map<string, string>> {
  try {
    const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
    const names = (await readdir(dist)).filter((name) => /^ort-wasm[a-z0-9.-]*\.(wasm|mjs)$/.test(name));
    return new Map(names.map((name) => [name, join(dist, name)]));
  } catch {
    return new Map();
  }
}

/**
 * The files a page needs to run effects itself (framewise/browser): `/models/<name>.json` (the sha256 recorded when
 * the model was built, and its size) and `/models/<name>.onnx` for every zoo model, built on first request; and
 * `/ort/<file>`, onnxruntime-web's WebAssembly files. Only those names are served: a path from the network is looked
 * up in a fixed list, never joined to a folder.
 */
export class PageAssets {
  private ort: Promise<Map<string, string>> | null = null;
  private readonly building = new Map<string, Promise<BuiltModel>>();

  constructor(private readonly modelsDir?: string) {}

  /** GET /models/<file>. */
  async model(res: ServerResponse, file: string | undefined, head: boolean): Promise<void> {
    const match = /^([a-z0-9-]+)\.(json|onnx)$/.exec(file ?? '');
    const name = match?.[1];
    if (!match || !name || !Object.hasOwn(ZOO, name))
      throw new HttpError(404, `no such model file: the zoo has ${Object.keys(ZOO).join(', ')}, each as <name>.json and <name>.onnx`);
    const built = await this.built(name);
    if (match[2] === 'json') {
      sendJson(res, 200, { name, sha256: built.sha256, bytes: built.bytes, inputDims: built.entry.inputDims, task: built.entry.task }, ISOLATION_HEADERS);
      return;
    }
    await this.stream(res, built.path, 'application/octet-stream', head, { etag: `"${built.sha256}"` });
  }

  /** GET /ort/<file>. */
  async ortFile(res: ServerResponse, file: string | undefined, head: boolean): Promise<void> {
    this.ort ??= ortFiles();
    const files = await this.ort;
    const path = file === undefined ? undefined : files.get(file);
    if (!path)
      throw new HttpError(
        404,
        files.size === 0 ? 'onnxruntime-web is not installed on this server: run npm ci' : `no such file: ${[...files.keys()].join(', ')}`,
      );
    await this.stream(res, path, path.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8', head, {});
  }

  /** The model built (once at a time per name) into the cache. */
  private built(name: string): Promise<BuiltModel> {
    let pending = this.building.get(name);
    if (!pending) {
      pending = ensureModel(name, this.modelsDir).finally(() => this.building.delete(name));
      this.building.set(name, pending);
    }
    return pending.catch((err: unknown) => {
      throw new HttpError(503, `model ${name} cannot be built on this server: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private async stream(res: ServerResponse, path: string, type: string, head: boolean, headers: Record<string, string>): Promise<void> {
    const size = (await stat(path)).size;
    res.writeHead(200, { ...ISOLATION_HEADERS, ...headers, 'content-type': type, 'content-length': String(size), 'cache-control': 'no-cache' });
    if (head) return void res.end();
    await pipeline(createReadStream(path), res);
  }
}
