import { nowNs, sleepUntilNs } from '../core/clock.ts';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { FrameSource, SourceInfo } from '../core/source.ts';

/** Options of an ArraySource. */
export interface ArraySourceOptions {
  /** Frame rate: timestamps are seq / fps (default 30). */
  fps?: number;
  /** Hand frames out at their due time, like a camera (default false: as fast as the pipeline asks). */
  paced?: boolean;
}

/**
 * A source that hands out the given frames in order: seq is the index, ptsUs follows the rate, and captureNs is the
 * frame's due time when paced (so the live policy's deadlines apply as they would to a camera).
 */
export class ArraySource implements FrameSource {
  readonly name = 'array';
  private readonly frames: readonly Frame[];
  private readonly fps: number;
  private readonly paced: boolean;
  private readonly stop = new AbortController();
  private next = 0;
  private startNs = 0;

  constructor(frames: readonly Frame[], options: ArraySourceOptions = {}) {
    const first = frames[0];
    if (!first) throw new FramewiseError('invalid-argument', 'an ArraySource needs at least one frame');
    const fps = options.fps ?? 30;
    if (!(fps > 0 && fps <= 1000)) throw new FramewiseError('invalid-argument', `fps must be in (0, 1000] (got ${fps})`);
    this.frames = frames;
    this.fps = fps;
    this.paced = options.paced ?? false;
  }

  async open(): Promise<SourceInfo> {
    const first = this.frames[0] as Frame;
    this.startNs = nowNs();
    return {
      width: first.width,
      height: first.height,
      format: first.format,
      fps: this.fps,
      paced: this.paced,
      frameCount: this.frames.length,
      description: `${this.frames.length} frames ${first.width}x${first.height} ${first.format}`,
    };
  }

  async read(): Promise<Frame | null> {
    const frame = this.frames[this.next];
    if (!frame || this.stop.signal.aborted) return null;
    const seq = this.next++;
    const dueNs = this.startNs + (seq * 1e9) / this.fps;
    if (this.paced) await sleepUntilNs(dueNs, this.stop.signal);
    if (this.stop.signal.aborted) return null;
    frame.seq = seq;
    frame.ptsUs = Math.round((seq * 1e6) / this.fps);
    frame.captureNs = this.paced ? dueNs : nowNs();
    return frame;
  }

  async close(): Promise<void> {
    this.stop.abort();
  }
}
