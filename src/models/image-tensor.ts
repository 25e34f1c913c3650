import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { pixelReader, type PixelReader } from './pixel-reader.ts';

/**
 * Fill `out` (NHWC, `width` x `height` x 3, float32) with `frame` resized bilinearly, channels scaled by `scale`
 * (1/255 gives [0, 1]). Sampling follows TF's resizeBilinear without half-pixel centres (source = dest * in / out),
 * as the reference implementations of the zoo's models do. Reads rgba, rgb24 and i420 (BT.601 limited range).
 */
export function frameToTensor(frame: Frame, out: Float32Array, width: number, height: number, scale = 1 / 255): void {
  if (out.length < width * height * 3)
    throw new FramewiseError('invalid-argument', `tensor buffer holds ${out.length} values, ${width}x${height}x3 needs ${width * height * 3}`);
  if (frame.format === 'i420') return i420ToTensor(frame, out, width, height, scale);
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

/** Sampling positions along one axis: for each output index, the two source indices and the weight of the second. */
interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w: Float32Array;
}

function taps(outSize: number, inSize: number, halfPixel: boolean): Taps {
  const t: Taps = { i0: new Int32Array(outSize), i1: new Int32Array(outSize), w: new Float32Array(outSize) };
  const s = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const f = halfPixel ? Math.max(0, (i + 0.5) * s - 0.5) : i * s;
    const i0 = Math.min(Math.floor(f), inSize - 1);
    t.i0[i] = i0;
    t.i1[i] = Math.min(i0 + 1, inSize - 1);
    t.w[i] = f - i0;
  }
  return t;
}

const tapCache = new Map<string, Taps>();
function cachedTaps(outSize: number, inSize: number, halfPixel: boolean): Taps {
  const key = `${outSize}/${inSize}/${halfPixel}`;
  let t = tapCache.get(key);
  if (!t) {
    if (tapCache.size > 64) tapCache.clear();
    t = taps(outSize, inSize, halfPixel);
    tapCache.set(key, t);
  }
  return t;
}

/** The i420 fast path: bilinear luma, chroma from the nearest sample, BT.601 limited range to RGB. */
function i420ToTensor(frame: Frame, out: Float32Array, width: number, height: number, scale: number): void {
  const [yp, up, vp] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
  const ys = frame.strides[0] as number;
  const cs = frame.strides[1] as number;
  const tx = cachedTaps(width, frame.width, false);
  const ty = cachedTaps(height, frame.height, false);
  const k = 1.164 * scale;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const r0 = (ty.i0[y] as number) * ys;
    const r1 = (ty.i1[y] as number) * ys;
    const wy = ty.w[y] as number;
    const crow = ((ty.i0[y] as number) >> 1) * cs;
    for (let x = 0; x < width; x++) {
      const x0 = tx.i0[x] as number;
      const x1 = tx.i1[x] as number;
      const wx = tx.w[x] as number;
      const top = (yp[r0 + x0] as number) + ((yp[r0 + x1] as number) - (yp[r0 + x0] as number)) * wx;
      const bottom = (yp[r1 + x0] as number) + ((yp[r1 + x1] as number) - (yp[r1 + x0] as number)) * wx;
      const luma = (top + (bottom - top) * wy - 16) * k;
      const ci = crow + (x0 >> 1);
      const u = ((up[ci] as number) - 128) * scale;
      const v = ((vp[ci] as number) - 128) * scale;
      const r = luma + 1.596 * v;
      const g = luma - 0.392 * u - 0.813 * v;
      const b = luma + 2.017 * u;
      const max = 255 * scale;
      out[o++] = r < 0 ? 0 : r > max ? max : r;
      out[o++] = g < 0 ? 0 : g > max ? max : g;
      out[o++] = b < 0 ? 0 : b > max ? max : b;
    }
  }
}

function accumulate(read: PixelReader, x: number, y: number, weight: number, rgb: number[]): void {
  if (weight > 0) read(x, y, rgb, weight);
}

/** Resize a `sw` x `sh` map of [0, 1] values bilinearly (half-pixel centres) to `dw` x `dh` bytes 0-255. */
export function resizeMask(src: Float32Array, sw: number, sh: number, dst: Uint8Array, dw: number, dh: number): void {
  const tx = cachedTaps(dw, sw, true);
  const ty = cachedTaps(dh, sh, true);
  let o = 0;
  for (let y = 0; y < dh; y++) {
    const r0 = (ty.i0[y] as number) * sw;
    const r1 = (ty.i1[y] as number) * sw;
    const wy = ty.w[y] as number;
    for (let x = 0; x < dw; x++) {
      const x0 = tx.i0[x] as number;
      const x1 = tx.i1[x] as number;
      const wx = tx.w[x] as number;
      const a = src[r0 + x0] as number;
      const c = src[r1 + x0] as number;
      const top = a + ((src[r0 + x1] as number) - a) * wx;
      const bottom = c + ((src[r1 + x1] as number) - c) * wx;
      dst[o++] = (top + (bottom - top) * wy) * 255 + 0.5;
    }
  }
}

/** Sampling taps along an axis, cached per size pair (for callers that resample the same geometry every frame). */
export { cachedTaps as resampleTaps, type Taps as ResampleTaps };
