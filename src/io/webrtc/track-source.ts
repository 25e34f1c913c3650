import { nowNs } from '../../core/clock.ts';
import { FramewiseError } from '../../core/errors.ts';
import type { Frame } from '../../core/frame.ts';
import { type FramePool, poolFitting } from '../../core/frame-pool.ts';
import { frameBytes } from '../../core/pixel-format.ts';
import { PushSource } from '../../core/push-source.ts';
import type { FrameSource, SourceInfo } from '../../core/source.ts';
import { FirstPicture } from './first-picture.ts';
import { type I420Picture, type MediaTrack, type VideoSink, wrtc } from './wrtc.ts';

/** Options of a TrackSource. */
export interface TrackSourceOptions {
  /** Nominal frame rate reported to the pipeline (WebRTC does not say; default 30). */
  fps?: number;
  /** How long `open()` waits for the first picture (default 10 s). */
  firstFrameTimeoutMs?: number;
  /** Pictures larger than this (width x height) are dropped and counted in `oversized` (default 3840x2160). */
  maxPixels?: number;
  name?: string;
}

/**
 * A remote WebRTC video track as a live frame source: each decoded picture is copied into a pooled I420 frame
 * stamped with its arrival time. The size may change mid-stream (senders adapt resolution to bandwidth); frames
 * carry their own size. Never blocks libwebrtc: a reader that falls behind loses the oldest frames.
 */
export class TrackSource implements FrameSource {
  readonly name: string;
  private readonly track: MediaTrack;
  private readonly options: TrackSourceOptions;
  private push: PushSource | null = null;
  private sink: VideoSink | null = null;
  private pool: FramePool | null = null;
  private seq = 0;
  private firstNs = 0;
  private readonly firstPicture = new FirstPicture();
  /** Pictures received from libwebrtc. */
  received = 0;
  /** Pictures dropped for exceeding `maxPixels`. */
  oversized = 0;
  /** Monotonic time (ns) of the last picture, 0 before the first. */
  lastPictureNs = 0;

  constructor(track: MediaTrack, options: TrackSourceOptions = {}) {
    this.track = track;
    this.options = options;
    this.name = options.name ?? 'webrtc';
  }

  /** Frames the pipeline has not released yet (0 after close: a leak check). */
  get outstanding(): number {
    return this.pool?.outstanding ?? 0;
  }

  async open(): Promise<SourceInfo> {
    if (this.sink) throw new FramewiseError('invalid-state', 'TrackSource is already open');
    const limitMs = this.options.firstFrameTimeoutMs ?? 10_000;
    const sink = new (wrtc().nonstandard.RTCVideoSink)(this.track);
    this.sink = sink;
    sink.onframe = ({ frame }) => this.onPicture(frame);
    return this.firstPicture.wait(limitMs);
  }

  private onPicture(picture: I420Picture): void {
    const arrivedNs = nowNs();
    this.received++;
    this.lastPictureNs = arrivedNs;
    const { width, height, data } = picture;
    const maxPixels = this.options.maxPixels ?? 3840 * 2160;
    if (width * height > maxPixels) {
      this.oversized++;
      this.firstPicture.fail(
        new FramewiseError(
          'invalid-argument',
          `the sender's video is ${width}x${height}, over this receiver's limit of ${maxPixels} pixels: send a smaller resolution`,
        ),
      );
      return;
    }
    if (data.byteLength < frameBytes('i420', width, height)) return;
    if (!this.push) {
      const info: SourceInfo = { width, height, format: 'i420', fps: this.options.fps ?? 30, paced: true, description: `WebRTC track ${this.track.id}` };
      this.push = new PushSource(info, { name: this.name });
      this.firstPicture.arrived(info);
    }
    this.pool = poolFitting(this.pool, width, height, 'i420');
    const frame = this.pool.acquire();
    let offset = 0;
    for (const plane of frame.planes) {
      plane.set(data.subarray(offset, offset + plane.byteLength));
      offset += plane.byteLength;
    }
    frame.seq = this.seq++;
    frame.captureNs = arrivedNs;
    frame.ptsUs = Math.round((arrivedNs - (this.firstNs ||= arrivedNs)) / 1000);
    this.push.push(frame);
  }

  read(): Promise<Frame | null> {
    return this.push ? this.push.read() : Promise.resolve(null);
  }

  /** Stop receiving: a pending `read()` resolves null. Safe to call twice. */
  async close(): Promise<void> {
    this.sink?.stop();
    if (this.sink) this.sink.onframe = null;
    this.firstPicture.fail(new FramewiseError('invalid-state', 'the WebRTC track source was closed before any video arrived'));
    await this.push?.close();
  }
}
