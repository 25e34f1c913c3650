import { nowNs } from './clock.ts';
import { StageError } from './errors.ts';
import type { Frame } from './frame.ts';
import type { FrameSink } from './sink.ts';
import type { FrameSource } from './source.ts';
import type { Stage, StageContext } from './stage.ts';
import type { StatsCollector } from './stats.ts';

/** Everything a policy's scheduler needs to drive one run. */
export interface RunContext {
  readonly source: FrameSource;
  readonly stages: readonly Stage[];
  readonly sink: FrameSink;
  readonly stats: StatsCollector;
  readonly stageContext: StageContext;
  /** Aborted when the run must stop (user stop, close, or a fatal error). */
  readonly signal: AbortSignal;
  /** Called after each frame leaves the sink (progress reporting). */
  readonly onFrameOut?: (frame: Frame) => void;
}

/**
 * Run stage `index` on `frame`, recording its trace. The input is released when the stage returns another frame
 * or null; a returned frame inherits the input's identity and timing. Throws StageError naming the stage.
 */
export async function applyStage(ctx: RunContext, index: number, frame: Frame): Promise<Frame | null> {
  const stage = ctx.stages[index] as Stage;
  const enterNs = nowNs();
  let out: Frame | null;
  try {
    out = await stage.process(frame, ctx.stageContext);
  } catch (err) {
    throw new StageError(stage.name, frame.seq, err);
  }
  if (out !== frame) {
    if (out) inherit(out, frame);
    frame.release();
  }
  out?.trace.record(index, enterNs, nowNs());
  return out;
}

function inherit(out: Frame, from: Frame): void {
  out.seq = from.seq;
  out.ptsUs = from.ptsUs;
  out.captureNs = from.captureNs;
  out.enteredNs = from.enteredNs;
  out.meta = { ...from.meta, ...out.meta };
  for (let i = 0; i < from.trace.length; i++) out.trace.record(i, from.trace.enterNs(i), from.trace.leaveNs(i));
}

/** Write `frame` to the sink, record it as delivered, and release it. */
export async function deliver(ctx: RunContext, frame: Frame): Promise<void> {
  try {
    await ctx.sink.write(frame);
    ctx.stats.frameOut(frame, nowNs());
    ctx.onFrameOut?.(frame);
  } finally {
    frame.release();
  }
}
