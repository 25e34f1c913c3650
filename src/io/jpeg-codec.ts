import { AV_CODEC_FLAG_QSCALE, AV_PIX_FMT_YUVJ420P, AVERROR_EAGAIN, type FFEncoderCodec } from 'node-av/constants';
import { Codec, CodecContext, Rational } from 'node-av/lib';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { check } from './av-error.ts';
import { AvCodecBase } from './av-codec.ts';
import { configureFfmpegLog } from './ffmpeg-log.ts';

/** FFmpeg's lambda per quantiser step, for the MJPEG quality setting. */
const QP2LAMBDA = 118;

/** Frames to JPEG images (FFmpeg's MJPEG encoder), e.g. one WebSocket message per frame. */
export class JpegEncoder extends AvCodecBase {
  private pts = 0n;

  /** `quality`: 2 (best) to 31 (smallest). */
  constructor(private readonly quality = 4) {
    super();
  }

  private async open(width: number, height: number): Promise<CodecContext> {
    configureFfmpegLog();
    const codec = Codec.findEncoderByName('mjpeg' as FFEncoderCodec);
    if (!codec) throw new FramewiseError('unsupported-format', 'this FFmpeg build has no MJPEG encoder');
    const ctx = new CodecContext();
    ctx.allocContext3(codec);
    ctx.width = width;
    ctx.height = height;
    ctx.pixelFormat = AV_PIX_FMT_YUVJ420P;
    ctx.timeBase = new Rational(1, 90_000);
    ctx.setFlags(AV_CODEC_FLAG_QSCALE);
    ctx.globalQuality = QP2LAMBDA * this.quality;
    check(await ctx.open2(codec, null), 'output-failed', 'cannot open the MJPEG encoder', 'Check the frame size.');
    this.ctx = ctx;
    return ctx;
  }

  /**
   * One JPEG image of `frame`. Its pixels are copied before the first await, so the caller may release it at once;
   * calls must not overlap (await each one), since the encoder reuses one picture buffer.
   */
  async encode(frame: Frame): Promise<Buffer> {
    if (this.ctx && (this.avFrame.width !== frame.width || this.avFrame.height !== frame.height))
      throw new FramewiseError(
        'invalid-argument',
        `JpegEncoder was opened for ${this.avFrame.width}x${this.avFrame.height}, got ${frame.width}x${frame.height}`,
      );
    this.fill(frame, AV_PIX_FMT_YUVJ420P, 'JPEG');
    const ctx = this.ctx ?? (await this.open(frame.width, frame.height));
    this.avFrame.pts = this.pts++;
    this.avFrame.quality = QP2LAMBDA * this.quality;
    check(await ctx.sendFrame(this.avFrame), 'output-failed', 'JPEG encoding failed', 'The frame was rejected.');
    check(await ctx.receivePacket(this.packet), 'output-failed', 'JPEG encoder gave no image', 'This is a bug.');
    const image = Buffer.from(this.packet.data ?? Buffer.alloc(0));
    this.packet.unref();
    return image;
  }
}

/** JPEG images back to I420 frames (FFmpeg's MJPEG decoder); frames come from a pool and must be released. */
export class JpegDecoder extends AvCodecBase {
  /** Decode one JPEG image; a clear error when the bytes are not one. */
  async decode(image: Buffer): Promise<Frame> {
    if (image.length < 4 || image[0] !== 0xff || image[1] !== 0xd8)
      throw new FramewiseError('input-unreadable', `not a JPEG image (${image.length} bytes starting ${image.subarray(0, 4).toString('hex')})`);
    const ctx = this.ctx ?? (await this.openDecoder('mjpeg', 'MJPEG'));
    this.packet.data = image;
    check(await ctx.sendPacket(this.packet), 'input-unreadable', 'cannot decode the JPEG image', 'The image is corrupt.');
    this.packet.unref();
    const got = await ctx.receiveFrame(this.avFrame);
    if (got === AVERROR_EAGAIN) throw new FramewiseError('input-unreadable', 'the JPEG decoder gave no picture');
    check(got, 'input-unreadable', 'cannot decode the JPEG image', 'The image is corrupt.');
    return this.take();
  }
}
