import { frameIdBandHeight, writeFrameId } from '../src/core/frame-id.ts';
import { frameOfImageData } from './frame-view.ts';

/** Frames stamped so far and when (performance.now() ms), kept for the last few seconds. */
export interface StampLog {
  sentAtMs(id: number): number | undefined;
}

/**
 * Burns a frame-ID code into every camera frame before it is sent: each new frame the camera preview presents is
 * drawn on a canvas, the code is written into its top band, and the canvas track sends it. The time of
 * each stamp is kept, so the frame can be recognised when it comes back and its glass-to-glass latency measured.
 */
export class FrameStamper implements StampLog {
  readonly track: MediaStreamTrack;
  private readonly canvas = document.createElement('canvas');
  private readonly context: CanvasRenderingContext2D;
  private readonly sent = new Map<number, number>();
  private nextId = 1;
  private stopped = false;

  /** `video` plays the camera on the page (a video that is not displayed gets no frame callbacks in Chromium). */
  constructor(
    private readonly video: HTMLVideoElement,
    width: number,
    height: number,
  ) {
    this.canvas.width = width;
    this.canvas.height = height;
    const context = this.canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    if (!context) throw new Error('this browser cannot draw on a 2D canvas');
    this.context = context;
    const track = this.canvas.captureStream(0).getVideoTracks()[0];
    if (!track) throw new Error('this browser cannot capture a canvas as a video track');
    this.track = track;
    this.video.requestVideoFrameCallback(this.onCameraFrame);
  }

  private readonly onCameraFrame = (): void => {
    if (this.stopped) return;
    const { width, height } = this.canvas;
    this.context.drawImage(this.video, 0, 0, width, height);
    const band = this.context.getImageData(0, 0, width, frameIdBandHeight(width));
    const id = this.nextId++;
    writeFrameId(frameOfImageData(band), id);
    this.context.putImageData(band, 0, 0);
    (this.track as CanvasCaptureMediaStreamTrack).requestFrame();
    const now = performance.now();
    this.sent.set(id, now);
    if (this.sent.size > 600) this.sent.delete(id - 600);
    this.video.requestVideoFrameCallback(this.onCameraFrame);
  };

  sentAtMs(id: number): number | undefined {
    return this.sent.get(id);
  }

  stop(): void {
    this.stopped = true;
    this.track.stop();
  }
}
