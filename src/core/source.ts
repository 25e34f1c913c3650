import type { Frame } from './frame.ts';
import type { PixelFormat } from './pixel-format.ts';

/** What a source produces, known once it is open. */
export interface SourceInfo {
  width: number;
  height: number;
  format: PixelFormat;
  /** Nominal frame rate. */
  fps: number;
  /** True when frames arrive at their own pace (camera, network, paced file), false when read as fast as asked. */
  paced: boolean;
  /** Frames expected in all, when known (files). */
  frameCount?: number;
  durationS?: number;
  /** The input's own clock (µs) at media time 0, when it has one (files): lines other streams of it (audio) up. */
  startUs?: number;
  /** Human-readable description (container, codec), for logs. */
  description: string;
}

/**
 * Where frames come from. `read()` resolves with the next frame, or null at the end; each frame has `seq`,
 * `ptsUs` and `captureNs` (the time it was due, for paced sources) set. `close()` is safe to call twice and makes
 * a pending `read()` resolve null.
 */
export interface FrameSource {
  readonly name: string;
  open(): Promise<SourceInfo>;
  read(): Promise<Frame | null>;
  close(): Promise<void>;
}
