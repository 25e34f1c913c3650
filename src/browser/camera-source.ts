import { nowNs } from '../core/clock.ts';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { type FramePool, poolFitting } from '../core/frame-pool.ts';
import { PushSource } from '../core/push-source.ts';
import type { FrameSource, SourceInfo } from '../core/source.ts';
import { ImageFrameReader } from './image-frame-reader.ts';

/** Options of a CameraSource. */
export interface CameraSourceOptions {
  /** Nominal frame rate reported to the pipeline (default: the track's own setting, else 30). */
  fps?: number;
  /** How long `open()` waits for the first picture (default 10 s). */
  firstFrameTimeoutMs?: number;
  /** Read frames through a video element and a canvas even where MediaStreamTrackProcessor exists (default false). */
  forceCanvas?: boolean;
  name?: string;
}

interface TrackProcessor {
  readonly readable: ReadableStream<VideoFrame>;
}
type TrackProcessorClass = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => TrackProcessor;

/**
 * A camera (any video MediaStreamTrack: getUserMedia, a canvas capture, a remote WebRTC track) as a live source in
 * the page: each picture becomes a pooled I420 frame stamped with the time it arrived. Uses
 * MediaStreamTrackProcessor where the browser has it (Chromium), copying I420 and NV12 pictures as they are; else
 * plays the track in a video element and reads each new picture through a canvas. Never buffers: a pipeline that
 * falls behind loses the oldest frames, as a live source must.
 */
export class CameraSource implements FrameSource {
  readonly name: string;
  private push: PushSource | null = null;
  private pool: FramePool | null = null;
  private seq = 0;
  private firstNs = 0;
  private stopped = false;
  private firstPicture: ((info: SourceInfo) => void) | null = null;
  private reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  private video: HTMLVideoElement | null = null;
  private readonly images = new ImageFrameReader();
  private scratch = new Uint8Array(0);
  /** Pictures received from the track. */
  received = 0;
  /** How pictures are read: "processor" (MediaStreamTrackProcessor) or "canvas". */
  mode: 'processor' | 'canvas' = 'canvas';

  constructor(
    private readonly track: MediaStreamTrack,
    private readonly options: CameraSourceOptions = {},
  ) {
    if (track.kind !== 'video') throw new FramewiseError('invalid-argument', `CameraSource needs a video track, got a ${track.kind} track`);
    this.name = options.name ?? 'camera';
  }

  /** Frames the pipeline has not released yet. */
  get outstanding(): number {
    return this.pool?.outstanding ?? 0;
  }

  async open(): Promise<SourceInfo> {
    if (this.firstPicture || this.push) throw new FramewiseError('invalid-state', 'CameraSource is already open');
    if (this.track.readyState === 'ended') throw new FramewiseError('invalid-state', 'the camera track has ended: open the camera again');
    const limitMs = this.options.firstFrameTimeoutMs ?? 10_000;
    const first = new Promise<SourceInfo>((resolve) => (this.firstPicture = resolve));
    const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorClass }).MediaStreamTrackProcessor;
    if (Processor && !this.options.forceCanvas) {
      this.mode = 'processor';
      this.reader = new Processor({ track: this.track, maxBufferSize: 1 }).readable.getReader();
      void this.pump(this.reader);
    } else {
      this.mode = 'canvas';
      this.startVideo();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FramewiseError('timeout', `the camera gave no picture within ${limitMs / 1000} s: is it on and allowed?`)), limitMs);
    });
    try {
      return await Promise.race([first, timeout]);
    } catch (err) {
      await this.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async pump(reader: ReadableStreamDefaultReader<VideoFrame>): Promise<void> {
    for (;;) {
      let next: ReadableStreamReadResult<VideoFrame>;
      try {
        next = await reader.read();
      } catch {
        break;
      }
      if (next.done) break;
      const picture = next.value;
      try {
        if (!this.stopped) await this.onVideoFrame(picture);
      } catch {
        // a picture that cannot be read is skipped, as a camera glitch
      } finally {
        picture.close();
      }
    }
    this.push?.end();
  }

  private async onVideoFrame(picture: VideoFrame): Promise<void> {
    const width = picture.displayWidth;
    const height = picture.displayHeight;
    const frame = this.frameOf(width, height);
    const format = picture.format;
    const cropped = picture.visibleRect && (picture.visibleRect.x !== 0 || picture.visibleRect.y !== 0 || picture.codedWidth !== width);
    if ((format === 'I420' || format === 'NV12') && !cropped && picture.codedHeight >= height) {
      const rect = { x: 0, y: 0, width, height };
      const size = picture.allocationSize({ rect });
      if (this.scratch.byteLength < size) this.scratch = new Uint8Array(size);
      try {
        const layout = await picture.copyTo(this.scratch, { rect });
        if (format === 'I420') copyI420(this.scratch, layout, frame, width, height);
        else copyNv12(this.scratch, layout, frame, width, height);
      } catch (err) {
        frame.release();
        throw err;
      }
      this.emit(frame);
      return;
    }
    this.images.read(picture, frame);
    this.emit(frame);
  }

  private frameOf(width: number, height: number): Frame {
    this.pool = poolFitting(this.pool, Math.max(2, width), Math.max(2, height), 'i420');
    const frame = this.pool.acquire();
    frame.captureNs = nowNs();
    return frame;
  }

  private emit(frame: Frame): void {
    if (this.stopped) {
      frame.release();
      return;
    }
    this.received++;
    frame.seq = this.seq++;
    frame.ptsUs = Math.round((frame.captureNs - (this.firstNs ||= frame.captureNs)) / 1000);
    if (!this.push) {
      const settings = this.track.getSettings();
      const info: SourceInfo = {
        width: frame.width,
        height: frame.height,
        format: 'i420',
        fps: this.options.fps ?? settings.frameRate ?? 30,
        paced: true,
        description: `camera track "${this.track.label || this.track.id}" (${this.mode})`,
      };
      this.push = new PushSource(info, { name: this.name, capacity: 1 });
      this.firstPicture?.(info);
      this.firstPicture = null;
    }
    this.push.push(frame);
  }

  private startVideo(): void {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([this.track]);
    this.video = video;
    const onFrame = (): void => {
      if (this.stopped) return;
      if (video.videoWidth > 0) {
        const frame = this.frameOf(video.videoWidth, video.videoHeight);
        this.images.read(video, frame);
        this.emit(frame);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    void video.play().catch(() => undefined);
  }

  read(): Promise<Frame | null> {
    return this.push ? this.push.read() : Promise.resolve(null);
  }

  /** Stop reading the track (the track itself stays the caller's): a pending `read()` resolves null. Safe to call twice. */
  async close(): Promise<void> {
    this.stopped = true;
    this.firstPicture = null;
    await this.reader?.cancel().catch(() => undefined);
    this.reader = null;
    if (this.video) {
      this.video.srcObject = null;
      this.video = null;
    }
    await this.push?.close();
  }
}

/** Copy an I420 picture laid out as `layout` says into a tightly packed I420 frame. */
function copyI420(src: Uint8Array, layout: readonly PlaneLayout[], frame: Frame, width: number, height: number): void {
  frame.planes.forEach((plane, i) => {
    const l = layout[i];
    if (!l) return;
    const w = i === 0 ? width : (width + 1) >> 1;
    const h = i === 0 ? height : (height + 1) >> 1;
    const ds = frame.strides[i] as number;
    for (let y = 0; y < h; y++) plane.set(src.subarray(l.offset + y * l.stride, l.offset + y * l.stride + w), y * ds);
  });
}

/** Copy an NV12 picture (Y, then interleaved U and V) into an I420 frame. */
function copyNv12(src: Uint8Array, layout: readonly PlaneLayout[], frame: Frame, width: number, height: number): void {
  const [yl, uvl] = layout;
  const [yp, up, vp] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
  if (!yl || !uvl) return;
  const ys = frame.strides[0] as number;
  for (let y = 0; y < height; y++) yp.set(src.subarray(yl.offset + y * yl.stride, yl.offset + y * yl.stride + width), y * ys);
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const cs = frame.strides[1] as number;
  for (let y = 0; y < ch; y++) {
    let s = uvl.offset + y * uvl.stride;
    const d = y * cs;
    for (let x = 0; x < cw; x++, s += 2) {
      up[d + x] = src[s] as number;
      vp[d + x] = src[s + 1] as number;
    }
  }
}
