import { nowNs, sleepUntilNs } from '../core/clock.ts';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { frameIdBandHeight, writeFrameId } from '../core/frame-id.ts';
import { FramePool } from '../core/frame-pool.ts';
import type { PixelFormat } from '../core/pixel-format.ts';
import type { FrameSource, SourceInfo } from '../core/source.ts';

/** Options of the generated test pattern. */
export interface TestPatternOptions {
  width?: number;
  height?: number;
  fps?: number;
  /** Stop after this many seconds (default: run until closed). */
  durationS?: number;
  format?: Extract<PixelFormat, 'i420' | 'rgba'>;
  /** Deliver frames at `fps` like a camera (default true); false delivers them as fast as they are read. */
  paced?: boolean;
  /** Paint extra content on each frame before its code is burned in (the probe's beacon uses it). */
  decorate?: (frame: Frame) => void;
}

/**
 * A generated camera: a gradient with colour bars, a box sweeping across and a frame-ID code (the frame's seq)
 * burned into the top band, so latency can be matched frame by frame even after encoding.
 */
export class TestPatternSource implements FrameSource {
  readonly name = 'testsrc';
  private readonly width: number;
  private readonly height: number;
  private readonly fps: number;
  private readonly format: 'i420' | 'rgba';
  private readonly paced: boolean;
  private readonly maxFrames: number;
  private readonly decorate: ((frame: Frame) => void) | undefined;
  private readonly stop = new AbortController();
  private pool: FramePool | null = null;
  private background: Uint8Array[] = [];
  private seq = 0;
  private startNs = 0;

  constructor(options: TestPatternOptions = {}) {
    this.width = options.width ?? 640;
    this.height = options.height ?? 480;
    this.fps = options.fps ?? 30;
    this.format = options.format ?? 'i420';
    this.paced = options.paced ?? true;
    this.decorate = options.decorate;
    const { width, height, fps } = this;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 64 || height < 64 || width % 2 || height % 2) {
      throw new FramewiseError('invalid-argument', `test pattern size ${width}x${height} is not usable: use even sizes of at least 64x64`);
    }
    if (width * height > 8192 * 8192) throw new FramewiseError('invalid-argument', `test pattern size ${width}x${height} is too large (max 8192x8192)`);
    if (!(fps > 0 && fps <= 240)) throw new FramewiseError('invalid-argument', `test pattern fps ${fps} is out of range (0, 240]`);
    this.maxFrames = options.durationS === undefined ? Number.POSITIVE_INFINITY : Math.round(options.durationS * fps);
  }

  async open(): Promise<SourceInfo> {
    this.pool = new FramePool({ width: this.width, height: this.height, format: this.format });
    this.background = this.paintBackground();
    this.startNs = nowNs();
    return {
      width: this.width,
      height: this.height,
      format: this.format,
      fps: this.fps,
      paced: this.paced,
      ...(Number.isFinite(this.maxFrames) ? { frameCount: this.maxFrames, durationS: this.maxFrames / this.fps } : {}),
      description: `test pattern ${this.width}x${this.height} ${this.format} @ ${this.fps} fps`,
    };
  }

  async read(): Promise<Frame | null> {
    if (!this.pool) throw new FramewiseError('invalid-state', 'test pattern read before open()');
    if (this.stop.signal.aborted || this.seq >= this.maxFrames) return null;
    const seq = this.seq++;
    const dueNs = this.startNs + (seq * 1e9) / this.fps;
    if (this.paced) {
      await sleepUntilNs(dueNs, this.stop.signal);
      if (this.stop.signal.aborted) return null;
    }
    const frame = this.pool.acquire();
    frame.seq = seq;
    frame.ptsUs = Math.round((seq * 1e6) / this.fps);
    frame.captureNs = this.paced ? dueNs : nowNs();
    this.paint(frame, seq);
    return frame;
  }

  async close(): Promise<void> {
    this.stop.abort();
  }

  private paintBackground(): Uint8Array[] {
    const frame = (this.pool as FramePool).acquire();
    const { width: w, height: h } = this;
    if (this.format === 'rgba') {
      const p = frame.planes[0] as Uint8Array;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const o = (y * w + x) * 4;
          const bar = Math.floor((x * 7) / w);
          p[o] = bar & 1 ? 200 : (x * 255) / w;
          p[o + 1] = bar & 2 ? 200 : (y * 255) / h;
          p[o + 2] = bar & 4 ? 200 : 90;
          p[o + 3] = 255;
        }
      }
    } else {
      const [py, pu, pv] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) py[y * w + x] = (40 + ((x + y) * 160) / (w + h)) | 0;
      const cw = w >> 1;
      for (let y = 0; y < h >> 1; y++) {
        for (let x = 0; x < cw; x++) {
          const bar = Math.floor((x * 7) / cw);
          pu[y * cw + x] = 64 + bar * 20;
          pv[y * cw + x] = 192 - bar * 20;
        }
      }
    }
    const copies = frame.planes.map((p) => p.slice());
    frame.release();
    return copies;
  }

  /** Background, a box that sweeps across once every 2 s, and the code. */
  private paint(frame: Frame, seq: number): void {
    this.background.forEach((plane, i) => frame.planes[i]?.set(plane));
    const { width: w, height: h } = this;
    const box = Math.max(16, (Math.min(w, h) / 6) & ~1);
    const period = Math.max(2, Math.round(this.fps * 2));
    const x0 = (Math.round(((seq % period) / period) * (w - box)) & ~1) >>> 0;
    const y0 = (Math.round(h / 2 - box / 2) & ~1) >>> 0;
    const top = frameIdBandHeight(w) + 2;
    const boxTop = Math.max(y0, top);
    if (this.format === 'rgba') {
      const p = frame.planes[0] as Uint8Array;
      for (let y = boxTop; y < y0 + box; y++) p.fill(255, (y * w + x0) * 4, (y * w + x0 + box) * 4);
    } else {
      const [py, pu, pv] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
      for (let y = boxTop; y < y0 + box; y++) py.fill(235, y * w + x0, y * w + x0 + box);
      const cw = w >> 1;
      for (let y = boxTop >> 1; y < (y0 + box) >> 1; y++) {
        pu.fill(128, y * cw + (x0 >> 1), y * cw + ((x0 + box) >> 1));
        pv.fill(128, y * cw + (x0 >> 1), y * cw + ((x0 + box) >> 1));
      }
    }
    this.decorate?.(frame);
    writeFrameId(frame, seq);
  }
}
