import { extname } from 'node:path';
import { FramewiseError } from '../core/errors.ts';
import { urlScheme } from './media-location.ts';

/** Video and picture codecs a MediaSink can write. */
export type VideoCodec = 'h264' | 'hevc' | 'vp8' | 'vp9' | 'av1' | 'png' | 'jpeg' | 'webp';

/** Codecs that make still pictures (one file per frame, or the last frame), not a video. */
export const PICTURE_CODECS: ReadonlySet<VideoCodec> = new Set(['png', 'jpeg', 'webp']);

/** FFmpeg encoder behind each codec (all present in node-av's FFmpeg build). */
export const ENCODERS: Record<VideoCodec, string> = {
  h264: 'libx264',
  hevc: 'libx265',
  vp8: 'libvpx',
  vp9: 'libvpx-vp9',
  av1: 'libsvtav1',
  png: 'png',
  jpeg: 'mjpeg',
  webp: 'libwebp',
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
  '.png': { container: 'image2', codec: 'png' },
  '.jpg': { container: 'image2', codec: 'jpeg' },
  '.jpeg': { container: 'image2', codec: 'jpeg' },
  '.webp': { container: 'image2', codec: 'webp' },
};

/** Picture inputs (a single still, or an animation for GIF): read in render mode by default. */
export const PICTURE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff']);

/** True when `path` names a picture file by its extension. */
export function isPicturePath(path: string): boolean {
  return PICTURE_EXTENSIONS.has(extname(path).toLowerCase());
}

const BY_SCHEME: Record<string, { container: string; codec: VideoCodec }> = {
  rtmp: { container: 'flv', codec: 'h264' },
  rtmps: { container: 'flv', codec: 'h264' },
  srt: { container: 'mpegts', codec: 'h264' },
  udp: { container: 'mpegts', codec: 'h264' },
  tcp: { container: 'mpegts', codec: 'h264' },
  rtsp: { container: 'rtsp', codec: 'h264' },
};

const VIDEO_CODECS: readonly VideoCodec[] = ['h264', 'hevc', 'vp8', 'vp9', 'av1'];
const CONTAINER_CODECS: Record<string, readonly VideoCodec[]> = {
  webm: ['vp8', 'vp9', 'av1'],
  flv: ['h264'],
  image2: ['png', 'jpeg', 'webp'],
  mp4: VIDEO_CODECS,
  mov: VIDEO_CODECS,
  matroska: VIDEO_CODECS,
  mpegts: VIDEO_CODECS,
  hls: ['h264', 'hevc'],
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
