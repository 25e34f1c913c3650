import type { Frame } from '../core/frame.ts';
import { FramewiseError } from '../core/errors.ts';
import type { FrameSink } from '../core/sink.ts';
import { frameToImageData, hasVideoFrame, VideoFramePacker } from './video-frames.ts';

type Canvas2d = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

function isOffscreen(canvas: HTMLCanvasElement | OffscreenCanvas): canvas is OffscreenCanvas {
  return typeof OffscreenCanvas !== 'undefined' && canvas instanceof OffscreenCanvas;
}

/** Draws every frame on a canvas, resized to the frame (the GPU converts I420 to RGB through WebCodecs). */
export class CanvasSink implements FrameSink {
  readonly name: string;
  private readonly g: Canvas2d;
  private readonly packer = new VideoFramePacker();
  private image: ImageData | null = null;
  /** Frames drawn. */
  written = 0;
  /** Called after each frame is drawn (e.g. to request a captured frame). */
  onDrawn: ((frame: Frame) => void) | null = null;

  constructor(
    readonly canvas: HTMLCanvasElement | OffscreenCanvas,
    name = 'canvas',
  ) {
    const g: Canvas2d | null = isOffscreen(canvas) ? canvas.getContext('2d', { alpha: false }) : canvas.getContext('2d', { alpha: false });
    if (!g) throw new FramewiseError('invalid-state', 'this browser cannot draw on a 2D canvas');
    this.g = g;
    this.name = name;
  }

  write(frame: Frame): void {
    if (this.canvas.width !== frame.width || this.canvas.height !== frame.height) {
      this.canvas.width = frame.width;
      this.canvas.height = frame.height;
    }
    if (hasVideoFrame()) {
      const picture = this.packer.pack(frame);
      try {
        this.g.drawImage(picture, 0, 0);
      } finally {
        picture.close();
      }
    } else {
      this.image = frameToImageData(frame, this.image);
      this.g.putImageData(this.image, 0, 0);
    }
    this.written++;
    this.onDrawn?.(frame);
  }

  async close(): Promise<void> {}
}
