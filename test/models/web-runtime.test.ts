import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import * as ortWeb from 'onnxruntime-web';
import { OnnxModel } from '../../src/models/onnx-model.ts';
import { letterboxRoi, roiToTensor } from '../../src/models/roi.ts';
import { ensureModel, ZOO } from '../../src/models/zoo.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { readImage } from './image-helpers.ts';

const dir = scratchDir('web-runtime');

// The browser's ONNX Runtime (WebAssembly build of onnxruntime-web, the engine a page uses) runs here in Node:
// every zoo model must load there and agree with onnxruntime-node, so the same files serve server and browser.
ortWeb.env.wasm.numThreads = 1;

test('every zoo model runs in onnxruntime-web (WebAssembly) and agrees with onnxruntime-node', async (t) => {
  const photo = await readImage(testdata('images/three_people.jpg'));
  const report: string[] = [];
  for (const name of Object.keys(ZOO)) {
    const built = await ensureModel(name, dir);
    const [, h, w] = built.entry.inputDims as [number, number, number, number];
    const node = await OnnxModel.load(built.path, built.entry.inputDims);
    const web = await ortWeb.InferenceSession.create(await readFile(built.path), { executionProviders: ['wasm'] });
    try {
      roiToTensor(photo, letterboxRoi(photo), node.inputData, w, h, [0, 1]);
      const expected = await node.run();
      const got = await web.run({ [web.inputNames[0] ?? '']: new ortWeb.Tensor('float32', node.inputData, built.entry.inputDims) });
      assert.deepEqual([...web.outputNames].sort(), [...node.outputNames].sort(), `${name}: same outputs`);
      let worst = 0;
      for (const output of node.outputNames) {
        const a = got[output]?.data as Float32Array;
        const b = expected[output]?.data ?? new Float32Array();
        assert.equal(a.length, b.length, `${name} ${output}: size`);
        // within 0.2 % of the output's range (landmarks in pixels, probabilities in 0-1): the two builds use different
        // kernels (AVX vs WebAssembly SIMD). The largest gap, ~1e-3, is in BlazePose's segmentation head (upsampled
        // by Resize twice), an output Framewise does not read; the landmarks agree within 2e-5 of their range.
        const range = b.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)) / range);
      }
      assert.ok(worst < 2e-3, `${name}: differs by ${worst}`);
      report.push(`${name} ${worst.toExponential(1)}`);
    } finally {
      await Promise.all([node.close(), web.release()]);
    }
  }
  t.diagnostic(`largest difference per model, as a share of the output's range: ${report.join(', ')}`);
});
