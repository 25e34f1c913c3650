/** Framewise: live and render video pipelines with measured latency. */
export * from './core/index.ts';
export { DelayStage } from './effects/delay.ts';
export { PassthroughStage } from './effects/passthrough.ts';
export { createEffect, type EffectEntry, listEffects } from './effects/registry.ts';
export { type FrameIdReport, FrameIdSink } from './io/frame-id-sink.ts';
export { MediaSink, type MediaSinkOptions } from './io/media-sink.ts';
export { MediaSource, type MediaSourceOptions } from './io/media-source.ts';
export { resolveOutput, type VideoCodec } from './io/output-format.ts';
export { TestPatternSource, type TestPatternOptions } from './io/test-pattern-source.ts';
