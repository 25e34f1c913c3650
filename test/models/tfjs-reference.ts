import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ZOO } from '../../src/models/zoo.ts';

const require = createRequire(import.meta.url);

/**
 * The TF.js reference for a zoo model: the very model.json the zoo converts, run by tfjs-core's CPU backend on an
 * NHWC input. Returns the tensors named in `outputs` as flat NHWC arrays.
 */
export async function tfjsReference(name: string, input: Float32Array, outputs: readonly string[]): Promise<Float32Array[]> {
  const entry = ZOO[name];
  if (!entry) throw new Error(`no zoo model ${name}`);
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  const converter = require('@tensorflow/tfjs-converter') as typeof import('@tensorflow/tfjs-converter');
  await tf.setBackend('cpu');
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
  const result = model.execute(tf.tensor(input, [...entry.inputDims]), [...outputs]);
  const tensors = Array.isArray(result) ? result : [result];
  const data = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(tensors);
  model.dispose();
  return data;
}
