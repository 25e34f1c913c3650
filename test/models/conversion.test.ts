import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OnnxModel } from '../../src/models/onnx-model.ts';
import { letterboxRoi, roiToTensor } from '../../src/models/roi.ts';
import { buildModel, ensureModel, ZOO } from '../../src/models/zoo.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { readImage } from './image-helpers.ts';
import { tfjsReference } from './tfjs-reference.ts';

const dir = scratchDir('conversion');

/** The value range each model's own pre-processing feeds it. */
const RANGE: Record<string, [number, number]> = {
  selfie: [0, 1],
  'face-detector': [-1, 1],
  'face-detector-full': [-1, 1],
  'face-landmarks': [0, 1],
  'pose-detector': [-1, 1],
  'pose-landmarks': [0, 1],
  'pose-landmarks-lite': [0, 1],
  objects: [0, 255],
};

test('every zoo model has its input range in this test', () => {
  assert.deepEqual(Object.keys(RANGE).sort(), Object.keys(ZOO).sort());
});

for (const name of Object.keys(ZOO)) {
  test(`${name}: ONNX Runtime matches TF.js on the same photo (diff < 1e-3, relative beyond magnitude 1)`, async (t) => {
    const entry = ZOO[name] as (typeof ZOO)[string];
    const built = await buildModel(name, dir);
    const photo = await readImage(testdata('images/portrait.jpg'));
    const model = await OnnxModel.load(built.path, entry.inputDims);
    try {
      const [, h, w] = entry.inputDims as [number, number, number, number];
      roiToTensor(photo, letterboxRoi(photo), model.inputData, w, h, RANGE[name] as [number, number]);
      // The converter names a rank-4 output <tensor>__nhwc (it transposes back from NCHW); other outputs keep their name.
      const reference = await tfjsReference(
        name,
        model.inputData.slice(),
        model.outputNames.map((n) => n.replace(/__nhwc$/, '')),
      );
      const ours = await model.run();
      const diffs: string[] = [];
      assert.equal(model.outputNames.length, reference.length, 'same outputs');
      for (const [i, outName] of model.outputNames.entries()) {
        const a = ours[outName]?.data ?? new Float32Array();
        const b = reference[i] as Float32Array;
        assert.equal(a.length, b.length, `${outName}: ${a.length} values, TF.js ${b.length}`);
        // Absolute 1e-3 for values up to 1 (probabilities, normalised coordinates); relative beyond, since raw
        // regression outputs reach 1e5 here, where one float32 step is already above 1e-3.
        let worst = 0;
        let maxAbs = 0;
        let scale = 0;
        for (let k = 0; k < a.length; k++) {
          const diff = Math.abs((a[k] as number) - (b[k] as number));
          maxAbs = Math.max(maxAbs, diff);
          worst = Math.max(worst, diff / Math.max(1, Math.abs(b[k] as number)));
          scale = Math.max(scale, Math.abs(b[k] as number));
        }
        assert.ok(scale > 0, `${outName}: the reference is not all zeros`);
        assert.ok(worst < 1e-3, `${outName}: diff ${worst} (max abs ${maxAbs}, values up to ${scale})`);
        diffs.push(`${outName} ${maxAbs.toExponential(1)} abs / ${worst.toExponential(1)} scaled`);
      }
      t.diagnostic(diffs.join(', '));
    } finally {
      await model.close();
    }
  });
}

test('the zoo builds reproducibly, reuses a cached model, and rebuilds one whose checksum does not match', async () => {
  const a = await buildModel('face-detector', `${dir}/a`);
  const b = await buildModel('face-detector', `${dir}/b`);
  assert.equal(a.sha256, b.sha256, 'two builds give the same bytes');
  assert.equal((await ensureModel('face-detector', `${dir}/a`)).buildMs, 0);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(a.path, 'garbage');
  const rebuilt = await ensureModel('face-detector', `${dir}/a`);
  assert.ok(rebuilt.buildMs > 0, 'a corrupt cached file is rebuilt');
  assert.equal(rebuilt.sha256, a.sha256);
  assert.equal((await buildModel('face-detector', `${dir}/deep/er/folder`)).sha256, a.sha256, 'missing folders are made');
  // Node's recursive mkdir never returns under /proc; the zoo makes folders one level at a time and fails clearly
  await assert.rejects(buildModel('face-detector', '/proc/framewise-nope/models'), /cannot write models to \/proc\/framewise-nope\/models: ENOENT/);
});

test('the converter names what it cannot convert, and a cut at a tensor the graph lacks', async () => {
  const { tfjsToOnnx } = await import('../../src/models/convert/tfjs-to-onnx.ts');
  const graph = {
    inputs: [{ name: 'x', shape: [-1, 8, 8, 3] }],
    outputs: ['y'],
    consts: new Map(),
    nodes: [
      { name: 'x', op: 'Placeholder', inputs: [], attr: {} },
      { name: 'y', op: 'Erf', inputs: ['x'], attr: {} },
    ],
  };
  assert.throws(() => tfjsToOnnx(graph, 'erf'), /the model uses ops the converter does not support yet: Erf/);
  assert.throws(() => tfjsToOnnx(graph, 'cut', { outputs: ['nope'] }), /the model has no tensor "nope"/);
  const nchw = { ...graph, inputs: [{ name: 'x', shape: [1, 3, 8] }], nodes: [graph.nodes[0], { name: 'y', op: 'Relu', inputs: ['x'], attr: {} }] };
  assert.throws(() => tfjsToOnnx(nchw as typeof graph, 'rank3'), /input "x" must be NHWC \(rank 4\), got \[1, 3, 8\]/);
});
