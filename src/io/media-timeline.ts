import { AV_NOPTS_VALUE } from 'node-av/constants';

/** A stream's time base, as FFmpeg gives it. */
export interface TimeBase {
  num: number;
  den: number;
}

/**
 * Turns a stream's own timestamps into media time that starts at 0 and keeps rising across loops.
 * With a fixed rate (the user forced --fps), or when a timestamp is missing, the item's index sets its time.
 */
export class MediaTimeline {
  private originUs = Number.NaN;
  private offsetUs = 0;
  private lastUs = 0;

  constructor(
    private readonly timeBase: TimeBase,
    private readonly fps: number,
    private readonly fixedRate: boolean,
  ) {}

  /** Media time in µs of timestamp `ts` (stream units) of the item number `index` (counted across loops). */
  toMediaUs(ts: bigint, index: number): number {
    if (this.fixedRate || ts === AV_NOPTS_VALUE) {
      this.lastUs = (index * 1e6) / this.fps;
      return this.lastUs;
    }
    const rawUs = (Number(ts) * this.timeBase.num * 1e6) / this.timeBase.den;
    if (Number.isNaN(this.originUs)) this.originUs = rawUs;
    this.lastUs = rawUs - this.originUs + this.offsetUs;
    return this.lastUs;
  }

  /** Count media time from this stream time (µs) instead of from the first timestamp seen (a read that starts mid-file). */
  setOrigin(rawUs: number): void {
    this.originUs = rawUs;
  }

  /** The file starts over: the next timestamp continues one frame after the last. */
  loop(): void {
    this.offsetUs = this.lastUs + 1e6 / this.fps;
    this.originUs = Number.NaN;
  }
}
