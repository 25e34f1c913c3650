import { FramewiseError } from './errors.ts';

/** What happens when a stage throws: `drop` the frame (counted) or `fail` the whole run. */
export type StageErrorAction = 'drop' | 'fail';

/** LIVE: latency-bound. One-slot mailbox per stage, newest frame wins, late frames dropped; the source never waits. */
export interface LivePolicy {
  readonly kind: 'live';
  /** A frame older than this (since it was due) is dropped at stage entry. */
  readonly deadlineMs: number;
  /** Frames one stage may work on at once (bounded by the stage's own `concurrency`). */
  readonly maxInFlight: number;
  readonly onStageError: StageErrorAction;
}

/** RENDER: lossless. Every frame, in order; the source waits when the pipeline is full. */
export interface RenderPolicy {
  readonly kind: 'render';
  /** Frames in flight across the pipeline at once; stages work on different frames in parallel. */
  readonly concurrency: number;
  readonly onStageError: StageErrorAction;
}

/** A scheduling policy. */
export type Policy = LivePolicy | RenderPolicy;

/** Build a live policy. Defaults: deadline 100 ms, one frame in flight per stage, stage errors drop the frame. */
export function live(options: Partial<Omit<LivePolicy, 'kind'>> = {}): LivePolicy {
  const deadlineMs = options.deadlineMs ?? 100;
  const maxInFlight = options.maxInFlight ?? 1;
  if (!(deadlineMs > 0)) throw new FramewiseError('invalid-argument', `live deadlineMs must be > 0 (got ${deadlineMs})`);
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new FramewiseError('invalid-argument', `live maxInFlight must be a whole number >= 1 (got ${maxInFlight})`);
  }
  return { kind: 'live', deadlineMs, maxInFlight, onStageError: options.onStageError ?? 'drop' };
}

/** Build a render policy. Defaults: 4 frames in flight, a stage error fails the job. */
export function render(options: Partial<Omit<RenderPolicy, 'kind'>> = {}): RenderPolicy {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new FramewiseError('invalid-argument', `render concurrency must be a whole number >= 1 (got ${concurrency})`);
  }
  return { kind: 'render', concurrency, onStageError: options.onStageError ?? 'fail' };
}
