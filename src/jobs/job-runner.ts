import { rm } from 'node:fs/promises';
import { describeError, FramewiseError } from '../core/errors.ts';
import type { EffectContext } from '../effects/effect.ts';
import type { JobRecord } from './job.ts';
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
  const input = record.spec.input.kind === 'upload' ? store.inputPath(record.id) : record.spec.input.url;
  const output = store.resultPath(record);
  const startedMs = Date.now();
  let lastProgressMs = 0;
  const every = options.progressEveryMs ?? 250;
  try {
    const result = await renderSegmented({
      input,
      inputOptions: jobInputOptions(record.spec.input.kind),
      effects: record.spec.effects,
      effectContext: options.effectContext,
      output,
      segmentsDir: store.segmentsDir(record.id),
      signal: options.signal,
      ...((record.spec.segmentS ?? options.segmentS) === undefined ? {} : { segmentS: record.spec.segmentS ?? options.segmentS }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.onSegmentStart ? { onSegmentStart: options.onSegmentStart } : {}),
      ...(options.onSegmentDone ? { onSegmentDone: options.onSegmentDone } : {}),
      onProgress: (p) => {
        const now = Date.now();
        const segmentDone = p.segmentsDone !== record.progress.segmentsDone;
        if (!segmentDone && now - lastProgressMs < every) return;
        lastProgressMs = now;
        const total = record.media.frames ?? p.framesTotal;
        const left = total === null ? null : Math.max(0, total - p.framesDone);
        record = {
          ...record,
          progress: {
            framesDone: p.framesDone,
            framesTotal: total,
            fps: p.fps === null ? null : Math.round(p.fps * 10) / 10,
            etaS: left === null || p.fps === null || p.fps <= 0 ? null : Math.round((left / p.fps) * 10) / 10,
            segmentsDone: p.segmentsDone,
            segmentsTotal: p.segmentsTotal,
          },
        };
        // Progress is kept on disk at segment ends (the checkpoints); ticks in between only go to listeners.
        if (segmentDone) void store.save(record).catch(() => undefined);
        options.onUpdate(record, 'progress');
      },
    });
    await options.onResult?.(output);
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
        realTimeFactor: result.durationS > 0 ? Math.round((seconds / result.durationS) * 1000) / 1000 : 0,
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

/** A job's failure in words: the message of our own errors, the cause of anything else. */
function jobError(err: unknown): string {
  if (err instanceof FramewiseError) return err.message;
  return `internal error: ${describeError(err)}`;
}
