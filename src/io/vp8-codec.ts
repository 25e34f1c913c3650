import { AV_PICTURE_TYPE_I, AV_PICTURE_TYPE_NONE, AV_PIX_FMT_YUV420P, AVERROR_EAGAIN, type FFEncoderCodec } from 'node-av/constants';
import { Codec, CodecContext, Dictionary, Rational } from 'node-av/lib';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { check } from './av-error.ts';
import { AvCodecBase } from './av-codec.ts';
import { configureFfmpegLog } from './ffmpeg-log.ts';

/** One encoded VP8 frame. */
export interface Vp8Frame {
  data: Buffer;
  keyframe: boolean;
}

/** Options of a Vp8Encoder. */
export interface Vp8EncoderOptions {
  /** Target bitrate in bits per second (default 0.2 bits per pixel at 30 fps: ~1.8 Mbit/s at 640x480). */
  bitrate?: number;
}

/**
 * Frames to VP8 for live video (libvpx through FFmpeg): real-time deadline at its fastest speed, no frames held back
 * (lag 0: each frame comes out of the call that took it in), error-resilient, keyframes only when asked for (a
 * receiver that lost a packet asks) and every 10 s.
 */
export class Vp8Encoder extends AvCodecBase {
  private pts = 0n;
  private width = 0;
  private height = 0;

  constructor(private readonly options: Vp8EncoderOptions = {}) {
    super();
  }

  private async open(width: number, height: number): Promise<CodecContext> {
    configureFfmpegLog();
    const codec = Codec.findEncoderByName('libvpx' as FFEncoderCodec);
    if (!codec) throw new FramewiseError('unsupported-format', 'this FFmpeg build has no VP8 encoder (libvpx)');
    const ctx = new CodecContext();
    ctx.allocContext3(codec);
    ctx.width = width;
    ctx.height = height;
    ctx.pixelFormat = AV_PIX_FMT_YUV420P;
    ctx.timeBase = new Rational(1, 30);
    ctx.bitRate = BigInt(Math.round(this.options.bitrate ?? width * height * 30 * 0.2));
    ctx.gopSize = 300;
    ctx.maxBFrames = 0;
    ctx.threadCount = 1;
    const settings = Dictionary.fromObject({ deadline: 'realtime', 'cpu-used': 8, 'lag-in-frames': 0, 'error-resilient': 1, 'auto-alt-ref': 0 });
    try {
      check(await ctx.open2(codec, settings), 'output-failed', 'cannot open the VP8 encoder', 'Check the frame size.');
    } finally {
      settings.free();
    }
    this.ctx = ctx;
    this.width = width;
    this.height = height;
    return ctx;
  }

  /**
   * Encode `frame` (i420); `keyframe` forces an intra frame. Pixels are copied before the first await, so the caller
   * may release the frame at once; calls must not overlap. A new size reopens the encoder (its first frame is a
   * keyframe).
   */
  async encode(frame: Frame, keyframe = false): Promise<Vp8Frame[]> {
    if (frame.format !== 'i420') throw new FramewiseError('unsupported-format', `the VP8 encoder takes i420 frames, got ${frame.format}`);
    if (this.ctx && (frame.width !== this.width || frame.height !== this.height)) {
      this.ctx.freeContext();
      this.ctx = null;
    }
    this.fill(frame, AV_PIX_FMT_YUV420P, 'VP8');
    const ctx = this.ctx ?? (await this.open(frame.width, frame.height));
    this.avFrame.pts = this.pts++;
    this.avFrame.pictType = keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    check(await ctx.sendFrame(this.avFrame), 'output-failed', 'VP8 encoding failed', 'The frame was rejected.');
    const out: Vp8Frame[] = [];
    for (;;) {
      const got = await ctx.receivePacket(this.packet);
      if (got === AVERROR_EAGAIN) break;
      check(got, 'output-failed', 'the VP8 encoder failed', 'This is a bug.');
      out.push({ data: Buffer.from(this.packet.data ?? Buffer.alloc(0)), keyframe: this.packet.isKeyframe });
      this.packet.unref();
    }
    return out;
  }
}

/** VP8 frames back to I420 frames (FFmpeg's own VP8 decoder, one thread: no frame delay); frames come from a pool. */
export class Vp8Decoder extends AvCodecBase {
  /** Decode one VP8 frame; null when it gives no picture (a frame that depends on one that was lost). */
  async decode(data: Buffer): Promise<Frame | null> {
    const ctx = this.ctx ?? (await this.openDecoder('vp8', 'VP8', 1));
    this.packet.data = data;
    const sent = await ctx.sendPacket(this.packet);
    this.packet.unref();
    if (sent < 0) return null;
    const got = await ctx.receiveFrame(this.avFrame);
    if (got < 0) return null;
    if (this.avFrame.width < 2 || this.avFrame.height < 2) {
      this.avFrame.unref();
      return null;
    }
    return this.take();
  }
}
