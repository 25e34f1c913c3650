import type { Frame } from '../core/frame.ts';
import { PictureScaler } from '../io/picture-scaler.ts';

/** How one picture differs from the one before it. */
export interface PictureChange {
  /** Mean absolute luma difference of the downscaled pictures, 0..1 of full scale (movement and light changes). */
  motion: number;
  /** Half the L1 distance between the two pictures' colour histograms, 0..1 (content changes: cuts). */
  histogram: number;
}

const THUMB_WIDTH = 64;
const BINS = 16;

/**
 * Compares each I420 picture with the previous one on a small copy (64 pixels wide, by swscale): mean absolute luma
 * difference for motion, and the distance of luma + chroma histograms for shot changes. Downscaling first keeps
 * sensor noise and compression texture out of the motion figure and makes it cost the same at any resolution.
 */
export class FrameChange implements Disposable {
  private readonly scaler = new PictureScaler();
  private thumb: [Uint8Array, Uint8Array, Uint8Array] | null = null;
  private previous: Uint8Array | null = null;
  private previousHistogram: Float64Array | null = null;
  private width = 0;
  private height = 0;

  /** The change from the last picture given to this one (zero for the first). */
  next(frame: Frame): PictureChange {
    if (frame.format !== 'i420') throw new Error(`FrameChange needs i420 pictures, got ${frame.format}`);
    if (!this.thumb || this.width === 0) {
      this.width = Math.min(THUMB_WIDTH, frame.width - (frame.width % 2));
      this.height = Math.max(2, Math.round((this.width * frame.height) / frame.width / 2) * 2);
      const chroma = (this.width / 2) * (this.height / 2);
      this.thumb = [new Uint8Array(this.width * this.height), new Uint8Array(chroma), new Uint8Array(chroma)];
    }
    const [y, u, v] = this.thumb;
    const planes = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
    this.scaler.scale(planes, frame.width, frame.height, this.thumb, this.width, this.height);
    const histogram = new Float64Array(BINS * 3);
    const lumaWeight = 1 / y.length;
    const chromaWeight = 1 / u.length;
    for (let i = 0; i < y.length; i++) histogram[(y[i] as number) >> 4] = (histogram[(y[i] as number) >> 4] as number) + lumaWeight;
    for (let i = 0; i < u.length; i++) {
      const bu = BINS + ((u[i] as number) >> 4);
      const bv = 2 * BINS + ((v[i] as number) >> 4);
      histogram[bu] = (histogram[bu] as number) + chromaWeight;
      histogram[bv] = (histogram[bv] as number) + chromaWeight;
    }
    let motion = 0;
    let distance = 0;
    if (this.previous && this.previousHistogram) {
      let sum = 0;
      for (let i = 0; i < y.length; i++) sum += Math.abs((y[i] as number) - (this.previous[i] as number));
      motion = sum / y.length / 255;
      for (let i = 0; i < histogram.length; i++) distance += Math.abs((histogram[i] as number) - (this.previousHistogram[i] as number));
      distance /= 6; // three histograms, each summing to 1: half the L1 distance of each, averaged
    }
    this.previous = Uint8Array.from(y);
    this.previousHistogram = histogram;
    return { motion, histogram: distance };
  }

  [Symbol.dispose](): void {
    this.scaler[Symbol.dispose]();
  }
}
