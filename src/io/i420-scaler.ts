import { SoftwareScaleContext } from 'node-av/lib';
import { AV_PIX_FMT_YUV420P, SWS_BILINEAR } from 'node-av/constants';

/** Three I420 planes of a picture, tightly packed (luma `width` wide, chroma half of it, rounded up). */
export type I420Planes = readonly [Uint8Array, Uint8Array, Uint8Array];

/**
 * Resizes I420 pictures with FFmpeg's swscale (bilinear, SIMD): the native path for whole-picture resampling that
 * would cost several nanoseconds per pixel in JavaScript. The context is built once per pair of sizes.
 */
export class I420Scaler implements Disposable {
  private context: SoftwareScaleContext | null = null;
  private key = '';

  /** Resize `src` (`srcWidth` x `srcHeight`) into `dst` (`dstWidth` x `dstHeight`). */
  scale(src: I420Planes, srcWidth: number, srcHeight: number, dst: I420Planes, dstWidth: number, dstHeight: number): void {
    const key = `${srcWidth}x${srcHeight}>${dstWidth}x${dstHeight}`;
    if (!this.context || key !== this.key) {
      this.context?.freeContext();
      this.context = new SoftwareScaleContext();
      this.context.getContext(srcWidth, srcHeight, AV_PIX_FMT_YUV420P, dstWidth, dstHeight, AV_PIX_FMT_YUV420P, SWS_BILINEAR);
      this.key = key;
    }
    const strides = (w: number): number[] => [w, (w + 1) >> 1, (w + 1) >> 1];
    this.context.scaleSync(src as unknown as Buffer[], strides(srcWidth), 0, srcHeight, dst as unknown as Buffer[], strides(dstWidth));
  }

  [Symbol.dispose](): void {
    this.context?.freeContext();
    this.context = null;
    this.key = '';
  }
}
