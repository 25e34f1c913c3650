import { Frame, live, NullSink, Pipeline, render } from '../src/core/index.ts';
import { createEffect } from '../src/effects/registry.ts';
import { MediaSource } from '../src/io/media-source.ts';
import { medianOf, percentileOf, table } from './stats-util.ts';

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

/** The blur effect per frame in live mode at 30 fps (alone and inside a pipeline) and its throughput in render mode. */
export async function blurBench(clips: { label: string; path: string }[]): Promise<string> {
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
