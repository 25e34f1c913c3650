import type { Frame } from '../core/frame.ts';

/** Adds `weight` x the RGB (0-255) of pixel (x, y) to `rgb`. */
export type PixelReader = (x: number, y: number, rgb: number[], weight: number) => void;

/** A reader of any frame format's pixels as RGB (BT.601 limited range for YUV). */
export function pixelReader(frame: Frame): PixelReader {
  const [p0, p1, p2] = frame.planes as [Uint8Array, Uint8Array?, Uint8Array?];
  const [s0, s1] = frame.strides as [number, number?];
  switch (frame.format) {
    case 'rgba':
    case 'rgb24': {
      const bpp = frame.format === 'rgba' ? 4 : 3;
      return (x, y, rgb, w) => {
        const i = y * s0 + x * bpp;
        rgb[0] = (rgb[0] as number) + (p0[i] as number) * w;
        rgb[1] = (rgb[1] as number) + (p0[i + 1] as number) * w;
        rgb[2] = (rgb[2] as number) + (p0[i + 2] as number) * w;
      };
    }
    case 'i420':
    case 'nv12': {
      const cs = s1 ?? 0;
      return (x, y, rgb, w) => {
        const luma = 1.164 * ((p0[y * s0 + x] as number) - 16);
        const ci = (y >> 1) * cs + (frame.format === 'i420' ? x >> 1 : (x >> 1) * 2);
        const u = (p1?.[ci] ?? 128) - 128;
        const v = (frame.format === 'i420' ? (p2?.[ci] ?? 128) : (p1?.[ci + 1] ?? 128)) - 128;
        rgb[0] = (rgb[0] as number) + clamp(luma + 1.596 * v) * w;
        rgb[1] = (rgb[1] as number) + clamp(luma - 0.392 * u - 0.813 * v) * w;
        rgb[2] = (rgb[2] as number) + clamp(luma + 2.017 * u) * w;
      };
    }
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
