import { extname } from 'node:path';
import { FramewiseError } from '../core/errors.ts';
import { urlScheme } from './media-location.ts';

/** Video codecs a MediaSink can write. */
export type VideoCodec = 'h264' | 'hevc' | 'vp8' | 'vp9' | 'av1';

/** FFmpeg encoder behind each codec (all present in node-av's FFmpeg build). */
export const ENCODERS: Record<VideoCodec, string> = {
  h264: 'libx264',
  hevc: 'libx265',
  vp8: 'libvpx',
  vp9: 'libvpx-vp9',
  av1: 'libsvtav1',
};

const BY_EXTENSION: Record<string, { container: string; codec: VideoCodec }> = {
  '.mp4': { container: 'mp4', codec: 'h264' },
  '.m4v': { container: 'mp4', codec: 'h264' },
  '.mov': { container: 'mov', codec: 'h264' },
  '.mkv': { container: 'matroska', codec: 'h264' },
  '.webm': { container: 'webm', codec: 'vp8' },
  '.ts': { container: 'mpegts', codec: 'h264' },
  '.flv': { container: 'flv', codec: 'h264' },
  '.m3u8': { container: 'hls', codec: 'h264' },
};

const BY_SCHEME: Record<string, { container: string; codec: VideoCodec }> = {
  rtmp: { container: 'flv', codec: 'h264' },
  rtmps: { container: 'flv', codec: 'h264' },
  srt: { container: 'mpegts', codec: 'h264' },
  udp: { container: 'mpegts', codec: 'h264' },
  tcp: { container: 'mpegts', codec: 'h264' },
  rtsp: { container: 'rtsp', codec: 'h264' },
};

const CONTAINER_CODECS: Record<string, readonly VideoCodec[]> = {
  webm: ['vp8', 'vp9', 'av1'],
  flv: ['h264'],
};

/** The container and codec for `output`, from its extension or URL scheme; a clear error when neither is known. */
export function resolveOutput(output: string, codec?: VideoCodec, container?: string): { container: string; codec: VideoCodec } {
  const scheme = urlScheme(output);
  const guess = container
    ? { container, codec: container === 'webm' ? ('vp8' as const) : ('h264' as const) }
    : scheme && scheme !== 'file'
      ? BY_SCHEME[scheme]
      : BY_EXTENSION[extname(output).toLowerCase()];
  if (!guess) {
    const known = [...Object.keys(BY_EXTENSION), ...Object.keys(BY_SCHEME).map((s) => `${s}://`)].join(', ');
    throw new FramewiseError('invalid-argument', `cannot tell the output format of "${output}": use one of ${known}`);
  }
  const chosen = codec ?? guess.codec;
  const allowed = CONTAINER_CODECS[guess.container];
  if (allowed && !allowed.includes(chosen)) {
    throw new FramewiseError('invalid-argument', `${guess.container} cannot carry ${chosen}: use ${allowed.join(', ')}`);
  }
  return { container: guess.container, codec: chosen };
}
