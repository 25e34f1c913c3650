import { spawnSync } from 'node:child_process';
import { NullSink, Pipeline, render } from '../src/core/index.ts';
import { MediaSource } from '../src/io/media-source.ts';
import { medianOf, table } from './stats-util.ts';

const RUNS = 5;

/** Seconds FFmpeg's CLI spent decoding (its own -benchmark "rtime", so process start-up is not counted). */
function ffmpegDecodeS(clip: string): number | null {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-benchmark', '-threads', '1', '-i', clip, '-f', 'null', '-'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const m = /rtime=([\d.]+)s/.exec(r.stderr);
  return m ? Number(m[1]) : null;
}

async function framewiseDecode(clip: string, threads: number): Promise<{ seconds: number; frames: number }> {
  const source = new MediaSource({ input: clip, decoderThreads: threads });
  // Timed from the end of open(), like ffmpeg's rtime, which starts after the input is opened and probed.
  let t0 = 0;
  const { stats } = await new Pipeline({ source, sink: new NullSink(), policy: render(), onStart: () => (t0 = performance.now()) }).run();
  return { seconds: (performance.now() - t0) / 1000, frames: stats.framesOut };
}

/** Decode throughput in render mode against Debian's `ffmpeg -threads 1 -f null` on the same clip, same run. */
export async function decodeThroughput(clip: { label: string; path: string }): Promise<string> {
  const ffmpeg: number[] = [];
  const ours1: number[] = [];
  const oursAuto: number[] = [];
  let frames = 0;
  for (let run = 0; run < RUNS; run++) {
    const f = ffmpegDecodeS(clip.path);
    if (f !== null) ffmpeg.push(f);
    const one = await framewiseDecode(clip.path, 1);
    frames = one.frames;
    ours1.push(one.seconds);
    oursAuto.push((await framewiseDecode(clip.path, 0)).seconds);
  }
  const fps = (s: number): string => (frames / s).toFixed(0);
  const floor = ffmpeg.length > 0 ? medianOf(ffmpeg) : null;
  const rows: (string | number)[][] = [];
  if (floor !== null) rows.push(['ffmpeg CLI -threads 1 -f null (floor)', fps(floor), '1.00']);
  rows.push(['framewise render, decoder threads 1', fps(medianOf(ours1)), floor !== null ? (floor / medianOf(ours1)).toFixed(2) : 'n/a']);
  rows.push(['framewise render, decoder threads auto', fps(medianOf(oursAuto)), floor !== null ? (floor / medianOf(oursAuto)).toFixed(2) : 'n/a']);
  return [
    `### Decode throughput, ${clip.label} (${frames} frames, median of ${RUNS} runs)`,
    '',
    floor === null ? 'Debian ffmpeg is not installed (apt-get install -y ffmpeg), so the floor is missing.\n' : '',
    table(['decoder', 'fps', 'ratio vs ffmpeg'], rows),
    '',
    'Target: ratio >= 1.0 (framewise includes copying each picture into its own frame).',
  ].join('\n');
}
