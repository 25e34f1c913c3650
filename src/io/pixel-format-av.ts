import { AV_PIX_FMT_NV12, AV_PIX_FMT_RGB24, AV_PIX_FMT_RGBA, AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P, type AVPixelFormat } from 'node-av/constants';
import type { PixelFormat } from '../core/pixel-format.ts';

/** FFmpeg's pixel format for each of ours. */
export function toAvPixelFormat(format: PixelFormat): AVPixelFormat {
  switch (format) {
    case 'rgba':
      return AV_PIX_FMT_RGBA;
    case 'rgb24':
      return AV_PIX_FMT_RGB24;
    case 'i420':
      return AV_PIX_FMT_YUV420P;
    case 'nv12':
      return AV_PIX_FMT_NV12;
  }
}

/** True when an FFmpeg frame of `avFormat` has exactly the byte layout of our i420 (full- or limited-range). */
export function isI420Layout(avFormat: number): boolean {
  return avFormat === AV_PIX_FMT_YUV420P || avFormat === AV_PIX_FMT_YUVJ420P;
}
