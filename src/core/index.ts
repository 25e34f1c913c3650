/** Framewise core: frames, stages, pipelines, policies and stats. Isomorphic: no Node or native imports. */
export { nowNs, sleepMs, sleepUntilNs } from './clock.ts';
export { describeError, FramewiseError, type FramewiseErrorCode, StageError } from './errors.ts';
export { Frame, type FrameInit, type FrameMeta, type FrameOwner, FrameTrace } from './frame.ts';
export { FRAME_ID_CELLS, FRAME_ID_MODULO, frameIdBandHeight, readFrameId, writeFrameId } from './frame-id.ts';
export { FramePool, type FramePoolOptions, poolFitting } from './frame-pool.ts';
export { Histogram } from './histogram.ts';
export { Mailbox } from './mailbox.ts';
export { Pipeline, type PipelineOptions, type PipelineResult } from './pipeline.ts';
export { frameBytes, isPixelFormat, PIXEL_FORMATS, type PixelFormat, type PlaneLayout, planeLayouts } from './pixel-format.ts';
export { live, type LivePolicy, type Policy, render, type RenderPolicy, type StageErrorAction } from './policy.ts';
export { runStage } from './run-stage.ts';
export { PushSource } from './push-source.ts';
export { CallbackSink } from './callback-sink.ts';
export { type FrameSink, NullSink } from './sink.ts';
export type { FrameSource, SourceInfo } from './source.ts';
export type { Stage, StageContext } from './stage.ts';
export { type DropReason, type LatencySummary, type PipelineStats, StatsCollector, type StageTimes, type StatsWindow } from './stats.ts';
export { median, percentileSorted, theilSenSlope } from './trend.ts';
