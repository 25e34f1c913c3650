import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OnnxModel } from '../../src/models/onnx-model.ts';
import { PersonSegmenter } from '../../src/models/person-segmenter.ts';
import { buildModel } from '../../src/models/zoo.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { readImage } from './image-helpers.ts';

const dir = scratchDir('models');

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
  await assert.rejects(OnnxModel.load(new TextEncoder().encode('not a model'), [1, 3]), /cannot load the model with any execution provider \(cpu: /);
  const selfie = await buildModel('selfie', dir);
  await assert.rejects(OnnxModel.load(selfie.path, [1, 3, 256, 256]), /input "input_1" has shape \[1, 256, 256, 3\], but \[1, 3, 256, 256\] was given/);
  await assert.rejects(OnnxModel.load(selfie.path, [1, 256, 256, 0]), /cannot take dimensions \[1, 256, 256, 0\]/);
  await assert.rejects(
    buildModel('nope', dir),
    /unknown model "nope": the zoo has selfie, face-detector, face-detector-full, face-landmarks, pose-detector, pose-landmarks, pose-landmarks-lite, objects/,
  );
});

test('execution providers are tried in order: CUDA, which this onnxruntime-node build lacks, fails over to the CPU; all failures are listed', async () => {
  const selfie = await buildModel('selfie', dir);
  const model = await OnnxModel.load(selfie.path, [1, 256, 256, 3], { providers: ['cuda', 'cpu'] });
  assert.equal(model.provider, 'cpu');
  await model.close();
  await assert.rejects(OnnxModel.load(selfie.path, [1, 256, 256, 3], { providers: ['cuda', 'nope'] }), /with any execution provider \(cuda: .+; nope: .+\)/);
});
