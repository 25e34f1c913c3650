import { FramewiseError } from '../../core/errors.ts';
import type { Frame } from '../../core/frame.ts';
import { frameBytes } from '../../core/pixel-format.ts';
import type { FrameSink } from '../../core/sink.ts';
import { type I420Picture, type MediaTrack, type VideoSource, wrtc } from './wrtc.ts';

/**
 * Frames out to WebRTC: one libwebrtc video source that any number of peer connections send from (the publisher's
 * own connection and every WHEP viewer); each `createTrack()` gets its own encoder. Takes i420 and rgba frames.
 */
export class TrackSink implements FrameSink {
  readonly name: string;
  private readonly source: VideoSource;
  private readonly tracks = new Set<MediaTrack>();
  private scratch = new Uint8Array(0);
  private rgbaScratch = new Uint8Array(0);
  private closed = false;
  /** Frames handed to libwebrtc. */
  sent = 0;

  constructor(name = 'webrtc') {
    this.name = name;
    this.source = new (wrtc().nonstandard.RTCVideoSource)();
  }

  /** A new track carrying this sink's frames, for one peer connection. Stopped by `close()` at the latest. */
  createTrack(): MediaTrack {
    if (this.closed) throw new FramewiseError('invalid-state', 'the WebRTC sink is closed');
    const track = this.source.createTrack();
    this.tracks.add(track);
    return track;
  }

  /** Stop one track (a viewer left); the others keep going. */
  stopTrack(track: MediaTrack): void {
    if (this.tracks.delete(track)) track.stop();
  }

  /** Tracks currently fed. */
  get trackCount(): number {
    return this.tracks.size;
  }

  write(frame: Frame): void {
    if (this.closed) return;
    if (frame.format === 'i420') this.source.onFrame({ width: frame.width, height: frame.height, data: this.packed(frame) });
    else if (frame.format === 'rgba') this.source.onFrame(this.fromRgba(frame));
    else throw new FramewiseError('unsupported-format', `the WebRTC sink takes i420 or rgba frames, got ${frame.format}: convert before the sink`);
    this.sent++;
  }

  /** The frame's planes back to back: the planes themselves when they already are, else a reused copy. */
  private packed(frame: Frame): Uint8Array {
    const [y, u, v] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
    if (y.buffer === u.buffer && u.buffer === v.buffer && u.byteOffset === y.byteOffset + y.byteLength && v.byteOffset === u.byteOffset + u.byteLength) {
      return new Uint8Array(y.buffer, y.byteOffset, y.byteLength + u.byteLength + v.byteLength);
    }
    const bytes = frameBytes('i420', frame.width, frame.height);
    if (this.scratch.byteLength !== bytes) this.scratch = new Uint8Array(bytes);
    this.scratch.set(y, 0);
    this.scratch.set(u, y.byteLength);
    this.scratch.set(v, y.byteLength + u.byteLength);
    return this.scratch;
  }

  private fromRgba(frame: Frame): I420Picture {
    const bytes = frameBytes('i420', frame.width, frame.height);
    if (this.rgbaScratch.byteLength !== bytes) this.rgbaScratch = new Uint8Array(bytes);
    const out = { width: frame.width, height: frame.height, data: this.rgbaScratch };
    wrtc().nonstandard.rgbaToI420({ width: frame.width, height: frame.height, data: frame.planes[0] as Uint8Array }, out);
    return out;
  }

  /** Stop every track. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    for (const track of this.tracks) track.stop();
    this.tracks.clear();
  }
}
