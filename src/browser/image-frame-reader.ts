import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { blendRgba } from '../effects/rgba-blend.ts';

/**
 * Reads any picture the browser can draw (a video element, an ImageBitmap, a canvas, a VideoFrame) into an I420
 * frame: drawn at the frame's size on an OffscreenCanvas, read back as RGBA and converted (BT.601 limited range).
 * The canvas is kept between calls.
 */
export class ImageFrameReader {
  private canvas: OffscreenCanvas | null = null;

  read(picture: CanvasImageSource, frame: Frame): Frame {
    if (frame.format !== 'i420') throw new FramewiseError('unsupported-format', `ImageFrameReader fills i420 frames, got ${frame.format}`);
    const { width, height } = frame;
    if (!this.canvas || this.canvas.width !== width || this.canvas.height !== height) this.canvas = new OffscreenCanvas(width, height);
    const g = this.canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    if (!g) throw new FramewiseError('invalid-state', 'this browser cannot draw on an OffscreenCanvas');
    g.drawImage(picture, 0, 0, width, height);
    blendRgba(frame, g.getImageData(0, 0, width, height).data, width, height, 0, 0);
    return frame;
  }
}
