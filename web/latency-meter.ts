import { frameIdBandHeight, readFrameId } from '../src/core/frame-id.ts';
import { Histogram } from '../src/core/histogram.ts';
import { frameOfImageData } from './frame-view.ts';
import type { StampLog } from './stamper.ts';

/** What the meter has seen over the last second and overall. */
export interface MeterReading {
  /** Frames presented in the last full second (counted by the video element, including ones not sampled). */
  fps: number;
  /** Glass-to-glass of the frames shown in the last second (ms). */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Glass-to-glass over the whole session (ms). */
  totalP50Ms: number | null;
  totalP95Ms: number | null;
  /** Since the start: frames presented, frames sampled whose code was read, and stamped frames never presented. */
  shown: number;
  sampled: number;
  identified: number;
  missing: number;
}

/**
 * Reads the frame-ID code of every frame the processed video presents and matches it to its stamp time:
 * glass-to-glass = when the frame is displayed - when it was stamped on this page.
 */
export class LatencyMeter {
  private readonly canvas = document.createElement('canvas');
  private readonly context: CanvasRenderingContext2D;
  private readonly window = new Histogram();
  private readonly total = new Histogram();
  private pending: number[] = [];
  private lastId = 0;
  private lastPresented = 0;
  private shown = 0;
  private sampled = 0;
  private identified = 0;
  private missing = 0;
  private windowFrames = 0;
  private stopped = false;
  /** performance.now() of the latest frame the video presented (0 before the first). */
  lastFrameAtMs = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly stamps: StampLog,
  ) {
    const context = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser cannot draw on a 2D canvas');
    this.context = context;
    this.video.requestVideoFrameCallback(this.onFrame);
  }

  private readonly onFrame = (now: number, metadata: VideoFrameCallbackMetadata): void => {
    if (this.stopped) return;
    this.lastFrameAtMs = now;
    // Callbacks can be coalesced when the page is busy: presentedFrames says how many frames were really shown.
    const presented = metadata.presentedFrames - this.lastPresented;
    this.lastPresented = metadata.presentedFrames;
    this.shown += presented;
    this.sampled++;
    this.windowFrames += presented;
    const width = metadata.width;
    const band = frameIdBandHeight(width);
    if (this.canvas.width !== width || this.canvas.height !== band) {
      this.canvas.width = width;
      this.canvas.height = band;
    }
    this.context.drawImage(this.video, 0, 0, width, band, 0, 0, width, band);
    const id = readFrameId(frameOfImageData(this.context.getImageData(0, 0, width, band)));
    const sentAt = id === null ? undefined : this.stamps.sentAtMs(id);
    if (id !== null && sentAt !== undefined) {
      this.identified++;
      if (this.lastId > 0 && id > this.lastId) this.missing += Math.max(0, id - this.lastId - presented);
      if (id > this.lastId) this.lastId = id;
      const latencyMs = Math.max(0, (metadata.expectedDisplayTime || now) - sentAt);
      this.window.record(latencyMs * 1000);
      this.total.record(latencyMs * 1000);
      this.pending.push(Math.round(latencyMs * 10) / 10);
    }
    this.video.requestVideoFrameCallback(this.onFrame);
  };

  /** Close the current one-second window (call once a second) and return the reading. */
  tick(): MeterReading {
    const w = this.window;
    const t = this.total;
    const reading: MeterReading = {
      fps: this.windowFrames,
      p50Ms: w.count > 0 ? w.percentile(50) / 1000 : null,
      p95Ms: w.count > 0 ? w.percentile(95) / 1000 : null,
      totalP50Ms: t.count > 0 ? t.percentile(50) / 1000 : null,
      totalP95Ms: t.count > 0 ? t.percentile(95) / 1000 : null,
      shown: this.shown,
      sampled: this.sampled,
      identified: this.identified,
      missing: this.missing,
    };
    w.reset();
    this.windowFrames = 0;
    return reading;
  }

  /** Latencies measured since the last call (for reporting to the server). */
  takeSamples(): number[] {
    const samples = this.pending;
    this.pending = [];
    return samples;
  }

  stop(): void {
    this.stopped = true;
  }
}
