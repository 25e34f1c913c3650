import { AVERROR_EOF, AVMEDIA_TYPE_VIDEO } from 'node-av/constants';
import { Dictionary, FormatContext, Packet } from 'node-av/lib';
import { FramewiseError } from '../core/errors.ts';
import { ffmpegReason } from './av-error.ts';
import { configureFfmpegLog } from './ffmpeg-log.ts';

/** What reading every packet of a file found. */
export interface PacketScan {
  videoPackets: number;
  /** Frames the container's index lists (MP4/MOV), or 0 when it has none. */
  indexedFrames: number;
}

/**
 * Read every packet of a local file without decoding (disk speed), so a file cut short or corrupt in its container
 * is refused before any work is queued for it. Throws FramewiseError('input-unreadable') saying what is wrong.
 */
export async function scanPackets(path: string, inputOptions: Record<string, string> = {}): Promise<PacketScan> {
  configureFfmpegLog();
  const fmt = new FormatContext();
  const packet = new Packet();
  packet.alloc();
  try {
    const opened = await fmt.openInput(path, null, Object.keys(inputOptions).length > 0 ? Dictionary.fromObject(inputOptions) : null);
    if (opened < 0) throw new FramewiseError('input-unreadable', `not a video FFmpeg can read: ${ffmpegReason(opened)}`);
    const index = fmt.findBestStream(AVMEDIA_TYPE_VIDEO);
    const stream = index >= 0 ? fmt.streams?.[index] : undefined;
    if (!stream) throw new FramewiseError('input-unreadable', 'the file has no video stream');
    let videoPackets = 0;
    for (;;) {
      const read = await fmt.readFrame(packet);
      if (read === AVERROR_EOF) break;
      if (read < 0) throw new FramewiseError('input-unreadable', `the file is corrupt after ${videoPackets} video packets: ${ffmpegReason(read)}`);
      if (packet.streamIndex === stream.index) videoPackets++;
      packet.unref();
    }
    const indexedFrames = Number(stream.nbFrames);
    if (indexedFrames > 0 && videoPackets < indexedFrames * 0.98)
      throw new FramewiseError('input-unreadable', `the file is truncated: ${videoPackets} of the ${indexedFrames} frames its index lists are in it`);
    if (videoPackets === 0) throw new FramewiseError('input-unreadable', 'the file has no video packets');
    return { videoPackets, indexedFrames: Math.max(0, indexedFrames) };
  } finally {
    packet.free();
    await fmt.closeInput();
  }
}
