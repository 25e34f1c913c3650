import {
  AV_CHANNEL_LAYOUT_MONO,
  AV_CHANNEL_LAYOUT_STEREO,
  AV_NOPTS_VALUE,
  AV_SAMPLE_FMT_FLT,
  AV_SAMPLE_FMT_FLTP,
  AVERROR_EAGAIN,
  AVERROR_EOF,
  AVMEDIA_TYPE_AUDIO,
  type FFEncoderCodec,
} from 'node-av/constants';
import { FilterAPI } from 'node-av/api';
import { Codec, CodecContext, Dictionary, FormatContext, Frame as AvFrame, Packet, Rational, type Stream } from 'node-av/lib';
import { FramewiseError } from '../core/errors.ts';
import { check, ffmpegReason } from './av-error.ts';
import { audioCutsFilter, type MediaCut, outputTimeUs } from './media-cuts.ts';

/** Audio codecs each container can carry as they are (copied); anything else is re-encoded. */
const COPYABLE: Record<string, ReadonlySet<string> | 'any'> = {
  mp4: new Set(['aac', 'mp3', 'alac', 'opus', 'flac', 'ac3', 'eac3']),
  mov: new Set(['aac', 'mp3', 'alac', 'opus', 'flac', 'ac3', 'eac3', 'pcm_s16le']),
  matroska: 'any',
  webm: new Set(['opus', 'vorbis']),
  mpegts: new Set(['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'opus']),
  flv: new Set(['aac', 'mp3']),
};

/** What a container gets when its audio must be re-encoded. */
const REENCODE: Record<string, { encoder: string; sampleFormat: number; rate?: number; frameSize: number }> = {
  webm: { encoder: 'libopus', sampleFormat: AV_SAMPLE_FMT_FLT, rate: 48_000, frameSize: 960 },
  default: { encoder: 'aac', sampleFormat: AV_SAMPLE_FMT_FLTP, frameSize: 1024 },
};

/** Containers that take audio at all (pictures and these network muxers do not here). */
export function containerTakesAudio(container: string): boolean {
  return container in COPYABLE;
}

/** How an AudioTrack carries the input's audio. */
export type AudioMode = 'copy' | 'reencode';

/**
 * The audio of an input file, written beside the video a MediaSink encodes: read with its own demuxer, copied when
 * the output container can carry the codec, else decoded and re-encoded (AAC; Opus for WebM). Timestamps keep the
 * input's clock shifted by the same origin as the video's media time, so the two stay in sync.
 */
export class AudioTrack {
  private readonly packet = new Packet();
  private decoder: CodecContext | null = null;
  private encoder: CodecContext | null = null;
  private filter: FilterAPI | null = null;
  private readonly decoded = new AvFrame();
  private done = false;
  /** Packets (copy) or encoded packets (re-encode) written. */
  packetsWritten = 0;

  private constructor(
    private readonly input: FormatContext,
    private readonly source: Stream,
    private readonly out: FormatContext,
    private readonly target: Stream,
    readonly mode: AudioMode,
    /** Input time (µs) that is media time 0. */
    private readonly originUs: number,
    /** Media time (µs) after which no audio is written (the video's end), or Infinity. */
    private endUs: number,
    /** Play only these pieces of the input, back to back (media time of the input), or all of it. */
    private readonly cuts: readonly MediaCut[] | null,
  ) {
    this.packet.alloc();
    this.decoded.alloc();
  }

  /**
   * Open `path`'s best audio stream and add an output stream for it to `out` (before its header is written).
   * With `cuts`, only those pieces of the input are written, back to back and sample-exact (always re-encoded), so
   * they line up with pictures cut at the same times; `endUs` and the times given to writeUntil are then output
   * media time. Resolves null when the input has no audio.
   */
  static async open(
    path: string,
    out: FormatContext,
    container: string,
    originUs: number,
    endUs = Number.POSITIVE_INFINITY,
    inputOptions: Record<string, string> = {},
    cuts: readonly MediaCut[] | null = null,
  ): Promise<AudioTrack | null> {
    const input = new FormatContext();
    const opened = await input.openInput(path, null, Object.keys(inputOptions).length > 0 ? Dictionary.fromObject(inputOptions) : null);
    if (opened < 0) {
      await input.closeInput();
      throw new FramewiseError('input-unreadable', `cannot open "${path}" again to copy its audio: ${ffmpegReason(opened)}`);
    }
    try {
      check(await input.findStreamInfo(), 'input-unreadable', `cannot read the stream info of "${path}"`, 'The file may be corrupt.');
      const index = input.findBestStream(AVMEDIA_TYPE_AUDIO);
      const source = index >= 0 ? input.streams?.[index] : undefined;
      if (!source) {
        await input.closeInput();
        return null;
      }
      const codecName = Codec.findDecoder(source.codecpar.codecId)?.name ?? '';
      const copyable = COPYABLE[container];
      const copy = cuts === null && (copyable === 'any' || (copyable?.has(codecName) ?? false));
      const target = out.newStream(null);
      const track = new AudioTrack(input, source, out, target, copy ? 'copy' : 'reencode', originUs, endUs, cuts);
      if (copy) {
        check(source.codecpar.copy(target.codecpar), 'output-failed', 'cannot copy the audio parameters', 'This is a bug: please report it.');
        target.codecpar.codecTag = 0;
        target.timeBase = source.timeBase;
      } else {
        await track.openReencode(REENCODE[container] ?? (REENCODE.default as (typeof REENCODE)[string]), codecName);
      }
      return track;
    } catch (err) {
      await input.closeInput();
      throw err;
    }
  }

  private async openReencode(plan: (typeof REENCODE)[string], from: string): Promise<void> {
    const par = this.source.codecpar;
    const decoderCodec = Codec.findDecoder(par.codecId);
    if (!decoderCodec) throw new FramewiseError('unsupported-format', `the input's audio codec ${from || par.codecId} cannot be decoded by this FFmpeg build`);
    const decoder = new CodecContext();
    decoder.allocContext3(decoderCodec);
    check(decoder.parametersToContext(par), 'unsupported-format', `cannot configure the ${from} audio decoder`, 'The audio stream may be corrupt.');
    decoder.pktTimebase = this.source.timeBase;
    check(await decoder.open2(decoderCodec, null), 'unsupported-format', `cannot open the ${from} audio decoder`, 'The audio stream may be corrupt.');
    this.decoder = decoder;
    const encoderCodec = Codec.findEncoderByName(plan.encoder as FFEncoderCodec);
    if (!encoderCodec) throw new FramewiseError('unsupported-format', `audio encoder ${plan.encoder} is not in this FFmpeg build`);
    const rate = plan.rate ?? (par.sampleRate > 0 ? par.sampleRate : 48_000);
    const channels = Math.min(2, Math.max(1, par.channelLayout.nbChannels));
    const layout = channels === 1 ? 'mono' : 'stereo';
    const encoder = new CodecContext();
    encoder.allocContext3(encoderCodec);
    encoder.sampleRate = rate;
    encoder.sampleFormat = plan.sampleFormat as never;
    encoder.channelLayout = channels === 1 ? AV_CHANNEL_LAYOUT_MONO : AV_CHANNEL_LAYOUT_STEREO;
    encoder.timeBase = new Rational(1, rate);
    encoder.bitRate = BigInt(channels * 64_000);
    check(await encoder.open2(encoderCodec, null), 'output-failed', `cannot open the ${plan.encoder} audio encoder`, 'Try another output container.');
    this.encoder = encoder;
    check(this.target.codecpar.fromContext(encoder), 'output-failed', 'cannot copy the audio encoder parameters', 'This is a bug: please report it.');
    this.target.timeBase = encoder.timeBase;
    const frameSize = encoder.frameSize > 0 ? encoder.frameSize : plan.frameSize;
    const format = plan.sampleFormat === AV_SAMPLE_FMT_FLTP ? 'fltp' : 'flt';
    const shape = `aresample=${rate},aformat=sample_fmts=${format}:channel_layouts=${layout},asetnsamples=n=${frameSize}:p=0`;
    this.filter = FilterAPI.create(this.cuts ? `${audioCutsFilter(this.cuts)},${shape}` : shape);
  }

  /** Write the audio up to media time `untilUs` (call before each video frame of that time, and at the end). */
  async writeUntil(untilUs: number): Promise<void> {
    const limitUs = Math.min(untilUs, this.endUs);
    while (!this.done) {
      const peeked = this.pendingUs;
      if (peeked !== null && this.outputUs(peeked) > limitUs) return;
      if (peeked !== null) {
        await this.writePending();
        continue;
      }
      const read = await this.input.readFrame(this.packet);
      if (read === AVERROR_EOF || read < 0) {
        await this.finishStream();
        return;
      }
      if (this.packet.streamIndex !== this.source.index) {
        this.packet.unref();
        continue;
      }
      const ts = this.packet.pts !== AV_NOPTS_VALUE ? this.packet.pts : this.packet.dts;
      const atUs = ts === AV_NOPTS_VALUE ? 0 : this.mediaUs(ts);
      // Audio well before the first picture belongs to nothing that is written; a little (codec priming) is kept.
      if (atUs < -500_000 || !this.nearCut(atUs)) this.packet.unref();
      else this.pendingUs = atUs;
    }
  }

  /** Media time of the packet read but not written yet, or null. */
  private pendingUs: number | null = null;

  /** Output media time of input media time `us` (the same without cuts). */
  private outputUs(us: number): number {
    return this.cuts ? outputTimeUs(this.cuts, us) : us;
  }

  /** With cuts: true when a packet at input time `atUs` is in a cut or just before one (decoder warm-up). */
  private nearCut(atUs: number): boolean {
    return !this.cuts || this.cuts.some((c) => atUs >= c.fromUs - 500_000 && atUs < c.toUs + 100_000);
  }

  /** True when audio starting at input media time `startUs` may still be written. */
  private wanted(startUs: number): boolean {
    if (!this.cuts) return startUs >= 0 && startUs < this.endUs;
    // The cut graph ends after the last cut: nothing may be fed past it.
    const last = this.cuts[this.cuts.length - 1] as MediaCut;
    return startUs < last.toUs && this.outputUs(startUs) < this.endUs;
  }

  private mediaUs(ts: bigint): number {
    const tb = this.source.timeBase;
    return (Number(ts) * tb.num * 1e6) / tb.den - this.originUs;
  }

  private async writePending(): Promise<void> {
    this.pendingUs = null;
    if (this.mode === 'copy') {
      const originTs = BigInt(Math.round((this.originUs * this.source.timeBase.den) / (this.source.timeBase.num * 1e6)));
      if (this.packet.pts !== AV_NOPTS_VALUE) this.packet.pts -= originTs;
      if (this.packet.dts !== AV_NOPTS_VALUE) this.packet.dts -= originTs;
      this.packet.rescaleTs(this.source.timeBase, this.target.timeBase);
      this.packet.streamIndex = this.target.index;
      this.packet.pos = -1n;
      const wrote = await this.out.interleavedWriteFrame(this.packet);
      this.packet.unref();
      check(wrote, 'output-failed', 'writing the audio failed', 'The disk may be full.');
      this.packetsWritten++;
      return;
    }
    const decoder = this.decoder as CodecContext;
    const sent = await decoder.sendPacket(this.packet);
    this.packet.unref();
    if (sent < 0 && sent !== AVERROR_EAGAIN) return; // a corrupt audio packet: skipped, the video goes on
    await this.drainDecoder();
  }

  private async drainDecoder(): Promise<void> {
    const decoder = this.decoder as CodecContext;
    for (;;) {
      const got = await decoder.receiveFrame(this.decoded);
      if (got < 0) return;
      const ts = this.decoded.bestEffortTimestamp !== AV_NOPTS_VALUE ? this.decoded.bestEffortTimestamp : this.decoded.pts;
      const startUs = ts === AV_NOPTS_VALUE ? 0 : this.mediaUs(ts);
      this.decoded.pts = BigInt(Math.round((startUs * this.decoded.sampleRate) / 1e6));
      this.decoded.timeBase = new Rational(1, this.decoded.sampleRate);
      if (this.wanted(startUs)) await this.encodeFiltered(await (this.filter as FilterAPI).processAll(this.decoded));
      this.decoded.unref();
    }
  }

  private async encodeFiltered(frames: AvFrame[]): Promise<void> {
    const encoder = this.encoder as CodecContext;
    for (const frame of frames) {
      await encoder.sendFrame(frame);
      frame.free();
      await this.drainEncoder();
    }
  }

  private async drainEncoder(): Promise<void> {
    const encoder = this.encoder as CodecContext;
    for (;;) {
      const got = await encoder.receivePacket(this.packet);
      if (got === AVERROR_EAGAIN || got === AVERROR_EOF || got < 0) return;
      this.packet.rescaleTs(encoder.timeBase, this.target.timeBase);
      this.packet.streamIndex = this.target.index;
      const wrote = await this.out.interleavedWriteFrame(this.packet);
      this.packet.unref();
      check(wrote, 'output-failed', 'writing the audio failed', 'The disk may be full.');
      this.packetsWritten++;
    }
  }

  /** The input's audio is over (or the video ended): flush what the codecs still hold. */
  private async finishStream(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.mode === 'reencode' && this.decoder && this.encoder && this.filter) {
      await this.decoder.sendPacket(null);
      await this.drainDecoder();
      const rest: AvFrame[] = [];
      for await (const frame of this.filter.flushFrames()) rest.push(frame);
      await this.encodeFiltered(rest);
      await this.encoder.sendFrame(null);
      await this.drainEncoder();
    }
  }

  /** Write what is left up to `endUs` (the video's end) and flush. */
  async finish(endUs: number): Promise<void> {
    this.endUs = Math.min(this.endUs, endUs);
    await this.writeUntil(this.endUs);
    if (this.pendingUs !== null) {
      this.pendingUs = null;
      this.packet.unref();
    }
    await this.finishStream();
  }

  async close(): Promise<void> {
    this.filter?.close();
    this.filter = null;
    this.decoder?.freeContext();
    this.decoder = null;
    this.encoder?.freeContext();
    this.encoder = null;
    this.packet.free();
    this.decoded.free();
    await this.input.closeInput();
  }
}
