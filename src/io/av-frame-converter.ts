import { type Frame as AvFrame, SoftwareScaleContext } from 'node-av/lib';
import { SWS_BILINEAR, type AVPixelFormat } from 'node-av/constants';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { isI420Layout, toAvPixelFormat } from './pixel-format-av.ts';
import { copyPlane } from './plane-copy.ts';

interface ScalerKey {
  srcW: number;
  srcH: number;
  srcFormat: number;
  dstW: number;
  dstH: number;
  dstFormat: number;
}

/**
 * Moves pixels between FFmpeg frames and ours: a plain plane copy when layouts match (the common I420 case),
 * swscale otherwise (format conversion, or a stream that changed size mid-way). The scaler is built once per geometry.
 */
export class AvFrameConverter implements Disposable {
  private scaler: SoftwareScaleContext | null = null;
  private key: ScalerKey | null = null;

  /** Fill `out` (any size/format) from decoded frame `av`. */
  toFrame(av: AvFrame, out: Frame): void {
    const data = av.data;
    if (!data) throw new FramewiseError('input-unreadable', 'decoded frame has no pixel data (hardware frame?)');
    const lines = av.linesize;
    if (out.format === 'i420' && isI420Layout(av.format) && av.width === out.width && av.height === out.height) {
      const cw = (out.width + 1) >> 1;
      const ch = (out.height + 1) >> 1;
      copyPlane(data[0] as Uint8Array, lines[0] as number, out.planes[0] as Uint8Array, out.strides[0] as number, out.width, out.height);
      copyPlane(data[1] as Uint8Array, lines[1] as number, out.planes[1] as Uint8Array, out.strides[1] as number, cw, ch);
      copyPlane(data[2] as Uint8Array, lines[2] as number, out.planes[2] as Uint8Array, out.strides[2] as number, cw, ch);
      return;
    }
    const scaler = this.scalerFor({
      srcW: av.width,
      srcH: av.height,
      srcFormat: av.format,
      dstW: out.width,
      dstH: out.height,
      dstFormat: toAvPixelFormat(out.format),
    });
    scaler.scaleSync(data, lines.slice(0, data.length), 0, av.height, out.planes as Buffer[], out.strides);
  }

  /** Fill FFmpeg frame `av` (allocated, writable, `dstFormat`) from our frame. */
  fromFrame(frame: Frame, av: AvFrame, dstFormat: AVPixelFormat): void {
    const data = av.data;
    if (!data) throw new FramewiseError('output-failed', 'encoder frame has no buffers');
    const lines = av.linesize;
    if (frame.format === 'i420' && isI420Layout(dstFormat) && av.width === frame.width && av.height === frame.height) {
      const cw = (frame.width + 1) >> 1;
      const ch = (frame.height + 1) >> 1;
      copyPlane(frame.planes[0] as Uint8Array, frame.strides[0] as number, data[0] as Uint8Array, lines[0] as number, frame.width, frame.height);
      copyPlane(frame.planes[1] as Uint8Array, frame.strides[1] as number, data[1] as Uint8Array, lines[1] as number, cw, ch);
      copyPlane(frame.planes[2] as Uint8Array, frame.strides[2] as number, data[2] as Uint8Array, lines[2] as number, cw, ch);
      return;
    }
    const scaler = this.scalerFor({
      srcW: frame.width,
      srcH: frame.height,
      srcFormat: toAvPixelFormat(frame.format),
      dstW: av.width,
      dstH: av.height,
      dstFormat,
    });
    scaler.scaleSync(frame.planes as Buffer[], frame.strides, 0, frame.height, data, lines.slice(0, data.length));
  }

  private scalerFor(key: ScalerKey): SoftwareScaleContext {
    const k = this.key;
    if (
      this.scaler &&
      k &&
      k.srcW === key.srcW &&
      k.srcH === key.srcH &&
      k.srcFormat === key.srcFormat &&
      k.dstW === key.dstW &&
      k.dstH === key.dstH &&
      k.dstFormat === key.dstFormat
    ) {
      return this.scaler;
    }
    this.scaler?.freeContext();
    const scaler = new SoftwareScaleContext();
    scaler.getContext(key.srcW, key.srcH, key.srcFormat as AVPixelFormat, key.dstW, key.dstH, key.dstFormat as AVPixelFormat, SWS_BILINEAR);
    this.scaler = scaler;
    this.key = key;
    return scaler;
  }

  [Symbol.dispose](): void {
    this.scaler?.freeContext();
    this.scaler = null;
    this.key = null;
  }
}
