/** Framewise testing: run stages in the real engine over frames you give, and look at what came out. */
export { ArraySource, type ArraySourceOptions } from './array-source.ts';
export { CollectingSink } from './collecting-sink.ts';
export { runStage, type RunStageOptions, type StageRun } from './run-stage.ts';
