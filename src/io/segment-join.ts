import { AV_NOPTS_VALUE, AVERROR_EOF, AVFMT_NOFILE, AVIO_FLAG_WRITE, AVMEDIA_TYPE_VIDEO } from 'node-av/constants';
import { FormatContext, IOContext, Packet, type Stream } from 'node-av/lib';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FramewiseError } from '../core/errors.ts';
import { check, ffmpegReason } from './av-error.ts';
import { AudioTrack, containerTakesAudio } from './audio-track.ts';
import { configureFfmpegLog } from './ffmpeg-log.ts';
import { resolveOutput } from './output-format.ts';

/** How segments are joined. */
export interface JoinOptions {
  /** Copy (or re-encode) the audio of this file beside the joined video, in sync with its media time. */
  audioFrom?: string;
  /** The audio file's clock (µs) at media time 0 (SourceInfo.startUs of the render). */
  audioOriginUs?: number;
  /** FFmpeg options for opening the audio's file (the same whitelists as the render's input). */
  audioInputOptions?: Record<string, string>;
}

/** What a join wrote. */
export interface JoinResult {
  videoPackets: number;
  audioPackets: number;
  /** Media time after the last picture, µs. */
  endUs: number;
}

/**
 * Join video segments encoded alike (same codec, size and settings, timestamps in one media clock, no B-frames
 * across a boundary) into one file without re-encoding, adding the source's audio. Written under a temporary name
 * and renamed at the end, so the output is either whole or absent.
 */
export async function joinSegments(segments: readonly string[], output: string, options: JoinOptions = {}): Promise<JoinResult> {
  if (segments.length === 0) throw new FramewiseError('invalid-argument', 'there are no segments to join');
  configureFfmpegLog();
  const { container } = resolveOutput(output);
  const partial = join(dirname(output), `.${basename(output)}.partial`);
  const out = new FormatContext();
  let io: IOContext | null = null;
  let audio: AudioTrack | null = null;
  const packet = new Packet();
  packet.alloc();
  let complete = false;
  try {
    check(out.allocOutputContext2(null, container, partial), 'output-failed', `cannot create a ${container} output for "${output}"`, 'Check the output name.');
    const first = await openSegment(segments[0] as string);
    const target = out.newStream(null);
    check(first.stream.codecpar.copy(target.codecpar), 'output-failed', 'cannot copy the video parameters', 'This is a bug: please report it.');
    target.codecpar.codecTag = 0;
    target.timeBase = first.stream.timeBase;
    target.avgFrameRate = first.stream.avgFrameRate;
    await first.input.closeInput();
    if (options.audioFrom !== undefined && containerTakesAudio(container))
      audio = await AudioTrack.open(options.audioFrom, out, container, options.audioOriginUs ?? 0, Number.POSITIVE_INFINITY, options.audioInputOptions);
    if (!out.oformat?.hasFlags(AVFMT_NOFILE)) {
      io = new IOContext();
      check(await io.open2(partial, AVIO_FLAG_WRITE), 'output-failed', `cannot open "${output}" for writing`, 'Check that its folder exists and is writable.');
      out.pb = io;
    }
    check(await out.writeHeader(null), 'output-failed', `cannot start writing "${output}"`, 'Check the output name and format.');
    let videoPackets = 0;
    let endUs = 0;
    let lastDts = Number.NEGATIVE_INFINITY;
    for (const path of segments) {
      const seg = await openSegment(path);
      try {
        const tb = seg.stream.timeBase;
        for (;;) {
          const read = await seg.input.readFrame(packet);
          if (read === AVERROR_EOF) break;
          check(read, 'input-unreadable', `reading segment "${path}" failed`, 'The segment is corrupt: render it again.');
          if (packet.streamIndex !== seg.stream.index) {
            packet.unref();
            continue;
          }
          const ts = packet.pts !== AV_NOPTS_VALUE ? packet.pts : packet.dts;
          const atUs = (Number(ts) * tb.num * 1e6) / tb.den;
          const durUs = (Number(packet.duration) * tb.num * 1e6) / tb.den;
          endUs = Math.max(endUs, atUs + durUs);
          const dts = packet.dts !== AV_NOPTS_VALUE ? (Number(packet.dts) * tb.num * 1e6) / tb.den : atUs;
          if (dts <= lastDts)
            throw new FramewiseError('output-failed', `segment "${basename(path)}" overlaps the one before it (decode time ${dts} µs after ${lastDts} µs)`);
          lastDts = dts;
          await audio?.writeUntil(atUs);
          packet.rescaleTs(tb, target.timeBase);
          packet.streamIndex = target.index;
          packet.pos = -1n;
          const wrote = await out.interleavedWriteFrame(packet);
          packet.unref();
          check(wrote, 'output-failed', `writing "${output}" failed`, 'The disk may be full.');
          videoPackets++;
        }
      } finally {
        await seg.input.closeInput();
      }
    }
    await audio?.finish(endUs);
    check(await out.writeTrailer(), 'output-failed', `finishing "${output}" failed`, 'The output may be incomplete.');
    complete = videoPackets > 0;
    return { videoPackets, audioPackets: audio?.packetsWritten ?? 0, endUs };
  } finally {
    await audio?.close();
    packet.free();
    if (io) out.pb = null;
    await io?.closep();
    out.freeContext();
    if (complete) await rename(partial, output);
    else await rm(partial, { force: true });
  }
}

async function openSegment(path: string): Promise<{ input: FormatContext; stream: Stream }> {
  const input = new FormatContext();
  const opened = await input.openInput(path, null, null);
  if (opened < 0) throw new FramewiseError('input-unreadable', `cannot open segment "${path}": ${ffmpegReason(opened)}`);
  try {
    check(await input.findStreamInfo(), 'input-unreadable', `cannot read segment "${path}"`, 'The segment is corrupt: render it again.');
    const index = input.findBestStream(AVMEDIA_TYPE_VIDEO);
    const stream = index >= 0 ? input.streams?.[index] : undefined;
    if (!stream) throw new FramewiseError('input-unreadable', `segment "${path}" has no video`);
    return { input, stream };
  } catch (err) {
    await input.closeInput();
    throw err;
  }
}
