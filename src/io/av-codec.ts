import type { AVPixelFormat, FFDecoderCodec } from 'node-av/constants';
import { Codec, CodecContext, Frame as AvFrame, Packet } from 'node-av/lib';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { type FramePool, poolFitting } from '../core/frame-pool.ts';
import { check } from './av-error.ts';
import { AvFrameConverter } from './av-frame-converter.ts';
import { configureFfmpegLog } from './ffmpeg-log.ts';

/** What an FFmpeg encoder or decoder of single pictures needs: a codec context, one picture, one packet, a converter. */
export abstract class AvCodecBase implements Disposable {
  protected ctx: CodecContext | null = null;
  protected readonly avFrame = new AvFrame();
  protected readonly packet = new Packet();
  protected readonly converter = new AvFrameConverter();

  constructor() {
    this.avFrame.alloc();
    this.packet.alloc();
  }

  private pool: FramePool | null = null;

  /** Open FFmpeg's decoder `name` (`label` for messages), with `threads` threads when given, as this codec's context. */
  protected async openDecoder(name: string, label: string, threads?: number): Promise<CodecContext> {
    configureFfmpegLog();
    const codec = Codec.findDecoderByName(name as FFDecoderCodec);
    if (!codec) throw new FramewiseError('unsupported-format', `this FFmpeg build has no ${label} decoder`);
    const ctx = new CodecContext();
    ctx.allocContext3(codec);
    if (threads !== undefined) ctx.threadCount = threads;
    check(await ctx.open2(codec, null), 'input-unreadable', `cannot open the ${label} decoder`, 'This is a bug.');
    this.ctx = ctx;
    return ctx;
  }

  /** Copy `frame` into the codec's picture (allocated at its size and `format` on first use or a size change). */
  protected fill(frame: Frame, format: AVPixelFormat, what: string): void {
    if (this.avFrame.width !== frame.width || this.avFrame.height !== frame.height) {
      this.avFrame.unref();
      this.avFrame.width = frame.width;
      this.avFrame.height = frame.height;
      this.avFrame.format = format;
      check(this.avFrame.getBuffer(0), 'output-failed', `cannot allocate a ${what} frame`, 'Out of memory?');
    }
    check(this.avFrame.makeWritable(), 'output-failed', `${what} frame not writable`, 'Out of memory?');
    this.converter.fromFrame(frame, this.avFrame, format);
  }

  /** The decoded picture as a pooled I420 frame (even size), releasing the codec's picture. */
  protected take(): Frame {
    const width = this.avFrame.width & ~1;
    const height = this.avFrame.height & ~1;
    this.pool = poolFitting(this.pool, width, height, 'i420');
    const frame = this.pool.acquire();
    try {
      this.converter.toFrame(this.avFrame, frame);
    } finally {
      this.avFrame.unref();
    }
    return frame;
  }

  /** Decoded frames handed out and not released yet. */
  get outstanding(): number {
    return this.pool?.outstanding ?? 0;
  }

  [Symbol.dispose](): void {
    this.ctx?.freeContext();
    this.ctx = null;
    this.avFrame.free();
    this.packet.free();
    this.converter[Symbol.dispose]();
  }
}
