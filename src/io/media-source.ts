import { AV_NOPTS_VALUE, AVERROR_EAGAIN, AVERROR_EOF, AVMEDIA_TYPE_VIDEO } from 'node-av/constants';
import { Codec, CodecContext, Dictionary, FormatContext, Frame as AvFrame, InputFormat, type Packet, type Stream } from 'node-av/lib';
import { nowNs, sleepUntilNs } from '../core/clock.ts';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { FramePool } from '../core/frame-pool.ts';
import { isPixelFormat, PIXEL_FORMATS, type PixelFormat } from '../core/pixel-format.ts';
import type { FrameSource, SourceInfo } from '../core/source.ts';
import { configureFfmpegLog } from './ffmpeg-log.ts';
import { check, ffmpegReason } from './av-error.ts';
import { AvFrameConverter } from './av-frame-converter.ts';
import { assertLocalInput, urlScheme } from './media-location.ts';
import { MediaTimeline } from './media-timeline.ts';
import { PacketReader } from './packet-reader.ts';

/** Schemes whose frames arrive at their own pace (a camera or a broadcast on the other end). */
const LIVE_SCHEMES = new Set(['rtsp', 'rtsps', 'rtmp', 'rtmps', 'srt', 'udp', 'rtp', 'tcp']);
/** Corrupt packets in a row before the input is given up on. */
const MAX_CONSECUTIVE_DECODE_ERRORS = 50;
/** Packets whose arrival time is remembered; more than any decoder's reorder depth. */
const MAX_TRACKED_ARRIVALS = 64;

/** Options of a MediaSource. */
export interface MediaSourceOptions {
  /** A file path or URL FFmpeg can open: rtsp://, rtmp://, srt://, http(s):// (HLS too), udp://. */
  input: string;
  /** Pixel format of the frames handed out (default i420, which needs no conversion for most video). */
  format?: PixelFormat;
  /** Pace a file at its frame rate, like a camera (default false). Network streams are paced by nature. */
  realtime?: boolean;
  /** Decoder threads: 1 adds no delay (live), 0 lets FFmpeg choose (throughput, ~2 frames of delay). Default: 1 when paced, else 0. */
  decoderThreads?: number;
  /** Start over at the end (files only), for soak runs. */
  loop?: boolean;
  /** Refuse frames larger than this many pixels (default 8192x4320). */
  maxPixels?: number;
  /** Treat the input as this frame rate: timestamps become seq / fps (paces a file at N fps with `realtime`). */
  fps?: number;
  /** End after this much media time (seconds), e.g. with `loop`. */
  durationS?: number;
  /** Options for FFmpeg's demuxer/protocol, e.g. `{ rtsp_transport: 'tcp' }`. */
  inputOptions?: Record<string, string>;
  /** Force FFmpeg's demuxer (e.g. `png_pipe`) instead of probing: for bytes from the outside, so a text file can never be read as a playlist. */
  inputFormat?: string;
}

/** Frames decoded in-process by FFmpeg (node-av) from a file or a network stream. */
export class MediaSource implements FrameSource {
  readonly name: string;
  private readonly options: MediaSourceOptions;
  private readonly stop = new AbortController();
  private readonly converter = new AvFrameConverter();
  private fmt: FormatContext | null = null;
  private decoder: CodecContext | null = null;
  private stream: Stream | null = null;
  private reader: PacketReader | null = null;
  private avFrame: AvFrame | null = null;
  private pool: FramePool | null = null;
  private info: SourceInfo | null = null;
  private paced = false;
  private flushed = false;
  private seq = 0;
  private startNs = 0;
  private packetTimeline: MediaTimeline | null = null;
  private frameTimeline: MediaTimeline | null = null;
  private packetIndex = 0;
  /** Due time of the latest packet fed to the decoder (realtime mode). */
  private arrivedNs = 0;
  /** Due time of each packet by its pts, so a picture the decoder held back (B-frames) counts from its own arrival. */
  private readonly arrivals = new Map<bigint, number>();
  private consecutiveErrors = 0;
  private pending: Promise<Frame | null> | null = null;
  private closed = false;
  private ended = false;
  private framesDecoded = 0;
  /** Why a network stream ended early (sender hung up, connection dropped), when it did. */
  endReason: string | null = null;
  private isNetwork = false;
  private isPicture = false;
  /** Packets the decoder rejected as corrupt (skipped). */
  decodeErrors = 0;

  constructor(options: MediaSourceOptions) {
    if (options.format !== undefined && !isPixelFormat(options.format)) {
      throw new FramewiseError('unsupported-format', `pixel format "${String(options.format)}" is not supported: use ${PIXEL_FORMATS.join(', ')}`);
    }
    this.options = options;
    this.name = `media:${options.input}`;
  }

  async open(): Promise<SourceInfo> {
    configureFfmpegLog();
    const { input } = this.options;
    await assertLocalInput(input);
    const scheme = urlScheme(input);
    const fmt = new FormatContext();
    this.fmt = fmt;
    const dict = this.options.inputOptions ? Dictionary.fromObject(this.options.inputOptions) : null;
    const forced = this.options.inputFormat === undefined ? null : InputFormat.findInputFormat(this.options.inputFormat);
    if (this.options.inputFormat !== undefined && !forced)
      throw new FramewiseError('unsupported-format', `this FFmpeg build has no "${this.options.inputFormat}" demuxer`);
    const opened = await fmt.openInput(input, forced, dict);
    if (opened < 0) {
      throw new FramewiseError(
        'input-unreadable',
        `cannot open input "${input}": ${ffmpegReason(opened)}. Check that it is a video file or a reachable stream URL.`,
      );
    }
    check(await fmt.findStreamInfo(), 'input-unreadable', `cannot read stream info of "${input}"`, 'The file may be corrupt or truncated.');
    const index = fmt.findBestStream(AVMEDIA_TYPE_VIDEO);
    const stream = index >= 0 ? fmt.streams?.[index] : undefined;
    if (!stream) throw new FramewiseError('input-unreadable', `input "${input}" has no video stream (is it an audio or data file?)`);
    this.stream = stream;
    const par = stream.codecpar;
    const codec = Codec.findDecoder(par.codecId);
    if (!codec)
      throw new FramewiseError(
        'unsupported-format',
        `input "${input}" uses a codec this FFmpeg build cannot decode (codec id ${par.codecId}): transcode it to H.264, VP8/VP9 or AV1`,
      );
    const maxPixels = this.options.maxPixels ?? 8192 * 4320;
    if (par.width <= 0 || par.height <= 0) throw new FramewiseError('input-unreadable', `input "${input}" reports no picture size; it may be corrupt`);
    if (par.width * par.height > maxPixels) {
      throw new FramewiseError(
        'unsupported-format',
        `input "${input}" is ${par.width}x${par.height}, larger than the limit of ${maxPixels} pixels: downscale it first or raise maxPixels`,
      );
    }
    this.isNetwork = scheme !== null && LIVE_SCHEMES.has(scheme);
    this.paced = this.options.realtime === true || this.isNetwork;
    const decoder = new CodecContext();
    decoder.allocContext3(codec);
    check(
      decoder.parametersToContext(par),
      'unsupported-format',
      `cannot configure the ${codec.name ?? 'video'} decoder`,
      'The stream parameters are invalid.',
    );
    decoder.threadCount = this.options.decoderThreads ?? (this.paced ? 1 : 0);
    decoder.pktTimebase = stream.timeBase;
    // A still picture that is cut short must fail rather than decode into a grey half (FFmpeg conceals by default).
    const demuxer = fmt.iformat?.name ?? '';
    this.isPicture = demuxer === 'image2' || demuxer.endsWith('_pipe');
    check(
      await decoder.open2(codec, this.isPicture ? Dictionary.fromObject({ err_detect: 'explode' }) : null),
      'unsupported-format',
      `cannot open the ${codec.name ?? 'video'} decoder`,
      'The codec may be unsupported by this FFmpeg build.',
    );
    this.decoder = decoder;
    this.reader = new PacketReader(fmt);
    this.avFrame = new AvFrame();
    this.avFrame.alloc();
    const format = this.options.format ?? 'i420';
    // Exact size: an odd width or height stays as it is (i420 chroma rounds up), so coordinates match the original.
    const width = par.width;
    const height = par.height;
    this.pool = new FramePool({ width, height, format });
    const rate = stream.avgFrameRate.num > 0 ? stream.avgFrameRate : stream.rFrameRate;
    const fps = this.options.fps ?? (rate.num > 0 && rate.den > 0 ? rate.num / rate.den : 30);
    if (!(fps > 0 && fps <= 1000)) throw new FramewiseError('invalid-argument', `frame rate ${fps} is out of range (0, 1000]`);
    const frameCount = Number(stream.nbFrames);
    const durationS = fmt.duration > 0n ? Number(fmt.duration) / 1e6 : undefined;
    const startUs = stream.startTime !== AV_NOPTS_VALUE ? (Number(stream.startTime) * stream.timeBase.num * 1e6) / stream.timeBase.den : 0;
    this.info = {
      width,
      height,
      format,
      fps,
      paced: this.paced,
      ...(frameCount > 0 ? { frameCount } : durationS ? { frameCount: Math.round(durationS * fps) } : {}),
      ...(durationS ? { durationS } : {}),
      startUs,
      description: `${fmt.iformat?.name ?? 'input'} ${codec.name ?? ''} ${par.width}x${par.height} @ ${fps.toFixed(2)} fps`,
    };
    const fixedRate = this.options.fps !== undefined;
    this.packetTimeline = new MediaTimeline(stream.timeBase, fps, fixedRate);
    this.frameTimeline = new MediaTimeline(stream.timeBase, fps, fixedRate);
    this.startNs = nowNs();
    return this.info;
  }

  read(): Promise<Frame | null> {
    if (this.pending) return Promise.reject(new FramewiseError('invalid-state', 'MediaSource.read() called while a read is in progress'));
    const pending = this.readNext().finally(() => {
      this.pending = null;
    });
    this.pending = pending;
    return pending;
  }

  private async readNext(): Promise<Frame | null> {
    const { reader, decoder, avFrame, stream } = this;
    if (!reader || !decoder || !avFrame || !stream) throw new FramewiseError('invalid-state', 'MediaSource read before open()');
    const calledNs = nowNs();
    for (;;) {
      if (this.closed || this.ended) return null;
      // Receiving only dequeues a picture decoded during sendPacket: cheap, so it skips the thread-pool hop.
      const got = decoder.receiveFrameSync(avFrame);
      if (got >= 0) {
        this.framesDecoded++;
        return this.emit(avFrame, calledNs);
      }
      if (got === AVERROR_EOF) {
        if (this.options.loop && urlScheme(this.options.input) === null && this.seq > 0) {
          await this.rewind();
          continue;
        }
        this.assertComplete();
        return null;
      }
      if (got !== AVERROR_EAGAIN) {
        this.decodeFailed(got);
        continue;
      }
      if (this.flushed) return null;
      const { code: read, packet } = await reader.next();
      if (this.closed) return null;
      if (read === AVERROR_EOF) {
        await decoder.sendPacket(null);
        this.flushed = true;
        continue;
      }
      if (read < 0 && this.isNetwork && this.seq > 0) {
        // A live stream whose sender hung up or dropped: the stream is over, not broken.
        this.endReason = `stream ended: ${ffmpegReason(read)}`;
        return null;
      }
      if (read < 0) {
        throw new FramewiseError(
          'input-unreadable',
          `reading "${this.options.input}" failed after ${this.seq} frames: ${ffmpegReason(read)}. The file may be truncated or corrupt, or the stream dropped.`,
        );
      }
      if (packet.streamIndex === stream.index) {
        if (this.options.realtime) await this.pace(packet);
        const sent = await decoder.sendPacket(packet);
        if (sent < 0 && sent !== AVERROR_EAGAIN) this.decodeFailed(sent);
        else this.consecutiveErrors = 0;
      }
      packet.unref();
    }
  }

  /** The container's index (MP4/MOV) says how many frames there are: ending well short of that means a cut file. */
  private assertComplete(): void {
    if (this.framesDecoded === 0 && this.decodeErrors > 0) {
      throw new FramewiseError(
        'input-unreadable',
        `no picture could be decoded from "${this.options.input}" (${this.decodeErrors} corrupt packet(s)): it is truncated or corrupt`,
      );
    }
    const indexed = Number(this.stream?.nbFrames ?? 0n);
    if (indexed > 0 && !this.options.loop && this.options.durationS === undefined && this.framesDecoded < indexed * 0.98) {
      throw new FramewiseError(
        'input-unreadable',
        `"${this.options.input}" ended after ${this.framesDecoded} of the ${indexed} frames its index lists: the file is truncated or corrupt. Re-copy or re-export it.`,
      );
    }
  }

  private decodeFailed(code: number): void {
    this.decodeErrors++;
    this.consecutiveErrors++;
    if (this.consecutiveErrors >= MAX_CONSECUTIVE_DECODE_ERRORS) {
      throw new FramewiseError(
        'input-unreadable',
        `"${this.options.input}": ${this.consecutiveErrors} packets in a row failed to decode (${ffmpegReason(code)}). The input is corrupt or not the codec it claims.`,
      );
    }
  }

  /** Realtime mode: hold each packet until its due time, as a camera would deliver it, then decode it. */
  private async pace(packet: Packet): Promise<void> {
    const ts = packet.dts !== AV_NOPTS_VALUE ? packet.dts : packet.pts;
    const dueNs = this.startNs + (this.packetTimeline as MediaTimeline).toMediaUs(ts, this.packetIndex++) * 1e3;
    await sleepUntilNs(dueNs, this.stop.signal);
    this.arrivedNs = dueNs;
    if (packet.pts !== AV_NOPTS_VALUE) {
      this.arrivals.set(packet.pts, dueNs);
      if (this.arrivals.size > MAX_TRACKED_ARRIVALS) this.arrivals.delete(this.arrivals.keys().next().value as bigint);
    }
  }

  private arrivalOf(pts: bigint): number {
    const due = this.arrivals.get(pts);
    if (due === undefined) return this.arrivedNs;
    this.arrivals.delete(pts);
    return due;
  }

  private async rewind(): Promise<void> {
    const { fmt, decoder, stream } = this;
    if (!fmt || !decoder || !stream) return;
    this.packetTimeline?.loop();
    this.frameTimeline?.loop();
    this.arrivals.clear();
    await this.reader?.settle();
    check(await fmt.seekFrame(stream.index, 0n), 'input-unreadable', `cannot loop "${this.options.input}"`, 'Seeking is not supported by this input.');
    decoder.flushBuffers();
    this.flushed = false;
  }

  private emit(avFrame: AvFrame, calledNs: number): Frame | null {
    const pool = this.pool as FramePool;
    const raw = avFrame.bestEffortTimestamp !== AV_NOPTS_VALUE ? avFrame.bestEffortTimestamp : avFrame.pts;
    const ptsUs = (this.frameTimeline as MediaTimeline).toMediaUs(raw, this.seq);
    if (this.options.durationS !== undefined && ptsUs >= this.options.durationS * 1e6) {
      avFrame.unref();
      this.ended = true;
      return null;
    }
    // Latency counts from when the picture was due (realtime), arrived (network) or was asked for (as fast as possible).
    const captureNs = this.options.realtime ? this.arrivalOf(raw) : this.paced ? nowNs() : calledNs;
    const frame = pool.acquire();
    try {
      this.converter.toFrame(avFrame, frame);
    } catch (err) {
      frame.release();
      throw err;
    } finally {
      avFrame.unref();
    }
    frame.seq = this.seq++;
    frame.ptsUs = Math.round(ptsUs);
    frame.captureNs = captureNs;
    return frame;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    this.fmt?.interrupt();
    await this.pending?.catch(() => undefined);
    this.converter[Symbol.dispose]();
    this.decoder?.freeContext();
    this.decoder = null;
    await this.reader?.settle();
    this.reader?.free();
    this.reader = null;
    this.avFrame?.free();
    this.avFrame = null;
    if (this.fmt) await this.fmt.closeInput();
    this.fmt = null;
  }
}
