/** What the analysis of a video measured, per 100 ms tick of media time. Plain data, kept as JSON (checkpoint, report). */

/** The signals a highlights run can measure; `people` and `pose` run models, the rest are cheap. */
export const SIGNALS = ['motion', 'audio', 'people', 'pose'] as const;
export type SignalName = (typeof SIGNALS)[number];

/** Spacing of the measured values, s. */
export const TICK_S = 0.1;

/** Evidence about a video. Arrays are per tick (`TICK_S`), index i covering media time [i, i+1) x TICK_S. */
export interface HighlightSignals {
  durationS: number;
  fps: number;
  width: number;
  height: number;
  /** Mean absolute change of the (downscaled) luma from one picture to the next, 0..1 of full scale; cuts excluded. */
  motion: number[];
  /** EBU R128 momentary loudness, LUFS (-70 for silence); null when the input has no audio or it was not measured. */
  loudnessLufs: number[] | null;
  /** People found by the object detector in the sampled picture of the tick (carried over between samples); null when not run. */
  people: number[] | null;
  /**
   * Pose activity: how fast the main person's body moves, in body heights per second (mean landmark speed between
   * two samples, divided by the body's height); null when not run.
   */
  pose: number[] | null;
  /** Media times (s) where a new shot starts, first 0. */
  shotStartsS: number[];
  /** Pictures per second the models saw (the reduced rate they ran at). */
  modelFps: number;
}

/** A tick's index for media time `s`. */
export function tickOf(s: number): number {
  return Math.floor(s / TICK_S + 1e-9);
}
