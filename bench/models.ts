import { Frame, live, NullSink, Pipeline, render } from '../src/core/index.ts';
import { createEffect } from '../src/effects/registry.ts';
import { MediaSource } from '../src/io/media-source.ts';
import { frameToTensor } from '../src/models/image-tensor.ts';
import { OnnxModel } from '../src/models/onnx-model.ts';
import { PersonSegmenter } from '../src/models/person-segmenter.ts';
import { ensureModel } from '../src/models/zoo.ts';
import { medianOf, percentileOf, table } from './stats-util.ts';

const RUNS = 200;

async function firstFrame(clip: string) {
  const source = new MediaSource({ input: clip, format: 'i420' });
  await source.open();
  const frame = await source.read();
  await source.close();
  if (!frame) throw new Error(`no frame in ${clip}`);
  return frame;
}

/** The blur stage alone on pre-decoded frames (nothing else on the event loop): 4 passes over up to 60 frames. */
async function isolatedStageMs(clip: string): Promise<number[]> {
  const source = new MediaSource({ input: clip, format: 'i420' });
  await source.open();
  const frames: Frame[] = [];
  for (let i = 0; i < 60; i++) {
    const f = await source.read();
    if (!f) break;
    const copy = Frame.alloc({ width: f.width, height: f.height, format: 'i420' });
    f.planes.forEach((p, k) => copy.planes[k]?.set(p));
    f.release();
    frames.push(copy);
  }
  await source.close();
  const stage = createEffect('blur');
  const ctx = { mode: 'live' as const, signal: new AbortController().signal };
  await stage.open?.(ctx);
  const ms: number[] = [];
  for (let pass = 0; pass < 4; pass++) {
    for (const frame of frames) {
      const t0 = performance.now();
      await stage.process(frame, ctx);
      ms.push(performance.now() - t0);
    }
  }
  await stage.close?.();
  return ms.slice(20);
}

async function timeIt(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/**
 * The selfie segmenter: bare `session.run` (the floor) vs the task wrapper (resize + colour conversion into the
 * preallocated tensor, then run), with 1 and 2 threads; then the blur effect per frame in live mode at 30 fps and
 * its throughput in render mode, at 640x480 and 1280x720.
 */
export async function modelsBench(clips: { label: string; path: string }[]): Promise<string> {
  const built = await ensureModel('selfie');
  const frame = await firstFrame(clips[0]?.path ?? '');
  const rows: (string | number)[][] = [];
  for (const threads of [1, 2]) {
    const bare = await OnnxModel.load(built.path, built.entry.inputDims, { threads });
    frameToTensor(frame, bare.inputData, 256, 256);
    const bareMs = await timeIt(() => bare.run());
    await bare.close();
    const segmenter = await PersonSegmenter.load({ threads });
    const wrapMs = await timeIt(() => segmenter.probabilities(frame));
    await segmenter.close();
    rows.push([
      threads,
      medianOf(bareMs).toFixed(2),
      percentileOf(bareMs, 95).toFixed(2),
      medianOf(wrapMs).toFixed(2),
      percentileOf(wrapMs, 95).toFixed(2),
      (medianOf(wrapMs) / medianOf(bareMs)).toFixed(2),
    ]);
  }
  frame.release();
  const blurRows: (string | number)[][] = [];
  for (const clip of clips) {
    const isolated = await isolatedStageMs(clip.path);
    const liveRun = await new Pipeline({
      source: new MediaSource({ input: clip.path, format: 'i420', realtime: true, loop: true, durationS: 15, fps: 30 }),
      stages: [createEffect('blur')],
      sink: new NullSink(),
      policy: live({ deadlineMs: 1000 }),
    }).run();
    const renderRun = await new Pipeline({
      source: new MediaSource({ input: clip.path, format: 'i420', loop: true, durationS: 10 }),
      stages: [createEffect('blur')],
      sink: new NullSink(),
      policy: render({ concurrency: 2 }),
    }).run();
    const stage = liveRun.stats.stages.find((s) => s.name === 'blur');
    blurRows.push([
      clip.label,
      medianOf(isolated).toFixed(2),
      percentileOf(isolated, 95).toFixed(2),
      stage?.p50.toFixed(2) ?? '-',
      stage?.p95.toFixed(2) ?? '-',
      liveRun.stats.latencyMs.p95.toFixed(1),
      liveRun.stats.fpsOut.toFixed(1),
      renderRun.stats.fpsOut.toFixed(1),
    ]);
  }
  return [
    '### Selfie segmenter (256x256): bare session.run vs task wrapper (200 runs after 20 warm-up, CPU execution provider)',
    '',
    table(['threads', 'bare run p50 ms', 'bare p95', 'wrapper p50 ms', 'wrapper p95', 'wrapper / bare'], rows),
    '',
    '### Background blur (segment + temporal smoothing + feathered, halo-free blur + blend), i420',
    '',
    table(
      [
        'clip',
        'stage alone p50 ms',
        'stage alone p95 ms',
        'live stage p50 ms',
        'live stage p95 ms',
        'live p95 due->sink ms',
        'live fps out (of 30)',
        'render fps',
      ],
      blurRows,
    ),
  ].join('\n');
}
