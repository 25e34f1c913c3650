import type { Frame } from '../core/frame.ts';
import { readFrameId } from '../core/frame-id.ts';
import type { FrameSink } from '../core/sink.ts';

/** What a FrameIdSink saw. */
export interface FrameIdReport {
  frames: number;
  /** Frames whose code was read and passed its checks. */
  readable: number;
  unreadable: number;
  /** Readable frames whose id differs from the frame's seq (renumbered, or a decoder showed the wrong picture). */
  mismatched: number;
  /** Readable frames whose id was not above the previous one. */
  outOfOrder: number;
}

/** A sink that reads the frame-ID code of every frame, stores it in `frame.meta.frameId`, and keeps counts. */
export class FrameIdSink implements FrameSink {
  readonly name = 'frame-id';
  private readonly report: FrameIdReport = { frames: 0, readable: 0, unreadable: 0, mismatched: 0, outOfOrder: 0 };
  private lastId = -1;
  private readonly onId: ((id: number | null, frame: Frame) => void) | undefined;

  /** `onId` is called with each frame's id (null when unreadable), e.g. to match latency by id. */
  constructor(onId?: (id: number | null, frame: Frame) => void) {
    this.onId = onId;
  }

  write(frame: Frame): void {
    const id = readFrameId(frame);
    const r = this.report;
    r.frames++;
    if (id === null) r.unreadable++;
    else {
      r.readable++;
      frame.meta.frameId = id;
      if (id !== frame.seq) r.mismatched++;
      if (id <= this.lastId) r.outOfOrder++;
      this.lastId = id;
    }
    this.onId?.(id, frame);
  }

  /** Counts so far. */
  results(): FrameIdReport {
    return { ...this.report };
  }

  async close(): Promise<void> {}
}
