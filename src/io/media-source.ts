import { AV_NOPTS_VALUE, AVERROR_EAGAIN, AVSEEK_FLAG_BACKWARD, AVSEEK_FLAG_BYTE, AVERROR_EOF, AVMEDIA_TYPE_VIDEO, type AVSeekFlag } from 'node-av/constants';
import { Codec, CodecContext, Dictionary, FormatContext, Frame as AvFrame, InputFormat, Packet, type Stream } from 'node-av/lib';
import { nowNs, sleepUntilNs } from '../core/clock.ts';
import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { FramePool } from '../core/frame-pool.ts';
import { Histogram } from '../core/histogram.ts';
import { isPixelFormat, PIXEL_FORMATS, type PixelFormat } from '../core/pixel-format.ts';
import type { FrameSource, SourceInfo } from '../core/source.ts';
import { configureFfmpegLog } from './ffmpeg-log.ts';
import { check, ffmpegReason } from './av-error.ts';
import { AvFrameConverter } from './av-frame-converter.ts';
import { assertLocalInput, urlScheme } from './media-location.ts';
import { MediaTimeline } from './media-timeline.ts';
import { networkTimeoutOptions } from './network-timeouts.ts';
import { PacketReader } from './packet-reader.ts';
import { y4mDeclaredSize, y4mHeaderProblem } from './y4m.ts';
import { guardPictureSizes, PictureTooLargeError } from './picture-size-guard.ts';

/** Schemes whose frames arrive at their own pace (a camera or a broadcast on the other end). */
const LIVE_SCHEMES = new Set(['rtsp', 'rtsps', 'rtmp', 'rtmps', 'srt', 'udp', 'rtp', 'tcp']);
/** Corrupt packets in a row before the input is given up on. */
const MAX_CONSECUTIVE_DECODE_ERRORS = 50;
/** Packets whose arrival time is remembered; more than any decoder's reorder depth. */
const MAX_TRACKED_ARRIVALS = 64;

/** What emit() returns for a picture before the start time. */
const SKIPPED = Symbol('skipped');

/** Options of a MediaSource. */
export interface MediaSourceOptions {
  /** A file path or URL FFmpeg can open: rtsp://, rtmp://, srt://, http(s):// (HLS too), udp://. */
  input: string;
  /** Pixel format of the frames handed out (default i420, which needs no conversion for most video). */
  format?: PixelFormat;
  /** Pace a file at its frame rate, like a camera (default false). Network streams are paced by nature. */
  realtime?: boolean;
  /**
   * How a paced file is released (with `realtime`). `picture` (default): like a camera, each picture at its
   * presentation time, decoded ahead as the stream's B-frames need; latency counts the picture's own decode time.
   * `packet`: each packet at its decode time, as a network stream of this file would arrive, so a picture the
   * decoder holds back for reordering counts that wait (the decoder's delay shows in latency).
   */
  pacing?: 'picture' | 'packet';
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
  /**
   * How long a network input may take to open (a sender to appear, a listener to be pushed to) before the run ends
   * with an error; also bounds a read that gets no data. Default 8 s for network URLs; files have none.
   */
  openTimeoutMs?: number;
  /**
   * Files: start at this media time (µs from the stream's start): seek to the keyframe at or before it, decode from
   * there and hand out only the pictures whose time is at or after it (frame-exact, whatever the GOP). Media time keeps
   * counting from the stream's start, so a render that resumes mid-file gives its frames the same times as a whole run.
   */
  startAtUs?: number;
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
  /** Media time (µs, by its dts) of each packet by its pts, so a picture's own packet is known when it comes out. */
  private readonly packetUs = new Map<bigint, number>();
  /** Media time of the latest packet fed to the decoder. */
  private lastFedUs = 0;
  /** Picture pacing: the monotonic time of media time 0 (set when the first picture is ready). */
  private originNs: number | null = null;
  /** Decoding work (ns) since the last picture was handed out: what producing the next one cost. */
  private decodeNs = 0;
  /** How long each picture's packet waited in the decoder for later packets (B-frame reordering), µs. */
  readonly decoderReorder = new Histogram();
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

  open(): Promise<SourceInfo> {
    const opening = this.openInput();
    this.opening = opening;
    return opening;
  }

  /** The open in progress: close() waits for it, so no native call still holds the demuxer it frees. */
  private opening: Promise<SourceInfo> | null = null;

  private async openInput(): Promise<SourceInfo> {
    configureFfmpegLog();
    const { input } = this.options;
    await assertLocalInput(input);
    const scheme = urlScheme(input);
    const fmt = new FormatContext();
    this.fmt = fmt;
    const network = scheme !== null && scheme !== 'file';
    const timeoutMs = this.options.openTimeoutMs ?? 8000;
    const maxPixels = this.options.maxPixels ?? 8192 * 4320;
    const options = { ...(network ? networkTimeoutOptions(input, timeoutMs, this.options.inputOptions) : {}), ...this.options.inputOptions };
    const dict = Object.keys(options).length > 0 ? Dictionary.fromObject(options) : null;
    const startedMs = Date.now();
    const forced = this.options.inputFormat === undefined ? null : InputFormat.findInputFormat(this.options.inputFormat);
    if (this.options.inputFormat !== undefined && !forced)
      throw new FramewiseError('unsupported-format', `this FFmpeg build has no "${this.options.inputFormat}" demuxer`);
    const opened = await fmt.openInput(input, forced, dict);
    if (opened < 0) {
      if (network && Date.now() - startedMs >= timeoutMs - 500)
        throw new FramewiseError(
          'timeout',
          `"${input}" did not open within ${timeoutMs / 1000} s (${ffmpegReason(opened)}): check that a sender is running and reaching this address, or raise --open-timeout`,
        );
      const declared = scheme === null ? await y4mDeclaredSize(input) : null;
      if (declared && declared.width * declared.height > maxPixels) throw new PictureTooLargeError(input, declared, maxPixels);
      const header = scheme === null ? await y4mHeaderProblem(input) : null;
      throw new FramewiseError(
        'input-unreadable',
        header ?? `cannot open input "${input}": ${ffmpegReason(opened)}. Check that it is a video file or a reachable stream URL.`,
      );
    }
    // Probing decodes frames: a picture size is checked before it (see guardPictureSizes).
    await guardPictureSizes(fmt, input, this.options.inputOptions ?? {}, maxPixels, !network);
    const probed = await fmt.findStreamInfo();
    check(probed, 'input-unreadable', `cannot read stream info of "${input}"`, 'The file may be corrupt or truncated.');
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
    if (par.width <= 0 || par.height <= 0) throw new FramewiseError('input-unreadable', `input "${input}" reports no picture size; it may be corrupt`);
    if (par.width * par.height > maxPixels) throw new PictureTooLargeError(input, { width: par.width, height: par.height }, maxPixels);
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
      await decoder.open2(codec, Dictionary.fromObject({ max_pixels: String(maxPixels), ...(this.isPicture ? { err_detect: 'explode' } : {}) })),
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
    if (this.options.startAtUs !== undefined) await this.seekTo(this.options.startAtUs, startUs);
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
        const frame = await this.emit(avFrame, calledNs);
        if (frame !== SKIPPED) return frame;
        continue;
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
        if (this.options.realtime) await this.track(packet);
        const t0 = nowNs();
        const sent = await decoder.sendPacket(packet);
        this.decodeNs += nowNs() - t0;
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
    if (indexed > 0 && !this.options.loop && this.options.durationS === undefined && !this.options.startAtUs && this.framesDecoded < indexed * 0.98) {
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

  /**
   * Realtime mode: note each packet's media time; with packet pacing, also hold it until that time, as a network
   * stream of this file would deliver it.
   */
  private async track(packet: Packet): Promise<void> {
    const ts = packet.dts !== AV_NOPTS_VALUE ? packet.dts : packet.pts;
    const atUs = (this.packetTimeline as MediaTimeline).toMediaUs(ts, this.packetIndex++);
    if (this.pacing === 'packet') await sleepUntilNs(this.startNs + atUs * 1e3, this.stop.signal);
    this.lastFedUs = atUs;
    if (packet.pts !== AV_NOPTS_VALUE) {
      this.packetUs.set(packet.pts, atUs);
      if (this.packetUs.size > MAX_TRACKED_ARRIVALS) this.packetUs.delete(this.packetUs.keys().next().value as bigint);
    }
  }

  private get pacing(): 'picture' | 'packet' {
    return this.options.pacing ?? 'picture';
  }

  private async rewind(): Promise<void> {
    const { fmt, decoder, stream } = this;
    if (!fmt || !decoder || !stream) return;
    this.packetTimeline?.loop();
    this.frameTimeline?.loop();
    this.packetUs.clear();
    await this.reader?.settle();
    check(await fmt.seekFrame(stream.index, 0n), 'input-unreadable', `cannot loop "${this.options.input}"`, 'Seeking is not supported by this input.');
    decoder.flushBuffers();
    this.flushed = false;
  }

  /** Start reading at media time `atUs`: the timeline's origin is the stream's start, not the first picture read. */
  private async seekTo(atUs: number, originUs: number): Promise<void> {
    const { fmt, stream } = this;
    if (!fmt || !stream) return;
    if (this.isNetwork || this.options.fps !== undefined)
      throw new FramewiseError('invalid-argument', 'a start time needs a file (or a file over http/https) read at its own timestamps (no --fps)');
    if (!Number.isFinite(atUs) || atUs < 0) throw new FramewiseError('invalid-argument', `start time ${atUs} µs must be a number >= 0`);
    this.frameTimeline?.setOrigin(originUs);
    if (atUs === 0) return; // from the first picture, whatever its time (edit lists can make it negative)
    this.skipBeforeUs = atUs;
    const tb = stream.timeBase;
    const target = BigInt(Math.floor(((originUs + atUs) * tb.den) / (tb.num * 1e6)));
    await this.seekToKeyframe(target, BigInt(Math.floor((originUs * tb.den) / (tb.num * 1e6))));
    this.decoder?.flushBuffers();
  }

  /**
   * Leave the demuxer at a keyframe whose time is at or before `target` (stream time base), so decoding from there
   * gives every picture from `target` on. A container with an index (MP4, Matroska) lands there at once; one without
   * (MPEG-TS) can land after a later packet than asked, so the first keyframe found is checked and the seek moved
   * earlier (1, 2, 4... s) until it is at or before `target`, then repeated by its byte position.
   */
  private async seekToKeyframe(target: bigint, startTs: bigint): Promise<void> {
    const { fmt, stream } = this;
    if (!fmt || !stream) return;
    const seek = async (ts: bigint, flags: AVSeekFlag): Promise<void> => {
      check(
        await fmt.seekFrame(flags === AVSEEK_FLAG_BYTE ? -1 : stream.index, ts, flags),
        'input-unreadable',
        `cannot seek in "${this.options.input}"`,
        'The file may not be seekable (an http server must answer byte ranges): remux it (ffmpeg -i in -c copy out.mp4).',
      );
    };
    const second = BigInt(Math.max(1, Math.round(stream.timeBase.den / Math.max(1, stream.timeBase.num))));
    const packet = new Packet();
    packet.alloc();
    try {
      for (let step = 0n, attempt = 0; attempt < 12; attempt++, step = step === 0n ? second : step * 2n) {
        const at = target - step;
        if (this.closed) return;
        if (at <= startTs) break;
        await seek(at, AVSEEK_FLAG_BACKWARD);
        let key: { time: bigint; pos: bigint; first: boolean } | null = null;
        for (let n = 0, video = 0; n < 5000 && !key && !this.closed; n++) {
          if ((await fmt.readFrame(packet)) < 0) break;
          if (packet.streamIndex === stream.index) {
            const time = packet.pts !== AV_NOPTS_VALUE ? packet.pts : packet.dts;
            if (packet.isKeyframe && time !== AV_NOPTS_VALUE) key = { time, pos: packet.pos, first: video === 0 };
            video++;
          }
          packet.unref();
        }
        if (!key || key.time > target) continue;
        // Where it landed is right: go back there (the packets read to check it are read again).
        if (key.pos >= 0n && !key.first) await seek(key.pos, AVSEEK_FLAG_BYTE);
        else await seek(at, AVSEEK_FLAG_BACKWARD);
        return;
      }
      // No keyframe at or before the target was found by seeking: decode from the start.
      await seek(startTs, AVSEEK_FLAG_BACKWARD);
    } finally {
      packet.free();
    }
  }

  /** Pictures before this media time are decoded (they may be references) but not handed out. */
  private skipBeforeUs = Number.NEGATIVE_INFINITY;

  private async emit(avFrame: AvFrame, calledNs: number): Promise<Frame | null | typeof SKIPPED> {
    const pool = this.pool as FramePool;
    const raw = avFrame.bestEffortTimestamp !== AV_NOPTS_VALUE ? avFrame.bestEffortTimestamp : avFrame.pts;
    // Whole microseconds, so the start and end checks and the frame's own time agree on every boundary.
    const ptsUs = Math.round((this.frameTimeline as MediaTimeline).toMediaUs(raw, this.seq));
    if (ptsUs < this.skipBeforeUs) {
      avFrame.unref();
      return SKIPPED;
    }
    if (this.options.durationS !== undefined && ptsUs >= Math.round(this.options.durationS * 1e6)) {
      avFrame.unref();
      this.ended = true;
      return null;
    }
    const ownUs = this.packetUs.get(raw);
    if (ownUs !== undefined) {
      this.packetUs.delete(raw);
      this.decoderReorder.record(Math.max(0, this.lastFedUs - ownUs));
    }
    const frame = pool.acquire();
    const t0 = nowNs();
    try {
      this.converter.toFrame(avFrame, frame);
    } catch (err) {
      frame.release();
      throw err;
    } finally {
      avFrame.unref();
    }
    frame.seq = this.seq++;
    frame.ptsUs = ptsUs;
    // Latency counts from when the picture was due (realtime), arrived (network) or was asked for (as fast as possible).
    if (!this.options.realtime) frame.captureNs = this.paced ? nowNs() : calledNs;
    else if (this.pacing === 'packet') frame.captureNs = ownUs === undefined ? this.startNs + this.lastFedUs * 1e3 : this.startNs + ownUs * 1e3;
    else {
      // Like a camera: the picture is handed out at its presentation time, and counts from when its own decoding
      // (and conversion) would have started had it begun at that time.
      const costNs = this.decodeNs + (nowNs() - t0);
      this.decodeNs = 0;
      this.originNs ??= nowNs() - ptsUs * 1e3;
      const dueNs = this.originNs + ptsUs * 1e3;
      await sleepUntilNs(dueNs, this.stop.signal);
      frame.captureNs = dueNs - costNs;
    }
    return frame;
  }

  /** How long pictures waited in the decoder for later packets (B-frame reordering), in ms; null before any. */
  decoderReorderMs(): { p50: number; p95: number; max: number } | null {
    const h = this.decoderReorder;
    if (h.count === 0) return null;
    return { p50: h.percentile(50) / 1e3, p95: h.percentile(95) / 1e3, max: h.max / 1e3 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    this.fmt?.interrupt();
    await this.opening?.catch(() => undefined);
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
