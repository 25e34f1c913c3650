import type { Frame } from './frame.ts';

/** What a stage may know about the run it is part of. */
export interface StageContext {
  /** `live` drops late frames; `render` delivers every frame. A stage transforms either way. */
  readonly mode: 'live' | 'render';
  /** Aborted when the pipeline stops: long-running work should give up. */
  readonly signal: AbortSignal;
}

/**
 * One transformation of frames. A stage never decides what to drop or how to queue; the policy does.
 * The pipeline owns the input frame: if `process` returns a different frame (or null), the pipeline releases the input.
 */
export interface Stage {
  readonly name: string;
  /** Concurrent `process` calls the stage tolerates (default 1: one at a time, in frame order). */
  readonly concurrency?: number;
  open?(ctx: StageContext): Promise<void> | void;
  /** Transform `frame`; return null to consume it (it then does not reach the sink). */
  process(frame: Frame, ctx: StageContext): Promise<Frame | null> | Frame | null;
  close?(): Promise<void> | void;
}
