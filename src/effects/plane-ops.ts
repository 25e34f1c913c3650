import { resampleTaps } from './resample-taps.ts';
import { CELL_BACKGROUND, CELL_PERSON, type MaskGrid } from './mask-grid.ts';

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
 * Blend in place: `out = (fg * m + bg * (255 - m)) / 255`, m being the person mask `grid` sampled at this plane's
 * pixel (bilinearly, half-pixel centres; `step` frame pixels per plane pixel: 1 for luma, 2 for 4:2:0 chroma of a
 * frame `frameWidth` x `frameHeight`), and bg the plane `background` (same size as `fg`) or the constant `fill`.
 * Each row is walked as runs of grid cells: person runs are left alone, background runs are one copy or fill, and
 * only the cells along the outline are blended pixel by pixel.
 */
export function composite(
  fg: Uint8Array,
  width: number,
  height: number,
  grid: MaskGrid,
  step: number,
  frame: { width: number; height: number },
  background: Uint8Array | null,
  fill: number,
): void {
  const mx = resampleTaps(frame.width, grid.size);
  const my = resampleTaps(frame.height, grid.size);
  const { values, cells, size } = grid;
  // start[c]: the first pixel of this plane's row whose mask sample falls in grid column c (taps never go back).
  if (starts.length < size + 1) starts = new Int32Array(size + 1);
  const start = starts;
  for (let c = 0, x = 0; c <= size; c++) {
    while (x < width && (mx.i0[x * step] as number) < c) x++;
    start[c] = x;
  }
  for (let y = 0; y < height; y++) {
    const fy = y * step;
    const m0 = (my.i0[fy] as number) * size;
    const m1 = (my.i1[fy] as number) * size;
    const mwy = my.w256[fy] as number;
    const row = y * width;
    for (let c = 0; c < size;) {
      const kind = cells[m0 + c] as number;
      let end = c + 1;
      while (end < size && cells[m0 + end] === kind) end++;
      const x0 = row + (start[c] as number);
      const x1 = row + (start[end] as number);
      c = end;
      if (x0 === x1 || kind === CELL_PERSON) continue;
      if (kind === CELL_BACKGROUND) {
        if (background) fg.set(background.subarray(x0, x1), x0);
        else fg.fill(fill, x0, x1);
        continue;
      }
      for (let i = x0; i < x1; i++) {
        const fx = (i - row) * step;
        const a = mx.i0[fx] as number;
        const b = mx.i1[fx] as number;
        const w1 = mx.w256[fx] as number;
        const top = (values[m0 + a] as number) * (256 - w1) + (values[m0 + b] as number) * w1;
        const bottom = (values[m1 + a] as number) * (256 - w1) + (values[m1 + b] as number) * w1;
        const m = (top * (256 - mwy) + bottom * mwy + 32768) >> 16;
        const bg = background ? (background[i] as number) : fill;
        fg[i] = ((fg[i] as number) * m + bg * (255 - m) + 127) / 255;
      }
    }
  }
}

/** Scratch run starts of composite (callers run on one thread). */
let starts = new Int32Array(0);
