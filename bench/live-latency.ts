import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { live, NullSink, Pipeline, render } from '../src/core/index.ts';
import { PassthroughStage } from '../src/effects/passthrough.ts';
import { MediaSink } from '../src/io/media-sink.ts';
import { MediaSource } from '../src/io/media-source.ts';
import { TestPatternSource } from '../src/io/test-pattern-source.ts';
import { percentileOf, table } from './stats-util.ts';

const SECONDS = 20;

/** p50/p99 of the time one read() takes (demux + decode + copy), over the whole clip, unpaced. */
async function decodeTimes(clip: string): Promise<{ p50: number; p99: number }> {
  const source = new MediaSource({ input: clip, decoderThreads: 1 });
  await source.open();
  const ms: number[] = [];
  for (;;) {
    const t0 = performance.now();
    const f = await source.read();
    if (!f) break;
    ms.push(performance.now() - t0);
    f.release();
  }
  await source.close();
  return { p50: percentileOf(ms, 50), p99: percentileOf(ms, 99) };
}

/**
 * Live latency of a camera-like H.264 file (no B-frames, as cameras and WebRTC send) paced at 30 fps through
 * passthrough: due time of each packet -> leaving the sink. The floor is the decode time of the same clip.
 */
export async function liveLatency(sizes: { width: number; height: number }[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'framewise-bench-'));
  const rows: (string | number)[][] = [];
  try {
    for (const { width, height } of sizes) {
      const clip = join(dir, `camera-${width}x${height}.mp4`);
      const pattern = new TestPatternSource({ width, height, fps: 30, durationS: SECONDS, paced: false });
      await new Pipeline({ source: pattern, sink: new MediaSink({ output: clip, tuning: 'live' }), policy: render() }).run();
      const decode = await decodeTimes(clip);
      const { stats } = await new Pipeline({
        source: new MediaSource({ input: clip, realtime: true }),
        stages: [new PassthroughStage()],
        sink: new NullSink(),
        policy: live(),
      }).run();
      rows.push([
        `${width}x${height}`,
        stats.framesOut,
        stats.dropped,
        decode.p50.toFixed(2),
        decode.p99.toFixed(2),
        stats.latencyMs.p50.toFixed(2),
        stats.latencyMs.p99.toFixed(2),
        (stats.latencyMs.p99 - decode.p99).toFixed(2),
        stats.driftMsPerS.toFixed(3),
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    `### Live latency, H.264 file paced at 30 fps through passthrough (${SECONDS} s)`,
    '',
    table(
      [
        'size',
        'frames out',
        'dropped',
        'decode p50 (ms)',
        'decode p99 (floor, ms)',
        'latency p50 (ms)',
        'latency p99 (ms)',
        'p99 - decode p99 (ms)',
        'drift (ms/s)',
      ],
      rows,
    ),
    '',
    'Target: latency p99 within 5 ms of decode p99.',
  ].join('\n');
}
