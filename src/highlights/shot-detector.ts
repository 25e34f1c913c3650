import type { PictureChange } from './frame-change.ts';

/** Settings of shot-boundary detection. */
export interface ShotDetectorOptions {
  /** Least colour-histogram distance (0..1) of a cut (default 0.2). */
  minHistogram?: number;
  /** Least luma change (0..1) of a cut (default 0.05). */
  minMotion?: number;
  /** A cut's change must be this many times the recent pictures' mean (default 3): pans and crowds are not cuts. */
  contrast?: number;
  /** Shots shorter than this are not split again, s (default 0.5): a flash is one cut, not two. */
  minShotS?: number;
}

const RECENT = 10;

/**
 * Hard cuts from picture-to-picture change: a cut is a picture whose colour histogram and luma both jump well above
 * what the last few pictures showed (a content detector in the style of PySceneDetect and FFmpeg's scdet, on the
 * 64-pixel copies FrameChange compares). Fades and dissolves are not reported.
 */
export class ShotDetector {
  private readonly minHistogram: number;
  private readonly minMotion: number;
  private readonly contrast: number;
  private readonly minShotS: number;
  private readonly recentHistogram: number[] = [];
  private readonly recentMotion: number[] = [];
  private lastCutS = 0;

  constructor(options: ShotDetectorOptions = {}) {
    this.minHistogram = options.minHistogram ?? 0.2;
    this.minMotion = options.minMotion ?? 0.05;
    this.contrast = options.contrast ?? 3;
    this.minShotS = options.minShotS ?? 0.5;
  }

  /** True when the picture at media time `timeS`, which changed from the last one by `change`, starts a new shot. */
  push(timeS: number, change: PictureChange): boolean {
    const mean = (values: number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
    const cut =
      this.recentHistogram.length > 0 &&
      timeS - this.lastCutS >= this.minShotS &&
      change.histogram >= Math.max(this.minHistogram, this.contrast * mean(this.recentHistogram)) &&
      change.motion >= Math.max(this.minMotion, this.contrast * mean(this.recentMotion));
    if (cut) {
      this.lastCutS = timeS;
      // The new shot's own changes are what the next pictures are compared with.
      this.recentHistogram.length = 0;
      this.recentMotion.length = 0;
      this.recentHistogram.push(0);
      this.recentMotion.push(0);
      return true;
    }
    this.recentHistogram.push(change.histogram);
    this.recentMotion.push(change.motion);
    if (this.recentHistogram.length > RECENT) this.recentHistogram.shift();
    if (this.recentMotion.length > RECENT) this.recentMotion.shift();
    return false;
  }
}
