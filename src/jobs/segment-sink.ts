import type { Frame } from '../core/frame.ts';
import type { FrameSink } from '../core/sink.ts';
import type { SourceInfo } from '../core/source.ts';

/**
 * Writes the frames of one segment to its sink and passes over the preroll before it (frames earlier than
 * `fromUs`, run through the effects only to rebuild their state).
 */
export class SegmentSink implements FrameSink {
  readonly name: string;
  /** Frames written (the preroll not counted). */
  written = 0;

  constructor(
    private readonly inner: FrameSink,
    private readonly fromUs: number,
  ) {
    this.name = inner.name;
  }

  async open(info: SourceInfo): Promise<void> {
    await this.inner.open?.(info);
  }

  async write(frame: Frame): Promise<void> {
    if (frame.ptsUs < this.fromUs) return;
    await this.inner.write(frame);
    this.written++;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
