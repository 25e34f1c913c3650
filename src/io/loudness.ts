import { FilterAPI } from 'node-av/api';
import { AV_NOPTS_VALUE, AVERROR_EOF, AVMEDIA_TYPE_AUDIO } from 'node-av/constants';
import { Codec, CodecContext, Dictionary, FormatContext, Frame as AvFrame, Packet } from 'node-av/lib';
import { FramewiseError } from '../core/errors.ts';
import { check, ffmpegReason } from './av-error.ts';
import { configureFfmpegLog } from './ffmpeg-log.ts';

/** EBU R128 momentary loudness of a file's audio, one value per 100 ms of media time. */
export interface LoudnessTrack {
  /** Spacing of the values, s (0.1: FFmpeg's ebur128 filter reports every 100 ms). */
  tickS: number;
  /** Momentary loudness (LUFS, 400 ms window ending at the tick) at media time `i * tickS`; silence is `floorLufs`. */
  lufs: Float32Array;
  /** The lowest value reported: digital silence and anything under it read as this (-70 LUFS, R128's absolute gate). */
  floorLufs: number;
}

/** Loudness reported for silence: R128's absolute gate. */
export const LOUDNESS_FLOOR_LUFS = -70;
const TICK_S = 0.1;

/**
 * Decode the best audio stream of `path` and measure its momentary loudness with FFmpeg's `ebur128` filter
 * (K-weighted, 400 ms window, per ITU-R BS.1770 / EBU R128). `originUs` is the input's clock at media time 0 (the
 * video's start, SourceInfo.startUs), so the values line up with the pictures. Resolves null when the file has no audio.
 * `onProgress` gets the media time reached, s.
 */
export async function readLoudness(
  path: string,
  options: { originUs?: number; inputOptions?: Record<string, string>; signal?: AbortSignal; onProgress?: (mediaS: number) => void } = {},
): Promise<LoudnessTrack | null> {
  configureFfmpegLog();
  const input = new FormatContext();
  const dict = options.inputOptions && Object.keys(options.inputOptions).length > 0 ? Dictionary.fromObject(options.inputOptions) : null;
  const opened = await input.openInput(path, null, dict);
  if (opened < 0) {
    await input.closeInput();
    throw new FramewiseError('input-unreadable', `cannot open "${path}" to measure its loudness: ${ffmpegReason(opened)}`);
  }
  const packet = new Packet();
  const decoded = new AvFrame();
  let decoder: CodecContext | null = null;
  let filter: FilterAPI | null = null;
  try {
    check(await input.findStreamInfo(), 'input-unreadable', `cannot read the stream info of "${path}"`, 'The file may be corrupt.');
    const index = input.findBestStream(AVMEDIA_TYPE_AUDIO);
    const stream = index >= 0 ? input.streams?.[index] : undefined;
    if (!stream) return null;
    const codec = Codec.findDecoder(stream.codecpar.codecId);
    if (!codec) throw new FramewiseError('unsupported-format', `the audio codec of "${path}" cannot be decoded by this FFmpeg build`);
    decoder = new CodecContext();
    decoder.allocContext3(codec);
    check(decoder.parametersToContext(stream.codecpar), 'unsupported-format', 'cannot configure the audio decoder', 'The audio stream may be corrupt.');
    decoder.pktTimebase = stream.timeBase;
    check(await decoder.open2(codec, null), 'unsupported-format', 'cannot open the audio decoder', 'The audio stream may be corrupt.');
    filter = FilterAPI.create('ebur128=metadata=1');
    packet.alloc();
    decoded.alloc();
    const values: number[] = [];
    const originUs = options.originUs ?? 0;
    const tb = stream.timeBase;
    const take = (frames: AvFrame[]): void => {
      for (const f of frames) {
        const m = Number(f.getMetadata().get('lavfi.r128.M'));
        if (f.pts !== AV_NOPTS_VALUE) {
          // The value describes the 400 ms that end with this 100 ms block: placed at the block's start.
          const tick = Math.round(((Number(f.pts) * f.timeBase.num * 1e6) / f.timeBase.den - originUs) / (TICK_S * 1e6));
          if (tick >= 0 && tick < 10_000_000) {
            while (values.length <= tick) values.push(LOUDNESS_FLOOR_LUFS);
            values[tick] = Number.isFinite(m) ? Math.max(LOUDNESS_FLOOR_LUFS, m) : LOUDNESS_FLOOR_LUFS;
          }
        }
        f.free();
      }
    };
    let lastReportS = -1;
    for (;;) {
      if (options.signal?.aborted) throw new FramewiseError('invalid-state', 'cancelled');
      const read = await input.readFrame(packet);
      if (read === AVERROR_EOF || read < 0) break;
      if (packet.streamIndex !== stream.index) {
        packet.unref();
        continue;
      }
      const sent = await decoder.sendPacket(packet);
      packet.unref();
      if (sent < 0) continue; // a corrupt audio packet: skipped
      for (;;) {
        if ((await decoder.receiveFrame(decoded)) < 0) break;
        const ts = decoded.bestEffortTimestamp !== AV_NOPTS_VALUE ? decoded.bestEffortTimestamp : decoded.pts;
        decoded.pts = ts;
        decoded.timeBase = tb;
        take(await filter.processAll(decoded));
        decoded.unref();
        const atS = ts === AV_NOPTS_VALUE ? 0 : (Number(ts) * tb.num) / tb.den;
        if (options.onProgress && atS - lastReportS >= 1) {
          lastReportS = atS;
          options.onProgress(atS);
        }
      }
    }
    await decoder.sendPacket(null);
    for (;;) {
      if ((await decoder.receiveFrame(decoded)) < 0) break;
      decoded.timeBase = tb;
      take(await filter.processAll(decoded));
      decoded.unref();
    }
    for await (const f of filter.flushFrames()) take([f]);
    return { tickS: TICK_S, lufs: Float32Array.from(values), floorLufs: LOUDNESS_FLOOR_LUFS };
  } finally {
    filter?.close();
    decoder?.freeContext();
    packet.free();
    decoded.free();
    await input.closeInput();
  }
}
