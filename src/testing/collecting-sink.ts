import { Frame } from '../core/frame.ts';
import type { FrameSink } from '../core/sink.ts';

/** A sink that keeps a copy of every frame it is given (pixels, seq, timing and meta), for assertions. */
export class CollectingSink implements FrameSink {
  readonly name = 'collect';
  /** The copies, in the order they arrived. */
  readonly frames: Frame[] = [];

  write(frame: Frame): void {
    const copy = Frame.alloc({
      width: frame.width,
      height: frame.height,
      format: frame.format,
      seq: frame.seq,
      ptsUs: frame.ptsUs,
      captureNs: frame.captureNs,
    });
    frame.planes.forEach((plane, i) => copy.planes[i]?.set(plane));
    copy.meta = { ...frame.meta };
    this.frames.push(copy);
  }

  async close(): Promise<void> {}
}
