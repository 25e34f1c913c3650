import { FramewiseError } from './errors.ts';
import { isPixelFormat, PIXEL_FORMATS, type PixelFormat, planeLayouts } from './pixel-format.ts';

/**
 * Typed annotations that stages attach to a frame. Later layers extend it by declaration merging:
 * `declare module 'framewise/core' { interface FrameMeta { mask?: Mask } }`.
 */
export interface FrameMeta {
  /** The frame-ID code read from the pixels, when a reader stage or sink decoded one. */
  frameId?: number;
}

/** Where a frame's buffers go back to when it is released. */
export interface FrameOwner {
  recycle(frame: Frame): void;
}

/** Per-stage enter/leave times (ns) of one frame, in stage order. Reused with the frame: no allocation per frame. */
export class FrameTrace {
  private times: Float64Array;
  /** Number of stages recorded since the last reset. */
  length = 0;

  constructor(capacity = 8) {
    this.times = new Float64Array(capacity * 2);
  }

  /** Record that the frame entered and left stage `index`. */
  record(index: number, enterNs: number, leaveNs: number): void {
    if (index * 2 + 1 >= this.times.length) {
      const grown = new Float64Array(Math.max(this.times.length * 2, index * 2 + 2));
      grown.set(this.times);
      this.times = grown;
    }
    this.times[index * 2] = enterNs;
    this.times[index * 2 + 1] = leaveNs;
    if (index + 1 > this.length) this.length = index + 1;
  }

  enterNs(index: number): number {
    return this.times[index * 2] ?? Number.NaN;
  }

  leaveNs(index: number): number {
    return this.times[index * 2 + 1] ?? Number.NaN;
  }

  reset(): void {
    this.length = 0;
  }
}

/** Properties that describe a frame's picture and timing. */
export interface FrameInit {
  width: number;
  height: number;
  format: PixelFormat;
  seq?: number;
  ptsUs?: number;
  captureNs?: number;
}

/**
 * One video picture moving through a pipeline. Planes are tightly packed (stride = row bytes),
 * `captureNs` is the monotonic time the frame was due to enter the system, `ptsUs` its media time.
 */
export class Frame {
  seq = 0;
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  readonly planes: Uint8Array[];
  readonly strides: number[];
  ptsUs = 0;
  captureNs = 0;
  /** When the pipeline took the frame from its source (ns): what happened before is the source's time. */
  enteredNs = 0;
  readonly trace = new FrameTrace();
  meta: FrameMeta = {};
  private owner: FrameOwner | null;
  private released = false;

  /** Wrap existing plane buffers (must match the tight layout of `format`). */
  constructor(init: FrameInit, planes: Uint8Array[], owner: FrameOwner | null = null) {
    if (!isPixelFormat(init.format))
      throw new FramewiseError('unsupported-format', `pixel format "${String(init.format)}" is not supported: use ${PIXEL_FORMATS.join(', ')}`);
    const layouts = planeLayouts(init.format, init.width, init.height);
    if (planes.length !== layouts.length) {
      throw new RangeError(`${init.format} needs ${layouts.length} planes, got ${planes.length}`);
    }
    layouts.forEach((layout, i) => {
      const got = planes[i]?.byteLength ?? 0;
      if (got < layout.bytes) throw new RangeError(`plane ${i} of a ${init.width}x${init.height} ${init.format} frame needs ${layout.bytes} bytes, got ${got}`);
    });
    this.width = init.width;
    this.height = init.height;
    this.format = init.format;
    this.planes = planes;
    this.strides = layouts.map((l) => l.stride);
    this.seq = init.seq ?? 0;
    this.ptsUs = init.ptsUs ?? 0;
    this.captureNs = init.captureNs ?? 0;
    this.owner = owner;
  }

  /** A new frame with freshly allocated, zeroed planes (not pooled). */
  static alloc(init: FrameInit): Frame {
    const planes = planeLayouts(init.format, init.width, init.height).map((l) => new Uint8Array(l.bytes));
    return new Frame(init, planes);
  }

  /** True once `release()` was called and the buffers went back to their owner. */
  get isReleased(): boolean {
    return this.released;
  }

  /** Give the buffers back to the pool they came from. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner?.recycle(this);
  }

  /** Called by a pool when it hands this frame out again. */
  revive(): void {
    this.released = false;
    this.meta = {};
    this.trace.reset();
  }
}
