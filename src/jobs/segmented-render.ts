import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FramewiseError } from '../core/errors.ts';
import { Pipeline } from '../core/pipeline.ts';
import { render } from '../core/policy.ts';
import type { SourceInfo } from '../core/source.ts';
import type { EffectContext } from '../effects/effect.ts';
import { CLI_EFFECT_CONTEXT, createEffect, effectDefinition } from '../effects/registry.ts';
import { MediaSink } from '../io/media-sink.ts';
import { MediaSource } from '../io/media-source.ts';
import { joinSegments } from '../io/segment-join.ts';
import { resolveOutput } from '../io/output-format.ts';
import { SegmentSink } from './segment-sink.ts';

/** Default segment length: the most work a crash can lose, and the spacing of forced keyframes. */
export const DEFAULT_SEGMENT_S = 10;

/** How a segmented render runs. */
export interface SegmentedRenderOptions {
  /** File path or URL. */
  input: string;
  /** FFmpeg options for opening the input (protocol and format whitelists for inputs from the network). */
  inputOptions?: Record<string, string>;
  effects: readonly string[];
  effectContext?: EffectContext;
  /** The finished file (written under a temporary name, renamed at the end). */
  output: string;
  /** Where segments and their checkpoints are kept; a later run with the same folder resumes. */
  segmentsDir: string;
  segmentS?: number;
  /** Frames in flight (render policy), default 4. */
  concurrency?: number;
  /** Aborting stops within a frame or two; the run then rejects with a FramewiseError('invalid-state', 'cancelled'). */
  signal?: AbortSignal;
  /** After every frame written, and when a segment completes. */
  onProgress?: (progress: SegmentedProgress) => void;
  /** Called before segment `index` starts (tests use it to crash a worker mid-job). */
  onSegmentStart?: (index: number, count: number) => void;
  /**
   * Called after segment `index` is complete on disk, with its files (the picture file when it has frames, then
   * the checkpoint): a remote worker copies them to the server here, so another worker can resume after it. Calls
   * run one at a time, in order, while the next segment renders; all are awaited before the segments are joined.
   */
  onSegmentDone?: (index: number, files: string[]) => Promise<void>;
}

/** Where a segmented render stands. */
export interface SegmentedProgress {
  framesDone: number;
  framesTotal: number | null;
  segmentsDone: number;
  segmentsTotal: number;
  /** Frames written per second in this run (resumed segments not counted). */
  fps: number | null;
}

/** What a finished render made. */
export interface SegmentedResult {
  frames: number;
  segments: number;
  /** Segments found complete from an earlier run. */
  resumedSegments: number;
  durationS: number;
  bytes: number;
  source: SourceInfo;
}

interface Checkpoint {
  index: number;
  frames: number;
}

/**
 * Renders a file as independent segments (each a fresh set of effects after a short preroll, a fresh encoder, its
 * own keyframe), checkpointed on disk, then joins them without re-encoding and adds the input's audio. A run that
 * finds finished segments in `segmentsDir` (a crashed or restarted worker) starts after them: no frame is rendered
 * twice or lost, and the output is the same as that of an uninterrupted run.
 */
export async function renderSegmented(options: SegmentedRenderOptions): Promise<SegmentedResult> {
  const info = await probeSource(options);
  const history = Math.max(0, ...options.effects.map((e) => effectDefinition(e)?.historyFrames ?? 0));
  const segmentUs = Math.round((options.segmentS ?? DEFAULT_SEGMENT_S) * 1e6);
  if (!(segmentUs >= 1e6)) throw new FramewiseError('invalid-argument', 'segments must be at least 1 s long');
  // Effects whose state spans the whole run, and inputs of unknown length, render as one segment.
  const count = Number.isFinite(history) && info.durationS !== undefined ? Math.max(1, Math.ceil((info.durationS * 1e6) / segmentUs)) : 1;
  const prerollUs = Number.isFinite(history) ? Math.round((history / info.fps) * 1e6) : 0;
  await mkdir(options.segmentsDir, { recursive: true });
  const done = await readCheckpoints(options.segmentsDir, count);
  const resumed = done.size;
  let framesDone = [...done.values()].reduce((n, c) => n + c.frames, 0);
  const startedMs = Date.now();
  let framesThisRun = 0;
  const report = (): void =>
    options.onProgress?.({
      framesDone,
      framesTotal: info.frameCount ?? null,
      segmentsDone: done.size,
      segmentsTotal: count,
      fps: framesThisRun > 0 ? framesThisRun / Math.max(1e-3, (Date.now() - startedMs) / 1000) : null,
    });
  report();
  // Finished segments are handed on (sent to the server) in order while the next one renders; a failed hand-on
  // stops the render before its next segment, and every hand-on is over before this returns or throws.
  let handing: Promise<void> = Promise.resolve();
  let handOnFailed = null as { error: unknown } | null;
  try {
    for (let index = 0; index < count; index++) {
      if (done.has(index)) continue;
      if (handOnFailed) throw handOnFailed.error;
      throwIfCancelled(options.signal);
      options.onSegmentStart?.(index, count);
      const fromUs = index === 0 ? Number.NEGATIVE_INFINITY : index * segmentUs;
      const untilUs = index === count - 1 ? undefined : (index + 1) * segmentUs;
      const frames = await renderOne(options, index, fromUs, untilUs, prerollUs, () => {
        framesDone++;
        framesThisRun++;
        report();
      });
      const checkpoint: Checkpoint = { index, frames };
      await writeFile(join(options.segmentsDir, `${segmentName(index)}.json.tmp`), JSON.stringify(checkpoint));
      await rename(join(options.segmentsDir, `${segmentName(index)}.json.tmp`), join(options.segmentsDir, `${segmentName(index)}.json`));
      done.set(index, checkpoint);
      if (options.onSegmentDone) {
        const files = [join(options.segmentsDir, `${segmentName(index)}.json`)];
        if (frames > 0) files.unshift(join(options.segmentsDir, `${segmentName(index)}.nut`));
        const handOn = options.onSegmentDone;
        handing = handing.then(() => handOn(index, files));
        handing.catch((error: unknown) => (handOnFailed ??= { error }));
      }
      report();
    }
    await handing;
  } finally {
    await handing.catch(() => undefined);
  }
  throwIfCancelled(options.signal);
  const ordered = [...done.values()].sort((a, b) => a.index - b.index);
  const files = ordered.filter((c) => c.frames > 0).map((c) => join(options.segmentsDir, `${segmentName(c.index)}.nut`));
  const frames = ordered.reduce((n, c) => n + c.frames, 0);
  if (frames === 0) throw new FramewiseError('input-unreadable', `no picture could be rendered from "${options.input}"`);
  const joined = await joinSegments(files, options.output, {
    audioFrom: options.input,
    audioOriginUs: info.startUs ?? 0,
    ...(options.inputOptions ? { audioInputOptions: options.inputOptions } : {}),
  });
  const bytes = (await stat(options.output)).size;
  return { frames, segments: count, resumedSegments: resumed, durationS: joined.endUs / 1e6, bytes, source: info };
}

/** The files of a segment folder: `seg-00012.nut`, `seg-00012.json` (and their `.tmp` while written). */
const SEGMENT_FILE = /^\.?seg-(\d{5})\./;

/**
 * Names a remote worker may send or fetch: a finished segment's picture file or checkpoint, or a highlights job's
 * analysis checkpoint; nothing else.
 */
export const SEGMENT_FILE_NAME = /^(seg-\d{5}\.(nut|json)|analysis\.json)$/;

/** Segment file name (without extension). */
export function segmentName(index: number): string {
  return `seg-${String(index).padStart(5, '0')}`;
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FramewiseError('invalid-state', 'cancelled');
}

async function probeSource(options: SegmentedRenderOptions): Promise<SourceInfo> {
  const probe = new MediaSource({ input: options.input, ...(options.inputOptions ? { inputOptions: options.inputOptions } : {}) });
  try {
    return await probe.open();
  } finally {
    await probe.close();
  }
}

/** Checkpoints of finished segments; anything else in the folder (a segment cut by a crash) is removed. */
async function readCheckpoints(dir: string, count: number): Promise<Map<number, Checkpoint>> {
  const done = new Map<number, Checkpoint>();
  const names = new Set(await readdir(dir));
  for (let index = 0; index < count; index++) {
    const name = segmentName(index);
    if (!names.has(`${name}.json`)) continue;
    try {
      const checkpoint = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as Checkpoint;
      if (checkpoint.index !== index || !(checkpoint.frames >= 0)) continue;
      if (checkpoint.frames > 0 && !names.has(`${name}.nut`)) continue;
      done.set(index, checkpoint);
    } catch {
      // unreadable: rendered again
    }
  }
  for (const name of names) {
    const index = SEGMENT_FILE.exec(name)?.[1];
    if (index !== undefined && done.has(Number(index))) continue;
    await rm(join(dir, name), { force: true });
  }
  return done;
}

/** Render segment `index` (frames in [fromUs, untilUs)) after its preroll; resolves with the frames written. */
async function renderOne(
  options: SegmentedRenderOptions,
  index: number,
  fromUs: number,
  untilUs: number | undefined,
  prerollUs: number,
  onFrame: () => void,
): Promise<number> {
  const path = join(options.segmentsDir, `${segmentName(index)}.nut`);
  const source = new MediaSource({
    input: options.input,
    startAtUs: Number.isFinite(fromUs) ? Math.max(0, fromUs - prerollUs) : 0,
    ...(untilUs === undefined ? {} : { durationS: untilUs / 1e6 }),
    ...(options.inputOptions ? { inputOptions: options.inputOptions } : {}),
  });
  // Segments carry the codec the output's container takes (H.264, or VP8 for WebM), so joining never re-encodes.
  const codec = resolveOutput(options.output).codec;
  const encoder = new MediaSink({ output: path, container: 'nut', codec, tuning: 'quality', noBFrames: true });
  const sink = new SegmentSink(encoder, fromUs);
  const stages = options.effects.map((e) => createEffect(e, options.effectContext ?? CLI_EFFECT_CONTEXT));
  const pipeline = new Pipeline({
    source,
    stages,
    sink,
    policy: render(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    onFrameOut: (frame) => {
      if (frame.ptsUs >= fromUs) onFrame();
    },
  });
  const onAbort = (): void => pipeline.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await pipeline.run();
    await pipeline.close();
    if (result.stopped || options.signal?.aborted) {
      await rm(path, { force: true });
      throw new FramewiseError('invalid-state', 'cancelled');
    }
    return sink.written;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await pipeline.close();
  }
}
