import { rm, stat } from 'node:fs/promises';
import { describeError, FramewiseError } from '../core/errors.ts';
import type { EffectContext } from '../effects/effect.ts';
import { makeHighlights } from '../highlights/highlights.ts';
import type { JobProgress, JobRecord } from './job.ts';
import type { JobStore } from './job-store.ts';
import { renderSegmented } from './segmented-render.ts';
import { jobInputOptions } from './job-input.ts';

/** The abort reason of a worker that stops (the job is re-queued, not cancelled). */
export const SHUTDOWN = 'worker shutting down';

/** How a worker runs one job. */
export interface RunJobOptions {
  store: JobStore;
  /** Who runs it (shown in the record). */
  worker: string;
  effectContext: EffectContext;
  signal: AbortSignal;
  /** Every change of the record: `state` when it starts or ends, `progress` at most every `progressEveryMs`. */
  onUpdate: (record: JobRecord, kind: 'state' | 'progress') => void;
  progressEveryMs?: number;
  segmentS?: number;
  concurrency?: number;
  /** Before each segment (tests crash a worker here). */
  onSegmentStart?: (index: number, count: number) => void;
  /** Awaited once a segment's files are complete (a remote worker copies them to the server). */
  onSegmentDone?: (index: number, files: string[]) => Promise<void>;
  /** Awaited once the result is written, before the working files are removed (a remote worker uploads it). */
  onResult?: (path: string) => Promise<void>;
  /** Highlights: awaited once the report is written (a remote worker uploads it as report.json). */
  onReport?: (path: string) => Promise<void>;
}

/** What a job made, whatever its kind. */
interface Made {
  frames: number;
  durationS: number;
  bytes: number;
  segments: number;
  /** Media seconds the real-time factor is counted over (the input's for highlights). */
  mediaS: number;
  clips?: number;
}

/**
 * Run a queued (or interrupted) job to its end: render it in checkpointed segments (resuming after any finished
 * ones), join them with the input's audio, and leave the record `succeeded`, `failed` with the reason in words, or
 * `cancelled` with no partial file behind. Never throws for what is wrong with the job itself.
 */
export async function runJob(initial: JobRecord, options: RunJobOptions): Promise<JobRecord> {
  const { store } = options;
  let record: JobRecord = {
    ...initial,
    state: 'running',
    attempts: initial.attempts + 1,
    worker: options.worker,
    startedAt: initial.startedAt ?? new Date().toISOString(),
    error: null,
  };
  await store.save(record);
  options.onUpdate(record, 'state');
  const input = store.inputPath(record.id);
  const output = store.resultPath(record);
  const startedMs = Date.now();
  let lastProgressMs = 0;
  const every = options.progressEveryMs ?? 250;
  const update: ProgressUpdate = (progress, checkpoint) => {
    const now = Date.now();
    if (!checkpoint && now - lastProgressMs < every) return;
    lastProgressMs = now;
    record = { ...record, progress };
    // Progress is kept on disk at checkpoints (segment ends); ticks in between only go to listeners.
    if (checkpoint) void store.save(record).catch(() => undefined);
    options.onUpdate(record, 'progress');
  };
  update.current = () => record.progress;
  try {
    const run = record.spec.kind === 'highlights' ? highlightsJob : renderJob;
    const result = await run(record, input, output, options, update);
    await options.onResult?.(output);
    if (record.spec.kind === 'highlights') await options.onReport?.(store.reportPath(record.id));
    const seconds = (Date.now() - startedMs) / 1000;
    record = {
      ...record,
      state: 'succeeded',
      finishedAt: new Date().toISOString(),
      progress: {
        ...record.progress,
        framesDone: result.frames,
        framesTotal: record.progress.framesTotal ?? result.frames,
        etaS: 0,
        segmentsDone: result.segments,
      },
      result: {
        fileName: `${record.id}.${record.spec.format}`,
        bytes: result.bytes,
        frames: result.frames,
        durationS: Math.round(result.durationS * 1000) / 1000,
        realTimeFactor: result.mediaS > 0 ? Math.round((seconds / result.mediaS) * 1000) / 1000 : 0,
        ...(result.clips === undefined ? {} : { clips: result.clips }),
      },
    };
  } catch (err) {
    if (options.signal.aborted && options.signal.reason === SHUTDOWN) {
      // The worker is going away, not the job: it goes back to the queue with its finished segments kept.
      record = { ...record, state: 'queued', worker: null };
      await store.save(record);
      options.onUpdate(record, 'state');
      return record;
    }
    const cancelled = options.signal.aborted;
    await rm(output, { force: true });
    record = {
      ...record,
      state: cancelled ? 'cancelled' : 'failed',
      finishedAt: new Date().toISOString(),
      error: cancelled ? null : jobError(err),
    };
  }
  await store.removeWork(record.id).catch(() => undefined);
  await store.save(record);
  options.onUpdate(record, 'state');
  return record;
}

/** Sets the job's progress (`checkpoint`: also saved on disk, never throttled); `current` reads it back. */
type ProgressUpdate = ((progress: JobProgress, checkpoint: boolean) => void) & { current?: () => JobProgress };

/** Every frame through the effects, in checkpointed segments joined with the input's audio. */
async function renderJob(job: JobRecord, input: string, output: string, options: RunJobOptions, update: ProgressUpdate): Promise<Made> {
  const segmentS = job.spec.segmentS ?? options.segmentS;
  const result = await renderSegmented({
    input,
    inputOptions: jobInputOptions(),
    effects: job.spec.effects,
    effectContext: options.effectContext,
    output,
    segmentsDir: options.store.segmentsDir(job.id),
    signal: options.signal,
    ...(segmentS === undefined ? {} : { segmentS }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.onSegmentStart ? { onSegmentStart: options.onSegmentStart } : {}),
    ...(options.onSegmentDone ? { onSegmentDone: options.onSegmentDone } : {}),
    onProgress: (p) => {
      const segmentDone = p.segmentsDone !== update.current?.().segmentsDone;
      const total = job.media.frames ?? p.framesTotal;
      const left = total === null ? null : Math.max(0, total - p.framesDone);
      update(
        {
          framesDone: p.framesDone,
          framesTotal: total,
          fps: p.fps === null ? null : Math.round(p.fps * 10) / 10,
          etaS: left === null || p.fps === null || p.fps <= 0 ? null : Math.round((left / p.fps) * 10) / 10,
          segmentsDone: p.segmentsDone,
          segmentsTotal: p.segmentsTotal,
        },
        segmentDone,
      );
    },
  });
  return { frames: result.frames, durationS: result.durationS, bytes: result.bytes, segments: result.segments, mediaS: result.durationS };
}

/**
 * A highlight reel: the analysis is kept in the job's segment folder once done (a checkpoint: a resumed job goes
 * straight to choosing and rendering), the reel is the result and the report sits beside it as report.json.
 */
async function highlightsJob(job: JobRecord, input: string, output: string, options: RunJobOptions, update: ProgressUpdate): Promise<Made> {
  const settings = job.spec.highlights;
  if (!settings) throw new FramewiseError('invalid-argument', 'a highlights job needs its settings (length at least)');
  const workDir = options.store.segmentsDir(job.id);
  const startedMs = Date.now();
  let phase: 'analysing' | 'rendering' | null = null;
  const { report, frames } = await makeHighlights({
    input,
    inputOptions: jobInputOptions(),
    output,
    lengthS: settings.lengthS,
    ...(settings.weights ? { weights: settings.weights } : {}),
    ...(settings.signals ? { signals: settings.signals } : {}),
    ...(settings.modelFps === undefined ? {} : { modelFps: settings.modelFps }),
    effects: job.spec.effects.filter((e) => e !== 'passthrough'),
    effectContext: options.effectContext,
    workDir,
    reportJson: options.store.reportPath(job.id),
    inputName: job.spec.input.kind === 'url' ? job.spec.input.url : 'upload',
    signal: options.signal,
    onAnalysisSaved: async (path) => options.onSegmentDone?.(0, [path]),
    onProgress: (p) => {
      const fps = job.media.fps;
      const total = p.phase === 'analysing' ? (job.media.frames ?? (p.total === null ? null : Math.round(p.total * fps))) : p.total;
      const done = p.phase === 'analysing' ? Math.round(p.done * fps) : p.done;
      const rate = done / Math.max(1e-3, (Date.now() - startedMs) / 1000);
      const changed = phase !== p.phase;
      phase = p.phase;
      update(
        {
          phase: p.phase,
          framesDone: done,
          framesTotal: total,
          fps: Math.round(rate * 10) / 10,
          etaS: total === null || rate <= 0 ? null : Math.round((Math.max(0, total - done) / rate) * 10) / 10,
          segmentsDone: p.phase === 'rendering' ? 1 : 0,
          segmentsTotal: 2,
        },
        changed,
      );
    },
  });
  const bytes = (await stat(output)).size;
  return { frames, durationS: report.reelS, bytes, segments: 2, mediaS: report.durationS, clips: report.clips.length };
}

/** A job's failure in words: the message of our own errors, the cause of anything else. */
function jobError(err: unknown): string {
  if (err instanceof FramewiseError) return err.message;
  return `internal error: ${describeError(err)}`;
}
