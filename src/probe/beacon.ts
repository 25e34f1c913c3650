import type { Frame } from '../core/frame.ts';
import { frameIdBandHeight } from '../core/frame-id.ts';

/**
 * The event beacon: a short full-frame flash (0.1 s, at least 2 frames) at pseudo-random 1.5-2.5 s intervals. A
 * system that restyles the whole picture (and so destroys the frame-ID code) still shows a pulse of change where the
 * flash was, so latency can be matched flash to flash (flash-matcher.ts), at any latency up to 30 s.
 */
export class BeaconSchedule {
  private readonly onsets: number[] = [];
  private readonly litFrames: number;
  private state: number;

  constructor(
    private readonly fps: number,
    seed = 1,
  ) {
    this.litFrames = Math.max(2, Math.round(fps * 0.1));
    this.state = seed >>> 0 || 1;
  }

  private random(): number {
    // xorshift32: deterministic for a seed, so sender and report agree on the schedule.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }

  private extendTo(seq: number): void {
    while (this.onsets.length === 0 || (this.onsets.at(-1) as number) <= seq) {
      const last = this.onsets.at(-1) ?? 0;
      this.onsets.push(last + Math.round((1.5 + this.random()) * this.fps));
    }
  }

  /** The latest flash onset at or before `seq` (onsets are sorted: binary search, since this runs per frame). */
  private onsetAtOrBefore(seq: number): number | undefined {
    this.extendTo(seq);
    let lo = 0;
    let hi = this.onsets.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const onset = this.onsets[mid] as number;
      if (onset <= seq) {
        found = onset;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** True when frame `seq` is part of a flash. */
  isLit(seq: number): boolean {
    const onset = this.onsetAtOrBefore(seq);
    return onset !== undefined && seq < onset + this.litFrames;
  }

  /** True when frame `seq` is the first frame of a flash. */
  isOnset(seq: number): boolean {
    return this.onsetAtOrBefore(seq) === seq;
  }
}

/** Paint the flash: the whole picture bright, except the code band (the id stays readable where it survives). */
export function paintFlash(frame: Frame): void {
  const band = frameIdBandHeight(frame.width);
  const y = frame.planes[0] as Uint8Array;
  const stride = frame.strides[0] as number;
  if (frame.format === 'i420' || frame.format === 'nv12') {
    y.fill(235, band * stride);
    return;
  }
  y.fill(255, band * stride);
}
