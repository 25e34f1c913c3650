import { resampleTaps, type ResampleTaps } from '../models/image-tensor.ts';

/** Small single-channel image operations for background effects (typed arrays, no allocation per call). */

/** A single-channel 8-bit image. */
export interface Plane {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A plane of `width` x `height`, reused while the size stays the same. */
export function planeFitting(plane: Plane | null, width: number, height: number): Plane {
  if (plane && plane.width === width && plane.height === height) return plane;
  return { width, height, data: new Uint8Array(width * height) };
}

/** Shrink `src` (stride = width) by `factor` into `dst`, averaging 4 samples spread over each cell. */
export function downsample(src: Uint8Array, width: number, height: number, factor: number, dst: Plane): void {
  const half = factor >> 1;
  for (let y = 0; y < dst.height; y++) {
    const r0 = Math.min(y * factor, height - 1) * width;
    const r1 = Math.min(y * factor + half, height - 1) * width;
    for (let x = 0; x < dst.width; x++) {
      const c0 = Math.min(x * factor, width - 1);
      const c1 = Math.min(x * factor + half, width - 1);
      dst.data[y * dst.width + x] = ((src[r0 + c0] as number) + (src[r0 + c1] as number) + (src[r1 + c0] as number) + (src[r1 + c1] as number) + 2) >> 2;
    }
  }
}

/**
 * Blur the background only: each pixel of `plane` counts with weight `255 - mask` (mask = person, same size),
 * so the person's colours do not bleed into the blurred background as a halo. `a`, `b`, `tmp` are scratch buffers
 * of the plane's size. Two box passes approximate a Gaussian.
 */
export function backgroundBlur(plane: Plane, mask: Uint8Array, r: number, a: Float32Array, b: Float32Array, tmp: Float32Array): void {
  const { width, height, data } = plane;
  for (let i = 0; i < data.length; i++) {
    const w = 255 - (mask[i] as number);
    a[i] = (data[i] as number) * w;
    b[i] = w;
  }
  for (let pass = 0; pass < 2; pass++) {
    boxBlurFloat(a, width, height, r, tmp);
    boxBlurFloat(b, width, height, r, tmp);
  }
  for (let i = 0; i < data.length; i++) {
    const w = b[i] as number;
    if (w > 0.5) data[i] = (a[i] as number) / w;
  }
}

function boxBlurFloat(data: Float32Array, width: number, height: number, r: number, tmp: Float32Array): void {
  const inv = 1 / (2 * r + 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += data[row + Math.min(Math.max(k, 0), width - 1)] as number;
    for (let x = 0; x < width; x++) {
      tmp[row + x] = sum * inv;
      sum += (data[row + Math.min(x + r + 1, width - 1)] as number) - (data[row + Math.max(x - r, 0)] as number);
    }
  }
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += tmp[Math.min(Math.max(k, 0), height - 1) * width + x] as number;
    for (let y = 0; y < height; y++) {
      data[y * width + x] = sum * inv;
      sum += (tmp[Math.min(y + r + 1, height - 1) * width + x] as number) - (tmp[Math.max(y - r, 0) * width + x] as number);
    }
  }
}

/**
 * Blend in place: `out = (fg * m + bg * (255 - m)) / 255` where m comes from `mask` (`maskWidth` wide, `maskStep`
 * mask pixels per plane pixel: 1 for luma, 2 for 4:2:0 chroma) and bg is `background` (a small plane, sampled
 * bilinearly) or the constant `fill`. Pixels whose mask is 255 are left alone.
 */
export function composite(
  fg: Uint8Array,
  width: number,
  height: number,
  mask: Uint8Array,
  maskWidth: number,
  maskStep: number,
  background: Plane | null,
  fill: number,
): void {
  const bw = background?.width ?? 1;
  const bd = background?.data;
  const tx = background ? integerTaps(resampleTaps(width, background.width, true)) : null;
  const ty = background ? integerTaps(resampleTaps(height, background.height, true)) : null;
  // Fixed point (x 256) throughout: float stores into bytes cost more than the arithmetic. The background row for
  // this output row is interpolated vertically once (bw values), then horizontally per pixel.
  if (line.length < bw) line = new Int32Array(bw);
  const row256 = line;
  const fill256 = fill * 256;
  for (let y = 0; y < height; y++) {
    if (bd && ty) {
      const b0 = (ty.i0[y] as number) * bw;
      const b1 = (ty.i1[y] as number) * bw;
      const w1 = ty.w[y] as number;
      const w0 = 256 - w1;
      for (let i = 0; i < bw; i++) row256[i] = (bd[b0 + i] as number) * w0 + (bd[b1 + i] as number) * w1;
    }
    const mrow = y * maskStep * maskWidth;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const m = mask[mrow + x * maskStep] as number;
      if (m === 255) continue;
      let bg = fill256;
      if (tx) {
        const w1 = tx.w[x] as number;
        bg = ((row256[tx.i0[x] as number] as number) * (256 - w1) + (row256[tx.i1[x] as number] as number) * w1) >> 8;
      }
      fg[row + x] = m === 0 ? (bg + 128) >> 8 : ((fg[row + x] as number) * m * 256 + bg * (255 - m) + 32640) / 65280;
    }
  }
}

/** Scratch row of composite (callers run on one thread). */
let line = new Int32Array(0);

/** Taps with weights as integers out of 256, cached beside the float ones. */
function integerTaps(t: ResampleTaps): { i0: Int32Array; i1: Int32Array; w: Int32Array } {
  let w = intWeights.get(t);
  if (!w) {
    w = Int32Array.from(t.w, (v) => Math.round(v * 256));
    intWeights.set(t, w);
  }
  return { i0: t.i0, i1: t.i1, w };
}

const intWeights = new WeakMap<ResampleTaps, Int32Array>();
