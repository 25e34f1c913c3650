import { FramewiseError } from '../core/errors.ts';
import { parseFlags } from './flags.ts';
import { Pipeline } from '../core/pipeline.ts';
import { live, type Policy, render } from '../core/policy.ts';
import { NullSink, type FrameSink } from '../core/sink.ts';
import type { PipelineStats } from '../core/stats.ts';
import { createEffect, effectList, effectUsages } from '../effects/registry.ts';
import { assertDistinctOutput } from '../io/media-location.ts';
import { MediaSink } from '../io/media-sink.ts';
import { isPicturePath } from '../io/output-format.ts';
import { MetaLogSink } from '../io/meta-log-sink.ts';
import { formatStats } from './format-stats.ts';
import { createSource } from './input-spec.ts';
import { positiveNumber } from './numbers.ts';
import { LiveStatus } from './live-status.ts';
import { onStopSignal } from './signals.ts';
import { ProgressBar } from './progress-bar.ts';
import { MediaSource } from '../io/media-source.ts';

/** Help for `framewise run`. */
export const RUN_USAGE = `framewise run --input <file|url|testsrc> [options]

Runs a pipeline and prints its latency stats.

  --input, -i      file, URL (rtsp:// rtmp:// srt:// http(s):// incl. HLS) or testsrc[:WxH][@FPS]
  --effect, -e     effect, or several joined by commas (default passthrough): ${effectUsages()}
  --mode, -m       live (drop late frames, paced like a camera) or render (every frame, as fast as possible); default live
  --fps N          frame rate of testsrc, or the rate a file is paced at
  --duration S     stop after S seconds of media (testsrc default 10)
  --loop           start a file over at its end (with --duration for soak runs)
  --realtime       render mode: still pace the input like a camera (shows a queue building up)
  --pacing P       how a paced file is released: picture (default: each picture at its presentation time, decoded
                   ahead like a camera's stream) or packet (each packet at its decode time: B-frame reordering in
                   the decoder then counts in latency)
  --open-timeout S a network input that does not open (no sender, nobody pushing) within S seconds ends the run
                   with an error (default 8)
  --input-option K=V  FFmpeg demuxer/protocol option, repeatable (rtsp_transport=tcp, listen=1 for rtmp/srt...)
  --deadline-ms N  live: drop frames older than N ms at each stage (default 100)
  --concurrency N  render: frames in flight at once (default 4)
  --output, -o     encode to a file (.mp4 .mkv .webm .mov .ts .flv .m3u8) or URL (rtmp:// srt:// udp://)
  --meta FILE      write what the effects found in each frame (faces, pose, reps, objects) as JSON lines
  --json           print the stats as JSON
`;

/** Parsed `framewise run` options. */
export interface RunOptions {
  input: string;
  effects: string[];
  mode: 'live' | 'render';
  fps?: number;
  durationS?: number;
  loop: boolean;
  realtime: boolean;
  pacing?: 'picture' | 'packet';
  openTimeoutS?: number;
  inputOptions?: Record<string, string>;
  deadlineMs?: number;
  concurrency?: number;
  output?: string;
  meta?: string;
  json: boolean;
}

/** Parse `framewise run` arguments; throws FramewiseError('invalid-argument') with what to fix. */
export function parseRunArgs(args: string[]): RunOptions {
  const parsed = parseFlags(
    args,
    {
      input: { type: 'string', short: 'i' },
      effect: { type: 'string', short: 'e' },
      mode: { type: 'string', short: 'm' },
      fps: { type: 'string' },
      duration: { type: 'string' },
      loop: { type: 'boolean' },
      realtime: { type: 'boolean' },
      pacing: { type: 'string' },
      'open-timeout': { type: 'string' },
      'input-option': { type: 'string', multiple: true },
      'deadline-ms': { type: 'string' },
      concurrency: { type: 'string' },
      output: { type: 'string', short: 'o' },
      meta: { type: 'string' },
      json: { type: 'boolean' },
    },
    'run',
    RUN_USAGE,
  );
  const v = parsed.values;
  if (!v.input) throw new FramewiseError('invalid-argument', '--input is required (a file, a URL or testsrc): see framewise run --help');
  // A picture is a still, not a camera: every frame of it counts, so it is rendered unless asked otherwise.
  const mode = v.mode ?? (isPicturePath(v.input) ? 'render' : 'live');
  if (mode !== 'live' && mode !== 'render') throw new FramewiseError('invalid-argument', `--mode must be live or render (got "${mode}")`);
  if (v.pacing !== undefined && v.pacing !== 'picture' && v.pacing !== 'packet')
    throw new FramewiseError('invalid-argument', `--pacing must be picture or packet (got "${v.pacing}")`);
  const openTimeoutS = positiveNumber('--open-timeout', v['open-timeout']);
  const concurrency = positiveNumber('--concurrency', v.concurrency);
  if (concurrency !== undefined && !Number.isInteger(concurrency)) throw new FramewiseError('invalid-argument', '--concurrency must be a whole number');
  const fps = positiveNumber('--fps', v.fps);
  const durationS = positiveNumber('--duration', v.duration);
  const deadlineMs = positiveNumber('--deadline-ms', v['deadline-ms']);
  const inputOptions: Record<string, string> = {};
  for (const pair of v['input-option'] ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FramewiseError('invalid-argument', `--input-option must look like key=value (got "${pair}")`);
    inputOptions[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    input: v.input,
    effects: effectList(v.effect ?? 'passthrough'),
    mode,
    loop: v.loop ?? false,
    realtime: v.realtime ?? false,
    ...(v.pacing === undefined ? {} : { pacing: v.pacing }),
    ...(openTimeoutS === undefined ? {} : { openTimeoutS }),
    json: v.json ?? false,
    ...(fps !== undefined ? { fps } : {}),
    ...(durationS !== undefined ? { durationS } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(v.output ? { output: v.output } : {}),
    ...(v.meta ? { meta: v.meta } : {}),
    ...(Object.keys(inputOptions).length > 0 ? { inputOptions } : {}),
  };
}

/** What a run ended with: its measurements, and the signal that stopped it (if one did). */
export interface RunOutcome {
  stats: PipelineStats;
  signal: NodeJS.Signals | null;
}

/** Build and run the pipeline described by `options`; SIGINT, SIGTERM or SIGHUP stop it and it still reports. */
export async function runPipeline(options: RunOptions, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }): Promise<RunOutcome> {
  const policy: Policy =
    options.mode === 'live'
      ? live(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {})
      : render(options.concurrency !== undefined ? { concurrency: options.concurrency } : {});
  const stages = options.effects.map((spec) => createEffect(spec));
  const source = createSource({
    input: options.input,
    mode: options.mode,
    loop: options.loop,
    realtime: options.realtime,
    ...(options.pacing ? { pacing: options.pacing } : {}),
    ...(options.openTimeoutS === undefined ? {} : { openTimeoutMs: options.openTimeoutS * 1000 }),
    ...(options.inputOptions ? { inputOptions: options.inputOptions } : {}),
    ...(options.fps !== undefined ? { fps: options.fps } : {}),
    ...(options.durationS !== undefined ? { durationS: options.durationS } : {}),
  });
  if (options.output) await assertDistinctOutput(options.input, options.output);
  // A render of a file keeps its audio (copied, or re-encoded when the output container needs it).
  const keepsAudio = options.mode === 'render' && !options.realtime && !options.loop && options.fps === undefined && !options.input.startsWith('testsrc');
  const media: FrameSink = options.output
    ? new MediaSink({
        output: options.output,
        tuning: options.mode === 'live' ? 'live' : 'quality',
        ...(keepsAudio ? { audioFrom: options.input } : {}),
      })
    : new NullSink();
  const sink = options.meta ? new MetaLogSink(options.meta, media) : media;
  const showProgress = options.mode === 'render' && !options.json && io.stderr.isTTY === true;
  let bar: ProgressBar | null = null;
  const pipeline = new Pipeline({
    source,
    stages,
    sink,
    policy,
    // The source's own open timeout says what is wrong; the pipeline's bound only catches what that one misses.
    shutdownTimeoutMs: Math.max(10_000, (options.openTimeoutS ?? 8) * 1000 + 5000),
    onStart: (info) => {
      if (showProgress) bar = new ProgressBar(io.stderr, info.frameCount);
    },
    onFrameOut: (_frame, stats) => bar?.update(stats.delivered),
  });
  let signal: NodeJS.Signals | null = null;
  const onSignal = (received: NodeJS.Signals): void => {
    signal ??= received;
    pipeline.stop();
  };
  const stopListening = onStopSignal(onSignal);
  const status = options.mode === 'live' && !options.json ? new LiveStatus(io.stderr, () => pipeline.stats.snapshot()) : null;
  try {
    if (!options.json) io.stderr.write(`framewise: ${options.mode} run, ${options.input} -> ${stages.map((s) => s.name).join(' -> ')} -> ${sink.name}\n`);
    status?.start();
    const result = await pipeline.run();
    status?.stop();
    (bar as ProgressBar | null)?.finish(result.stats.framesOut);
    const measured = source instanceof MediaSource ? source.decoderReorderMs() : null;
    const reorder = measured ? { ...measured, counted: options.pacing === 'packet' } : null;
    if (options.json)
      io.stdout.write(
        `${JSON.stringify({ source: result.source, stopped: result.stopped, signal, stats: result.stats, decoderReorderMs: reorder }, null, 2)}\n`,
      );
    else io.stdout.write(`${result.source.description}\n${formatStats(result.stats, options.mode, reorder)}\n`);
    return { stats: result.stats, signal };
  } finally {
    status?.stop();
    stopListening();
    await pipeline.close();
  }
}
