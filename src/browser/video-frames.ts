import type { Frame } from '../core/frame.ts';
import { FramewiseError } from '../core/errors.ts';
import { pixelReader } from '../models/pixel-reader.ts';

/** Packs I420 frames into WebCodecs VideoFrames (one buffer reused), the page's way to hand pixels to the GPU. */
export class VideoFramePacker {
  private buffer = new Uint8Array(0);

  /** A VideoFrame of `frame` (i420), timestamped with its media time; the caller closes it (or hands it on). */
  pack(frame: Frame): VideoFrame {
    if (frame.format !== 'i420') throw new FramewiseError('unsupported-format', `only i420 frames can be shown, got ${frame.format}`);
    const { width, height } = frame;
    const cw = (width + 1) >> 1;
    const ch = (height + 1) >> 1;
    const total = width * height + 2 * cw * ch;
    if (this.buffer.byteLength < total) this.buffer = new Uint8Array(total);
    const layout: PlaneLayout[] = [];
    let offset = 0;
    frame.planes.forEach((plane, i) => {
      const w = i === 0 ? width : cw;
      const h = i === 0 ? height : ch;
      const stride = frame.strides[i] as number;
      if (stride === w) this.buffer.set(plane.subarray(0, w * h), offset);
      else for (let y = 0; y < h; y++) this.buffer.set(plane.subarray(y * stride, y * stride + w), offset + y * w);
      layout.push({ offset, stride: w });
      offset += w * h;
    });
    return new VideoFrame(this.buffer.subarray(0, total), { format: 'I420', codedWidth: width, codedHeight: height, timestamp: frame.ptsUs, layout });
  }
}

/** Whether this browser has WebCodecs' VideoFrame (every current one; the fallback converts in JavaScript). */
export function hasVideoFrame(): boolean {
  return typeof globalThis.VideoFrame === 'function';
}

/** RGBA pixels of an I420 frame, converted in JavaScript (BT.601 limited range): the fallback without WebCodecs. */
export function frameToImageData(frame: Frame, image: ImageData | null): ImageData {
  const { width, height } = frame;
  const out = image && image.width === width && image.height === height ? image : new ImageData(width, height);
  const read = pixelReader(frame);
  const rgb = [0, 0, 0];
  const data = out.data;
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 4) {
      rgb[0] = rgb[1] = rgb[2] = 0;
      read(x, y, rgb, 1);
      data[o] = rgb[0];
      data[o + 1] = rgb[1];
      data[o + 2] = rgb[2];
      data[o + 3] = 255;
    }
  }
  return out;
}
