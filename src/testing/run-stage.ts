import type { Frame } from '../core/frame.ts';
import { Pipeline } from '../core/pipeline.ts';
import { type Policy, render } from '../core/policy.ts';
import type { Stage } from '../core/stage.ts';
import type { PipelineStats } from '../core/stats.ts';
import { ArraySource } from './array-source.ts';
import { CollectingSink } from './collecting-sink.ts';

/** What a stage did to the frames it was given. */
export interface StageRun {
  /** Copies of the frames that reached the sink, in output order (their `seq` is the input index). */
  frames: Frame[];
  /** The pipeline's measurements: drops by reason and stage, latency, stage times. */
  stats: PipelineStats;
}

/** Options of runStage. */
export interface RunStageOptions {
  /** Frame rate of the input (default 30); under the live policy frames arrive at this rate, like a camera. */
  fps?: number;
}

/**
 * Test harness: run `stage` (or several, in order) in the real Pipeline over `frames`, under `policy` (default
 * render: every frame, in order). Under a live policy the frames are paced at `fps` and the engine's deadline and
 * newest-wins rules apply. A stage error rejects under render (the default onStageError 'fail') and counts as a drop
 * under live. Every stage test can be three lines.
 */
export async function runStage(
  stage: Stage | readonly Stage[],
  frames: readonly Frame[],
  policy: Policy = render(),
  options: RunStageOptions = {},
): Promise<StageRun> {
  const sink = new CollectingSink();
  const pipeline = new Pipeline({
    source: new ArraySource(frames, { paced: policy.kind === 'live', ...(options.fps === undefined ? {} : { fps: options.fps }) }),
    stages: Array.isArray(stage) ? (stage as readonly Stage[]) : [stage as Stage],
    sink,
    policy,
  });
  try {
    const { stats } = await pipeline.run();
    return { frames: sink.frames, stats };
  } finally {
    await pipeline.close();
  }
}
