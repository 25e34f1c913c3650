import type { Frame } from '../core/frame.ts';
import type { FrameSink } from '../core/sink.ts';
import { CanvasSink } from './canvas-sink.ts';
import { hasVideoFrame, VideoFramePacker } from './video-frames.ts';

interface TrackGenerator extends MediaStreamTrack {
  readonly writable: WritableStream<VideoFrame>;
}
type TrackGeneratorClass = new (init: { kind: 'video' }) => TrackGenerator;

/**
 * The processed frames as a video MediaStreamTrack: show it in a video element, or send it to any WebRTC call
 * (`pc.addTrack(sink.track)`). Frames go straight into a MediaStreamTrackGenerator where the browser has one
 * (Chromium), else through a canvas capture.
 */
export class TrackSink implements FrameSink {
  readonly name = 'track';
  readonly track: MediaStreamTrack;
  private readonly writer: WritableStreamDefaultWriter<VideoFrame> | null = null;
  private readonly packer = new VideoFramePacker();
  private readonly canvas: CanvasSink | null = null;
  /** How frames reach the track: "generator" or "canvas". */
  readonly mode: 'generator' | 'canvas';
  /** Frames written. */
  written = 0;

  constructor(options: { forceCanvas?: boolean } = {}) {
    const Generator = (globalThis as { MediaStreamTrackGenerator?: TrackGeneratorClass }).MediaStreamTrackGenerator;
    if (Generator && hasVideoFrame() && !options.forceCanvas) {
      const generator = new Generator({ kind: 'video' });
      this.writer = generator.writable.getWriter();
      this.track = generator;
      this.mode = 'generator';
    } else {
      const canvas = document.createElement('canvas');
      const track = canvas.captureStream(0).getVideoTracks()[0];
      if (!track) throw new Error('this browser cannot capture a canvas as a video track');
      this.canvas = new CanvasSink(canvas, 'track-canvas');
      this.canvas.onDrawn = () => (track as CanvasCaptureMediaStreamTrack).requestFrame();
      this.track = track;
      this.mode = 'canvas';
    }
  }

  async write(frame: Frame): Promise<void> {
    this.written++;
    if (this.canvas) {
      this.canvas.write(frame);
      return;
    }
    // The writer takes the VideoFrame over and closes it once the track has used it.
    await this.writer?.write(this.packer.pack(frame));
  }

  /** End the track. */
  async close(): Promise<void> {
    await this.writer?.close().catch(() => undefined);
    this.track.stop();
  }
}
