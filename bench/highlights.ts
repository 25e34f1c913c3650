import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeHighlights } from '../src/highlights/highlights.ts';
import type { SignalName } from '../src/highlights/signals.ts';
import { MediaSource } from '../src/io/media-source.ts';
import { table } from './stats-util.ts';

/** Decode every picture of `path` as fast as possible (the floor a highlights run cannot beat), ms. */
async function decodeAll(path: string): Promise<number> {
  const t0 = performance.now();
  const source = new MediaSource({ input: path, decoderThreads: 0 });
  await source.open();
  for (let frame = await source.read(); frame; frame = await source.read()) frame.release();
  await source.close();
  return performance.now() - t0;
}

/**
 * The real-time factor of a whole highlights run (analysis, choice, render of a 30 s reel) on 2-minute clips, with
 * the cheap signals only and with the models too, against decoding the clip alone in the same run.
 */
export async function highlightsBench(videos: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'framewise-bench-highlights-'));
  try {
    // A 2-minute 720p clip with sound: the 7.8 s camera clip played 16 times over.
    const looped = join(dir, 'looped-720p.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '15', '-i', join(videos, 'facing_camera_720p.mp4'), '-c', 'copy', looped], { stdio: 'pipe' });
    const clips = [
      { label: 'one-by-one-person-detection.mp4 (768x432, 10 fps, 139 s, no audio)', path: join(videos, 'one-by-one-person-detection.mp4'), seconds: 139 },
      { label: 'facing_camera_720p.mp4 looped (1280x720, 25 fps, 125 s, AAC)', path: looped, seconds: 125 },
    ];
    const rows: (string | number)[][] = [];
    for (const clip of clips) {
      const decodeMs = await decodeAll(clip.path);
      rows.push([clip.label, 'decode only (floor)', (decodeMs / 1000).toFixed(1), (decodeMs / 1000 / clip.seconds).toFixed(3), '-']);
      const runs: [string, SignalName[]][] = [
        ['motion + audio', ['motion', 'audio']],
        ['all four (models at 2 fps)', ['motion', 'audio', 'people', 'pose']],
      ];
      for (const [name, signals] of runs) {
        const { report } = await makeHighlights({ input: clip.path, output: join(dir, 'reel.mp4'), lengthS: 30, signals, minScore: 0 });
        rows.push([
          clip.label,
          `${name}: analysis ${report.timings.analysisS.toFixed(1)} s, render ${report.timings.renderS.toFixed(1)} s`,
          report.timings.totalS.toFixed(1),
          report.timings.realTimeFactor.toFixed(3),
          ((report.timings.totalS * 1000) / decodeMs).toFixed(2),
        ]);
      }
    }
    return [
      '### Highlights: real-time factor of a whole run (30 s reel)',
      '',
      table(['clip', 'signals', 'seconds', 'real-time factor', 'vs decode only'], rows),
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
