import type { Frame } from './frame.ts';
import { readFrameId, writeFrameId } from './frame-id.ts';
import type { Stage } from './stage.ts';

/**
 * Carry a sender's frame-ID code across effects that would destroy it (mirroring, restyling, blurring the band):
 * `FrameIdReader` reads it into `meta.frameId` on the way in, `FrameIdWriter` burns it back on the way out.
 * The sender then matches what it sees to what it sent and measures glass-to-glass latency; frames without a
 * code pass both untouched. Reading costs a few thousand pixel reads per frame.
 */
export class FrameIdReader implements Stage {
  readonly name = 'frame-id-in';

  process(frame: Frame): Frame {
    const id = readFrameId(frame);
    if (id !== null) frame.meta.frameId = id;
    return frame;
  }
}

/** See FrameIdReader: writes `meta.frameId` back into the pixels when the frame had one. */
export class FrameIdWriter implements Stage {
  readonly name = 'frame-id-out';

  process(frame: Frame): Frame {
    const id = frame.meta.frameId;
    if (id !== undefined) writeFrameId(frame, id);
    return frame;
  }
}
