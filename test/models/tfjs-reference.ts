import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { ZOO } from '../../src/models/zoo.ts';

const require = createRequire(import.meta.url);

/**
 * The TF.js reference for a zoo model: the very model.json the zoo converts, run by tfjs-core's CPU backend on an
 * NHWC input. Returns the tensors named in `outputs` as flat NHWC arrays.
 */
export async function tfjsReference(name: string, input: Float32Array, outputs: readonly string[]): Promise<Float32Array[]> {
  const { tf, model, inputDims } = await loadTfjsModel(name, 'cpu');
  const result = model.execute(tf.tensor(input, [...inputDims]), [...outputs]);
  const tensors = Array.isArray(result) ? result : [result];
  const data = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(tensors);
  model.dispose();
  return data;
}

/** A zoo model's TF.js graph loaded on `backend` ('cpu', or 'wasm' from tfjs-backend-wasm), with tfjs-core to run it. */
export async function loadTfjsModel(name: string, backend: 'cpu' | 'wasm') {
  const entry = ZOO[name];
  if (!entry) throw new Error(`no zoo model ${name}`);
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  const converter = require('@tensorflow/tfjs-converter') as typeof import('@tensorflow/tfjs-converter');
  if (backend === 'cpu') require('@tensorflow/tfjs-backend-cpu');
  else {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const jsonPath = require.resolve(entry.source);
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: import('@tensorflow/tfjs-core').io.WeightsManifestEntry[] }[];
  };
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(jsonPath.replace(/[^/]+$/, p))));
  const weights = Buffer.concat(shards);
  const model = await converter.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  return { tf, model, inputDims: entry.inputDims };
}
