import {
  AV_CODEC_FLAG_GLOBAL_HEADER,
  AV_CODEC_FLAG_QSCALE,
  AV_PIX_FMT_RGB24,
  AV_PIX_FMT_YUV420P,
  AV_PIX_FMT_YUV444P,
  AV_PIX_FMT_YUVJ420P,
  type AVPixelFormat,
  FF_QP2LAMBDA,
  AVERROR_EAGAIN,
  AVERROR_EOF,
  AVFMT_GLOBALHEADER,
  AVFMT_NOFILE,
  AVIO_FLAG_WRITE,
  type FFEncoderCodec,
} from 'node-av/constants';
import { Codec, CodecContext, Dictionary, FormatContext, Frame as AvFrame, IOContext, Packet, Rational, type Stream } from 'node-av/lib';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { FrameSink } from '../core/sink.ts';
import type { SourceInfo } from '../core/source.ts';
import { configureFfmpegLog } from './ffmpeg-log.ts';
import { check } from './av-error.ts';
import { AvFrameConverter } from './av-frame-converter.ts';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AudioTrack, containerTakesAudio } from './audio-track.ts';
import { urlScheme } from './media-location.ts';
import type { MediaCut } from './media-cuts.ts';
import { ENCODERS, PICTURE_CODECS, resolveOutput, type VideoCodec } from './output-format.ts';

/** Options of a MediaSink. */
export interface MediaSinkOptions {
  /** File path (.mp4 .mkv .webm .mov .ts .flv) or URL (rtmp://, srt://, udp://). */
  output: string;
  codec?: VideoCodec;
  /** FFmpeg muxer name, when the path does not tell it. */
  container?: string;
  /** Target bitrate; default about 0.1 bit per pixel per frame. */
  bitrateKbps?: number;
  /** `live`: encoder settings with no lookahead (zerolatency); `quality`: slower presets for files. Default live. */
  tuning?: 'live' | 'quality';
  /**
   * Write the audio of this input file beside the video (copied, or re-encoded when the container cannot carry its
   * codec), in sync with the frames' media time. For renders of a file; the frames must keep the file's timestamps.
   */
  audioFrom?: string;
  /** FFmpeg options for opening `audioFrom` (the same whitelists as the input's). */
  audioInputOptions?: Record<string, string>;
  /**
   * Only these pieces of `audioFrom` (its media time), back to back: for frames that play the same cuts (a reel),
   * whose timestamps are then output time, starting at 0.
   */
  audioCuts?: readonly MediaCut[];
  /**
   * No B-frames (pictures in decode order = display order): for segments that are joined later, so no decode time
   * of one segment falls before the end of the one before it.
   */
  noBFrames?: boolean;
}

const TIME_BASE = { num: 1, den: 90_000 };

/** Encodes frames with FFmpeg (node-av) and writes them to a file or a network URL. */
export class MediaSink implements FrameSink {
  readonly name: string;
  private readonly options: MediaSinkOptions;
  private readonly converter = new AvFrameConverter();
  private fmt: FormatContext | null = null;
  private io: IOContext | null = null;
  private encoder: CodecContext | null = null;
  private stream: Stream | null = null;
  private avFrame: AvFrame | null = null;
  private packet: Packet | null = null;
  private headerWritten = false;
  private lastPts = -1n;
  private closing: Promise<void> | null = null;
  private audio: AudioTrack | null = null;
  private lastVideoUs = 0;
  private frameUs = 0;
  /** Where the file is written until it is complete (then renamed to the output), for plain file outputs. */
  private partialPath: string | null = null;
  private failed = false;
  /** Frames encoded so far. */
  framesWritten = 0;

  constructor(options: MediaSinkOptions) {
    this.options = options;
    this.name = `encode:${options.output}`;
  }

  async open(info: SourceInfo): Promise<void> {
    try {
      await this.start(info);
    } catch (err) {
      this.failed = true;
      await this.close().catch(() => undefined);
      throw err;
    }
  }

  private async start(info: SourceInfo): Promise<void> {
    configureFfmpegLog();
    const { output } = this.options;
    const { container, codec } = resolveOutput(output, this.options.codec, this.options.container);
    const encoderName = ENCODERS[codec];
    const found = Codec.findEncoderByName(encoderName as FFEncoderCodec);
    if (!found) throw new FramewiseError('unsupported-format', `encoder ${encoderName} for ${codec} is not in this FFmpeg build`);
    // The picture keeps its exact size: never rounded to even, never rescaled.
    const { width, height } = info;
    const pixelFormat = encoderPixelFormat(codec, width, height);
    const picture = PICTURE_CODECS.has(codec);
    // A plain file is written under a hidden temporary name and renamed once complete, so a killed run leaves
    // either a finished file or none under the output's name (sequences and HLS write many files: written in place).
    const plainFile = (urlScheme(output) === null || urlScheme(output) === 'file') && container !== 'hls' && !output.includes('%');
    this.partialPath = plainFile ? join(dirname(output), `.${basename(output)}.partial`) : null;
    const target = this.partialPath ?? output;
    const fmt = new FormatContext();
    this.fmt = fmt;
    check(fmt.allocOutputContext2(null, container, target), 'output-failed', `cannot create a ${container} output for "${output}"`, 'Check the output name.');
    const enc = new CodecContext();
    enc.allocContext3(found);
    enc.width = width;
    enc.height = height;
    enc.pixelFormat = pixelFormat;
    enc.timeBase = new Rational(TIME_BASE.num, TIME_BASE.den);
    const fpsRational = new Rational(Math.round(info.fps * 1000), 1000);
    enc.framerate = fpsRational;
    enc.gopSize = Math.max(1, Math.round(info.fps * 2));
    if (this.options.noBFrames) enc.maxBFrames = 0;
    const kbps = this.options.bitrateKbps ?? Math.max(300, Math.round((width * height * info.fps * 0.1) / 1000));
    if (codec === 'jpeg') {
      enc.setFlags(AV_CODEC_FLAG_QSCALE);
      enc.globalQuality = 2 * FF_QP2LAMBDA;
    } else if (!picture) enc.bitRate = BigInt(kbps * 1000);
    if (fmt.oformat?.hasFlags(AVFMT_GLOBALHEADER)) enc.setFlags(AV_CODEC_FLAG_GLOBAL_HEADER);
    const live = (this.options.tuning ?? 'live') === 'live';
    check(
      await enc.open2(found, Dictionary.fromObject(encoderOptions(codec, live))),
      'output-failed',
      `cannot open encoder ${encoderName} at ${width}x${height}`,
      'Try another codec or size.',
    );
    this.encoder = enc;
    const stream = fmt.newStream(null);
    check(stream.codecpar.fromContext(enc), 'output-failed', 'cannot copy encoder parameters', 'This is a bug: please report it.');
    stream.timeBase = enc.timeBase;
    stream.avgFrameRate = fpsRational;
    this.stream = stream;
    this.frameUs = 1e6 / info.fps;
    if (this.options.audioFrom !== undefined && containerTakesAudio(container))
      this.audio = await AudioTrack.open(
        this.options.audioFrom,
        fmt,
        container,
        info.startUs ?? 0,
        Number.POSITIVE_INFINITY,
        this.options.audioInputOptions,
        this.options.audioCuts ?? null,
      );
    if (!fmt.oformat?.hasFlags(AVFMT_NOFILE)) {
      const io = new IOContext();
      check(
        await io.open2(target, AVIO_FLAG_WRITE),
        'output-failed',
        `cannot open output "${output}" for writing`,
        'Check that its folder exists and is writable, or that the server accepts the stream.',
      );
      this.io = io;
      fmt.pb = io;
    }
    // A picture output without a %d pattern keeps the latest frame in that one file.
    const muxerOptions = picture && !output.includes('%') ? Dictionary.fromObject({ update: '1' }) : null;
    check(await fmt.writeHeader(muxerOptions), 'output-failed', `cannot start writing "${output}"`, 'Check the output name and format.');
    this.headerWritten = true;
    const avFrame = new AvFrame();
    avFrame.alloc();
    avFrame.width = width;
    avFrame.height = height;
    avFrame.format = pixelFormat;
    check(avFrame.getBuffer(0), 'output-failed', 'cannot allocate an encoder frame', 'Out of memory?');
    this.avFrame = avFrame;
    this.packet = new Packet();
    this.packet.alloc();
  }

  async write(frame: Frame): Promise<void> {
    const { encoder, avFrame } = this;
    if (!encoder || !avFrame) throw new FramewiseError('invalid-state', `${this.name}: write before open (or after close)`);
    if (frame.width !== avFrame.width || frame.height !== avFrame.height)
      throw new FramewiseError(
        'output-failed',
        `frame ${frame.seq} is ${frame.width}x${frame.height} but "${this.options.output}" was opened at ${avFrame.width}x${avFrame.height}: a stage changed the picture size`,
      );
    check(avFrame.makeWritable(), 'output-failed', 'encoder frame is not writable', 'Out of memory?');
    this.converter.fromFrame(frame, avFrame, avFrame.format as AVPixelFormat);
    await this.audio?.writeUntil(frame.ptsUs + this.frameUs);
    this.lastVideoUs = Math.max(this.lastVideoUs, frame.ptsUs + this.frameUs);
    let pts = BigInt(Math.round((frame.ptsUs * TIME_BASE.den) / (TIME_BASE.num * 1e6)));
    if (pts <= this.lastPts) pts = this.lastPts + 1n;
    this.lastPts = pts;
    avFrame.pts = pts;
    check(await encoder.sendFrame(avFrame), 'output-failed', `encoding frame ${frame.seq} failed`, 'The encoder rejected the frame.');
    await this.drain();
    this.framesWritten++;
  }

  private async drain(): Promise<void> {
    const { encoder, packet, fmt, stream } = this;
    if (!encoder || !packet || !fmt || !stream) return;
    for (;;) {
      const got = await encoder.receivePacket(packet);
      if (got === AVERROR_EAGAIN || got === AVERROR_EOF) return;
      check(got, 'output-failed', 'encoder failed', 'The encoder stopped producing output.');
      packet.rescaleTs(encoder.timeBase, stream.timeBase);
      packet.streamIndex = stream.index;
      const wrote = await fmt.interleavedWriteFrame(packet);
      packet.unref();
      check(wrote, 'output-failed', `writing to "${this.options.output}" failed`, 'The disk may be full or the receiver went away.');
    }
  }

  /** Flush the encoder, write the trailer and close the output. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    let complete = false;
    try {
      if (this.encoder && this.headerWritten) {
        await this.encoder.sendFrame(null);
        await this.drain();
        await this.audio?.finish(this.lastVideoUs);
        check(await (this.fmt as FormatContext).writeTrailer(), 'output-failed', `finishing "${this.options.output}" failed`, 'The output may be incomplete.');
        complete = !this.failed && this.framesWritten > 0;
      }
    } finally {
      await this.audio?.close();
      this.audio = null;
      this.converter[Symbol.dispose]();
      this.encoder?.freeContext();
      this.encoder = null;
      this.avFrame?.free();
      this.avFrame = null;
      this.packet?.free();
      this.packet = null;
      if (this.fmt && this.io) this.fmt.pb = null;
      await this.io?.closep();
      this.io = null;
      this.fmt?.freeContext();
      this.fmt = null;
      if (this.partialPath) {
        if (complete) await rename(this.partialPath, this.options.output);
        else await rm(this.partialPath, { force: true });
      }
    }
  }
}

/** The encoder's pixel format: 4:2:0 for video (4:4:4 when a size is odd, which 4:2:0 cannot carry exactly). */
function encoderPixelFormat(codec: VideoCodec, width: number, height: number): AVPixelFormat {
  const odd = width % 2 === 1 || height % 2 === 1;
  switch (codec) {
    case 'png':
      return AV_PIX_FMT_RGB24;
    case 'jpeg':
      return AV_PIX_FMT_YUVJ420P;
    case 'webp':
      return AV_PIX_FMT_YUV420P;
    case 'h264':
    case 'hevc':
    case 'vp9':
      return odd ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV420P;
    case 'vp8':
    case 'av1':
      if (odd)
        throw new FramewiseError(
          'unsupported-format',
          `${codec.toUpperCase()} needs an even width and height and this picture is ${width}x${height} (kept exact, never rescaled): write .mp4/.mkv (H.264 4:4:4) or a picture (.png .jpg .webp)`,
        );
      return AV_PIX_FMT_YUV420P;
  }
}

/** Encoder options per codec: no lookahead and fast presets for live; better compression for files. */
function encoderOptions(codec: VideoCodec, live: boolean): Record<string, string> {
  switch (codec) {
    case 'png':
    case 'jpeg':
      return {};
    case 'webp':
      return { quality: '90' };
    case 'h264':
    case 'hevc':
      return live ? { preset: 'ultrafast', tune: 'zerolatency' } : { preset: 'veryfast' };
    case 'vp8':
    case 'vp9':
      return live ? { deadline: 'realtime', 'cpu-used': '8', 'lag-in-frames': '0' } : { deadline: 'good', 'cpu-used': '4' };
    case 'av1':
      return live ? { preset: '12' } : { preset: '8' };
  }
}
