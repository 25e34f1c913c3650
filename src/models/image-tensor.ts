import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';

/**
 * Fill `out` (NHWC, `width` x `height` x 3, float32) with `frame` resized bilinearly, channels scaled by `scale`
 * (1/255 gives [0, 1]). Sampling follows TF's resizeBilinear without half-pixel centres (source = dest * in / out),
 * as the reference implementations of the zoo's models do. Reads rgba, rgb24 and i420 (BT.601 limited range).
 */
export function frameToTensor(frame: Frame, out: Float32Array, width: number, height: number, scale = 1 / 255): void {
  if (out.length < width * height * 3)
    throw new FramewiseError('invalid-argument', `tensor buffer holds ${out.length} values, ${width}x${height}x3 needs ${width * height * 3}`);
  const sx = frame.width / width;
  const sy = frame.height / height;
  const read = pixelReader(frame);
  const rgb = [0, 0, 0];
  let o = 0;
  for (let y = 0; y < height; y++) {
    const fy = y * sy;
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, frame.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x * sx;
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, frame.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) rgb[c] = 0;
      accumulate(read, x0, y0, (1 - wx) * (1 - wy), rgb);
      accumulate(read, x1, y0, wx * (1 - wy), rgb);
      accumulate(read, x0, y1, (1 - wx) * wy, rgb);
      accumulate(read, x1, y1, wx * wy, rgb);
      out[o++] = (rgb[0] as number) * scale;
      out[o++] = (rgb[1] as number) * scale;
      out[o++] = (rgb[2] as number) * scale;
    }
  }
}

type PixelReader = (x: number, y: number, rgb: number[], weight: number) => void;

function accumulate(read: PixelReader, x: number, y: number, weight: number, rgb: number[]): void {
  if (weight > 0) read(x, y, rgb, weight);
}

function pixelReader(frame: Frame): PixelReader {
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

/** Resize a `sw` x `sh` map of [0, 1] values bilinearly (half-pixel centres) to `dw` x `dh` bytes 0-255. */
export function resizeMask(src: Float32Array, sw: number, sh: number, dst: Uint8Array, dw: number, dh: number): void {
  const sx = sw / dw;
  const sy = sh / dh;
  let o = 0;
  for (let y = 0; y < dh; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), sh - 1);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    const r0 = y0 * sw;
    const r1 = y1 * sw;
    for (let x = 0; x < dw; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(Math.floor(fx), sw - 1);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      const top = (src[r0 + x0] as number) * (1 - wx) + (src[r0 + x1] as number) * wx;
      const bottom = (src[r1 + x0] as number) * (1 - wx) + (src[r1 + x1] as number) * wx;
      dst[o++] = Math.round((top * (1 - wy) + bottom * wy) * 255);
    }
  }
}
