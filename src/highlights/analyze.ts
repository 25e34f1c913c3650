import { FramewiseError } from '../core/errors.ts';
import { readLoudness } from '../io/loudness.ts';
import { MediaSource } from '../io/media-source.ts';
import { ActivitySampler } from './activity-sampler.ts';
import { FrameChange } from './frame-change.ts';
import { ShotDetector } from './shot-detector.ts';
import { type HighlightSignals, type SignalName, TICK_S, tickOf } from './signals.ts';

/** How a video is analysed. */
export interface AnalyzeOptions {
  input: string;
  /** FFmpeg options for opening it (whitelists for uploads). */
  inputOptions?: Record<string, string>;
  /** Signals to measure (default all four). */
  signals?: readonly SignalName[];
  /** Pictures per second the models see (default 2): they are the expensive part. */
  modelFps?: number;
  modelsDir?: string;
  signal?: AbortSignal;
  /** Media seconds analysed so far, of `totalS` when known. */
  onProgress?: (doneS: number, totalS: number | null) => void;
}

/**
 * Measure a video for highlights in one decoding pass: picture change and cuts on every picture, the models on
 * pictures sampled at `modelFps`, and (at the same time, on its own demuxer) the audio's momentary loudness.
 */
export async function analyzeVideo(options: AnalyzeOptions): Promise<HighlightSignals> {
  const wanted = new Set<SignalName>(options.signals ?? ['motion', 'audio', 'people', 'pose']);
  const modelFps = options.modelFps ?? 2;
  if (!(modelFps > 0 && modelFps <= 30))
    throw new FramewiseError('invalid-argument', `the model rate must be in (0, 30] pictures per second (got ${modelFps})`);
  const source = new MediaSource({ input: options.input, ...(options.inputOptions ? { inputOptions: options.inputOptions } : {}), decoderThreads: 0 });
  const info = await source.open().catch(async (err: unknown) => {
    await source.close();
    throw err;
  });
  const sampler =
    wanted.has('people') || wanted.has('pose')
      ? await ActivitySampler.load({
          people: wanted.has('people'),
          pose: wanted.has('pose'),
          ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}),
        }).catch(async (err: unknown) => {
          await source.close();
          throw err;
        })
      : null;
  const loudness = wanted.has('audio')
    ? readLoudness(options.input, {
        originUs: info.startUs ?? 0,
        ...(options.inputOptions ? { inputOptions: options.inputOptions } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      })
    : Promise.resolve(null);
  // Handled even if the video side fails first, so no rejection is left unhandled; awaited (and rethrown) below.
  loudness.catch(() => undefined);
  const motionSum: number[] = [];
  const motionCount: number[] = [];
  const people: (number | null)[] = [];
  const pose: (number | null)[] = [];
  const shotStartsS = [0];
  const change = new FrameChange();
  const shots = new ShotDetector();
  let nextSampleS = 0;
  let endS = 0;
  let lastReportS = -1;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new FramewiseError('invalid-state', 'cancelled');
      const frame = await source.read();
      if (!frame) break;
      try {
        const timeS = frame.ptsUs / 1e6;
        const tick = Math.max(0, tickOf(timeS));
        endS = Math.max(endS, timeS + 1 / info.fps);
        const picture = change.next(frame);
        if (shots.push(timeS, picture)) shotStartsS.push(timeS);
        else if (frame.seq > 0) {
          motionSum[tick] = (motionSum[tick] ?? 0) + picture.motion;
          motionCount[tick] = (motionCount[tick] ?? 0) + 1;
        }
        if (sampler && timeS + 1e-6 >= nextSampleS) {
          nextSampleS = Math.max(nextSampleS + 1 / modelFps, timeS);
          const sample = await sampler.sample(frame, timeS);
          people[tick] = sample.people;
          pose[tick] = sample.pose;
        }
      } finally {
        frame.release();
      }
      if (options.onProgress && endS - lastReportS >= 1) {
        lastReportS = endS;
        options.onProgress(endS, info.durationS ?? null);
      }
    }
  } finally {
    change[Symbol.dispose]();
    await sampler?.close();
    await source.close();
  }
  const audio = await loudness;
  const ticks = Math.max(1, Math.ceil(endS / TICK_S - 1e-9));
  const motion = Array.from({ length: ticks }, (_, i) => (motionCount[i] ? (motionSum[i] as number) / motionCount[i] : Number.NaN));
  return {
    durationS: Math.round(endS * 1000) / 1000,
    fps: info.fps,
    width: info.width,
    height: info.height,
    motion: fillGaps(motion, 0),
    loudnessLufs: audio ? fitLength(Array.from(audio.lufs), ticks, audio.floorLufs) : null,
    people: wanted.has('people') ? fillGaps(held(people, ticks), 0) : null,
    pose: wanted.has('pose') ? fillGaps(held(pose, ticks), 0) : null,
    shotStartsS: shotStartsS.map((s) => Math.round(s * 1000) / 1000),
    modelFps,
  };
}

/** Sparse samples carried forward to every tick until the next one. */
function held(samples: readonly (number | null | undefined)[], ticks: number): number[] {
  const out: number[] = [];
  let last = Number.NaN;
  for (let i = 0; i < ticks; i++) {
    const v = samples[i];
    if (typeof v === 'number') last = v;
    out.push(last);
  }
  return out;
}

/** Ticks with no value (a cut, before the first sample) take the previous tick's, or `initial`. */
function fillGaps(values: readonly number[], initial: number): number[] {
  let last = initial;
  return values.map((v) => (Number.isFinite(v) ? (last = v) : last));
}

function fitLength(values: number[], length: number, pad: number): number[] {
  const out = values.slice(0, length);
  while (out.length < length) out.push(pad);
  return out.map((v) => Math.round(v * 10) / 10);
}
