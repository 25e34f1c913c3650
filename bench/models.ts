import { readFile } from 'node:fs/promises';
import * as ortWeb from 'onnxruntime-web';
import type { Frame } from '../src/core/frame.ts';
import { MediaSource } from '../src/io/media-source.ts';
import { FaceDetector } from '../src/models/face-detector.ts';
import { FaceLandmarker } from '../src/models/face-landmarker.ts';
import { ObjectDetector } from '../src/models/object-detector.ts';
import { OnnxModel } from '../src/models/onnx-model.ts';
import { PersonSegmenter } from '../src/models/person-segmenter.ts';
import { PoseEstimator } from '../src/models/pose-estimator.ts';
import { letterboxRoi, roiToTensor } from '../src/models/roi.ts';
import { ensureModel, ZOO } from '../src/models/zoo.ts';
import { loadTfjsModel } from '../test/models/tfjs-reference.ts';
import { medianOf, percentileOf, table } from './stats-util.ts';

/**
 * Time two calls alternately (a, b, a, b, ...) after 10 warm-up calls each, about 3 s in all, 30 to 200 pairs: this
 * machine's speed drifts by tens of percent over seconds, and alternating puts both under the same conditions.
 */
async function timePair(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number[], number[]]> {
  for (let i = 0; i < 10; i++) {
    await a();
    await b();
  }
  const t0 = performance.now();
  await a();
  await b();
  const pairs = Math.max(30, Math.min(200, Math.round(3000 / Math.max(0.1, performance.now() - t0))));
  const am: number[] = [];
  const bm: number[] = [];
  for (let i = 0; i < pairs; i++) {
    let start = performance.now();
    await a();
    am.push(performance.now() - start);
    start = performance.now();
    await b();
    bm.push(performance.now() - start);
  }
  return [am, bm];
}

/** Time one call after 10 warm-up calls, about 2 s of calls, 30 to 200 of them. */
async function timeIt(fn: () => Promise<unknown>): Promise<number[]> {
  return (await timePair(fn, () => Promise.resolve()))[0];
}

async function readFrame(path: string, format: 'i420' | 'rgba'): Promise<Frame> {
  const source = new MediaSource({ input: path, format });
  await source.open();
  const frame = await source.read();
  await source.close();
  if (!frame) throw new Error(`no picture in ${path}`);
  return frame;
}

/** What a task wrapper does per call on `frame` (pre-processing + run + post-processing). */
type Wrapped = { call: () => Promise<unknown>; close: () => Promise<void> };

async function wrapperOf(name: string, threads: number, frame: Frame): Promise<Wrapped> {
  switch (name) {
    case 'selfie': {
      const m = await PersonSegmenter.load({ threads });
      return { call: () => m.probabilities(frame), close: () => m.close() };
    }
    case 'selfie-mask': {
      const m = await PersonSegmenter.load({ threads });
      return { call: () => m.segment(frame), close: () => m.close() };
    }
    case 'face-detector': {
      const m = await FaceDetector.load({ threads });
      return { call: () => m.detect(frame), close: () => m.close() };
    }
    case 'face-landmarks': {
      const m = await FaceLandmarker.load({ threads });
      const roi = (await m.detect(frame))?.roi ?? letterboxRoi(frame);
      return { call: () => m.landmarks(frame, roi), close: () => m.close() };
    }
    case 'pose-detector': {
      const m = await PoseEstimator.load({ threads });
      return { call: () => m.findPerson(frame), close: () => m.close() };
    }
    case 'pose-landmarks':
    case 'pose-landmarks-lite': {
      const m = await PoseEstimator.load({ threads, variant: name === 'pose-landmarks' ? 'full' : 'lite' });
      const roi = (await m.findPerson(frame)) ?? letterboxRoi(frame);
      return { call: () => m.landmarks(frame, roi), close: () => m.close() };
    }
    case 'objects': {
      const m = await ObjectDetector.load({ threads });
      return { call: () => m.detect(frame), close: () => m.close() };
    }
    default:
      throw new Error(`no wrapper for ${name}`);
  }
}

/** onnxruntime-web's WebAssembly build (what a browser page runs; one thread, SIMD) on the same ONNX file and input. */
async function ortWebMs(path: string, input: Float32Array, dims: readonly number[]): Promise<number[]> {
  ortWeb.env.wasm.numThreads = 1;
  const session = await ortWeb.InferenceSession.create(await readFile(path), { executionProviders: ['wasm'] });
  const feeds = { [session.inputNames[0] ?? '']: new ortWeb.Tensor('float32', input, dims) };
  const ms = await timeIt(() => session.run(feeds));
  await session.release();
  return ms;
}

/** TF.js backend-wasm running the same model.json on the same input (one thread, SIMD). */
async function tfjsWasmMs(name: string, input: Float32Array): Promise<number[]> {
  const { tf, model, inputDims } = await loadTfjsModel(name, 'wasm');
  const x = tf.tensor(input, [...inputDims]);
  const outputs = [...(ZOO[name]?.outputs ?? model.outputs.map((o) => o.name))];
  const ms = await timeIt(async () => {
    const out = model.execute(x, outputs);
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map((t) => t.data()));
    tf.dispose(list);
  });
  x.dispose();
  model.dispose();
  return ms;
}

/**
 * Every zoo model on a camera picture (i420): bare `session.run` (the floor) vs its task wrapper (crop/resize into
 * the preallocated tensor, run, decode), with 1 and 2 threads; and TF.js backend-wasm on the same model.json and
 * input in the same run, and onnxruntime-web's WebAssembly build (the browser's engine) on the same ONNX file. `selfie-mask` is the segmenter with its mask upscaled to the frame (a per-pixel cost).
 */
export async function modelsBench(clip: { label: string; path: string }): Promise<string> {
  const frame = await readFrame(clip.path, 'i420');
  const rows: (string | number)[][] = [];
  for (const task of ['selfie', 'selfie-mask', ...Object.keys(ZOO).filter((n) => n !== 'selfie')]) {
    const name = task === 'selfie-mask' ? 'selfie' : task;
    const built = await ensureModel(name);
    const [, h, w] = built.entry.inputDims as [number, number, number, number];
    let input = new Float32Array();
    const cells: (string | number)[] = [task, `${w}x${h}`];
    let bare1 = 0;
    for (const threads of [1, 2]) {
      const bare = await OnnxModel.load(built.path, built.entry.inputDims, { threads });
      roiToTensor(frame, letterboxRoi(frame), bare.inputData, w, h, [0, 1]);
      input = bare.inputData.slice();
      const wrapped = await wrapperOf(task, threads, frame);
      const [bareMs, wrapMs] = await timePair(() => bare.run(), wrapped.call);
      await Promise.all([bare.close(), wrapped.close()]);
      if (threads === 1) bare1 = medianOf(bareMs);
      cells.push(
        medianOf(bareMs).toFixed(2),
        medianOf(wrapMs).toFixed(2),
        percentileOf(wrapMs, 95).toFixed(2),
        (medianOf(wrapMs) / medianOf(bareMs)).toFixed(2),
      );
    }
    const web = medianOf(await ortWebMs(built.path, input, built.entry.inputDims));
    const wasm = medianOf(await tfjsWasmMs(name, input));
    cells.push(web.toFixed(1), (web / bare1).toFixed(1), wasm.toFixed(1), (wasm / bare1).toFixed(1));
    rows.push(cells);
  }
  frame.release();
  return [
    `### Model zoo on ${clip.label}: bare session.run vs task wrapper, onnxruntime-web and TF.js backend-wasm (CPU execution provider, medians after 10 warm-up calls)`,
    '',
    table(
      [
        'model',
        'input',
        '1 thread: bare ms',
        'wrapper ms',
        'wrapper p95',
        'wrapper / bare',
        '2 threads: bare ms',
        'wrapper ms',
        'wrapper p95',
        'wrapper / bare',
        'ORT web (wasm) ms',
        'ORT web / ORT 1 thread',
        'TF.js wasm ms',
        'TF.js wasm / ORT 1 thread',
      ],
      rows,
    ),
  ].join('\n');
}
