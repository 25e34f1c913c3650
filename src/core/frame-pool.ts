import { Frame, type FrameOwner } from './frame.ts';
import { FramewiseError } from './errors.ts';
import { isPixelFormat, PIXEL_FORMATS, type PixelFormat, planeLayouts } from './pixel-format.ts';

/** Options of a FramePool. */
export interface FramePoolOptions {
  width: number;
  height: number;
  format: PixelFormat;
  /** Released frames kept for reuse; beyond this they are left to the garbage collector. */
  maxFree?: number;
}

/**
 * Frames of one size and format, recycled so that the hot path allocates nothing once warm.
 * `outstanding` counts frames handed out and not yet released: a leak shows as a number that keeps growing.
 */
export class FramePool implements FrameOwner {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  private readonly free: Frame[] = [];
  private readonly maxFree: number;
  private handedOut = 0;
  private created = 0;

  constructor(options: FramePoolOptions) {
    assertFrameShape(options.format, options.width, options.height);
    this.width = options.width;
    this.height = options.height;
    this.format = options.format;
    this.maxFree = options.maxFree ?? 16;
  }

  /** A frame ready to be filled; its old pixels are not cleared. */
  acquire(): Frame {
    this.handedOut++;
    const reused = this.free.pop();
    if (reused) {
      reused.revive();
      return reused;
    }
    this.created++;
    const planes = planeLayouts(this.format, this.width, this.height).map((l) => new Uint8Array(l.bytes));
    return new Frame({ width: this.width, height: this.height, format: this.format }, planes, this);
  }

  /** A pooled copy of `frame` (same size and format): pixels, seq and timing. */
  copyOf(frame: Frame): Frame {
    if (frame.width !== this.width || frame.height !== this.height || frame.format !== this.format) {
      throw new FramewiseError(
        'invalid-argument',
        `cannot copy a ${frame.width}x${frame.height} ${frame.format} frame into a pool of ${this.width}x${this.height} ${this.format}`,
      );
    }
    const copy = this.acquire();
    frame.planes.forEach((plane, i) => copy.planes[i]?.set(plane));
    copy.seq = frame.seq;
    copy.ptsUs = frame.ptsUs;
    copy.captureNs = frame.captureNs;
    return copy;
  }

  recycle(frame: Frame): void {
    this.handedOut--;
    if (this.free.length < this.maxFree) this.free.push(frame);
  }

  /** Frames handed out and not released yet. */
  get outstanding(): number {
    return this.handedOut;
  }

  /** Frames ever allocated by this pool (stays flat once the pool is warm). */
  get allocated(): number {
    return this.created;
  }
}

/** `pool` when it already makes frames of this shape, else a new pool that does (for streams whose size can change). */
export function poolFitting(pool: FramePool | null, width: number, height: number, format: PixelFormat): FramePool {
  if (pool && pool.width === width && pool.height === height && pool.format === format) return pool;
  return new FramePool({ width, height, format });
}

/** Refuse formats and sizes no pipeline can carry, saying what would work. */
export function assertFrameShape(format: string, width: number, height: number): asserts format is PixelFormat {
  if (!isPixelFormat(format)) throw new FramewiseError('unsupported-format', `pixel format "${format}" is not supported: use ${PIXEL_FORMATS.join(', ')}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2) {
    throw new FramewiseError('invalid-argument', `frame size ${width}x${height} is not usable: width and height must be whole numbers >= 2`);
  }
}
