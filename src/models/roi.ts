import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { pixelReader } from './pixel-reader.ts';

/** A region of interest in frame pixels: a rectangle around a centre, turned by `rotation` radians (clockwise on screen). */
export interface Roi {
  xCenter: number;
  yCenter: number;
  width: number;
  height: number;
  rotation: number;
}

/** A point in frame pixels. */
export interface Point {
  x: number;
  y: number;
}

/** The square that holds the whole frame, centred: what a model with a square input sees when the frame is letterboxed. */
export function letterboxRoi(frame: { width: number; height: number }): Roi {
  const side = Math.max(frame.width, frame.height);
  return { xCenter: frame.width / 2, yCenter: frame.height / 2, width: side, height: side, rotation: 0 };
}

/** Where normalised coordinates (u, v in [0, 1] across the ROI as the model sees it) fall in the frame. */
export function roiToFrame(roi: Roi, u: number, v: number): Point {
  const dx = (u - 0.5) * roi.width;
  const dy = (v - 0.5) * roi.height;
  const c = Math.cos(roi.rotation);
  const s = Math.sin(roi.rotation);
  return { x: roi.xCenter + dx * c - dy * s, y: roi.yCenter + dx * s + dy * c };
}

/** Normalise an angle to [-pi, pi). */
export function normalizeAngle(a: number): number {
  return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
}

/**
 * Sample `roi` of `frame` into `out` (NHWC, size x size x 3, float32) bilinearly, mapping 0-255 to [lo, hi]. Pixels
 * outside the frame are black, as MediaPipe's image-to-tensor step pads them. Works for rgba, rgb24, i420 and nv12.
 */
export function roiToTensor(frame: Frame, roi: Roi, out: Float32Array, width: number, height: number, range: readonly [number, number]): void {
  if (out.length < width * height * 3)
    throw new FramewiseError('invalid-argument', `tensor buffer holds ${out.length} values, ${width}x${height}x3 needs ${width * height * 3}`);
  if (!(roi.width > 0 && roi.height > 0)) throw new FramewiseError('invalid-argument', `the region to sample is empty (${roi.width}x${roi.height})`);
  const [lo, hi] = range;
  const scale = (hi - lo) / 255;
  const c = Math.cos(roi.rotation);
  const s = Math.sin(roi.rotation);
  // Source position of output pixel (x, y): origin + x * stepX + y * stepY, with the ROI's corners on the output's
  // corners in pixel-index space (OpenCV's warpPerspective from corner points, as MediaPipe samples: its goldens
  // match to 0.0005 this way and are 0.005 off with half-pixel centres).
  const ux = (roi.width / width) * c;
  const uy = (roi.width / width) * s;
  const vx = -(roi.height / height) * s;
  const vy = (roi.height / height) * c;
  const ox = roi.xCenter - (roi.width / 2) * c + (roi.height / 2) * s;
  const oy = roi.yCenter - (roi.width / 2) * s - (roi.height / 2) * c;
  const maxX = frame.width - 1;
  const maxY = frame.height - 1;
  const geometry = { ox, oy, ux, uy, vx, vy };
  const interior = (fx: number, fy: number): boolean => fx >= 0 && fy >= 0 && fx < maxX && fy < maxY;
  const fast = frame.format === 'i420' ? i420Sampler(frame) : frame.format === 'nv12' ? null : rgbSampler(frame);
  const read = pixelReader(frame);
  const rgb = [0, 0, 0];
  let o = 0;
  for (let y = 0; y < height; y++) {
    // Rows whose ends both lie inside the frame take the fast path for every pixel (the sampling line is straight).
    const rowInside = interior(ox + y * vx, oy + y * vy) && interior(ox + (width - 1) * ux + y * vx, oy + (width - 1) * uy + y * vy);
    if (fast && rowInside) {
      fast(geometry, y, width, out, o, lo, scale);
      o += width * 3;
      continue;
    }
    // An upright row above or below the frame (letterbox padding) is all black.
    const fy = oy + y * vy;
    if (uy === 0 && vx === 0 && (fy <= -1 || fy >= maxY + 1)) {
      out.fill(lo, o, o + width * 3);
      o += width * 3;
      continue;
    }
    for (let x = 0; x < width; x++) {
      sampleClamped(read, ox + x * ux + y * vx, oy + x * uy + y * vy, maxX, maxY, rgb);
      out[o++] = lo + (rgb[0] as number) * scale;
      out[o++] = lo + (rgb[1] as number) * scale;
      out[o++] = lo + (rgb[2] as number) * scale;
    }
  }
}

/** The affine map from output pixels to frame pixels. */
interface Geometry {
  ox: number;
  oy: number;
  ux: number;
  uy: number;
  vx: number;
  vy: number;
}

/** Fills one output row whose samples all lie inside the frame (no bounds checks). */
type RowSampler = (g: Geometry, y: number, width: number, out: Float32Array, o: number, lo: number, scale: number) => void;

/** Bilinear sample at (fx, fy) with taps outside the frame counted as black. */
function sampleClamped(read: ReturnType<typeof pixelReader>, fx: number, fy: number, maxX: number, maxY: number, rgb: number[]): void {
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const wx = fx - x0;
  const wy = fy - y0;
  rgb[0] = 0;
  rgb[1] = 0;
  rgb[2] = 0;
  for (let k = 0; k < 4; k++) {
    const px = x0 + (k & 1);
    const py = y0 + (k >> 1);
    const w = (k & 1 ? wx : 1 - wx) * (k >> 1 ? wy : 1 - wy);
    if (px >= 0 && py >= 0 && px <= maxX && py <= maxY && w > 0) read(px, py, rgb, w);
  }
}

function rgbSampler(frame: Frame): RowSampler {
  const data = frame.planes[0] as Uint8Array;
  const stride = frame.strides[0] as number;
  const bpp = frame.format === 'rgba' ? 4 : 3;
  return (g, y, width, out, o, lo, scale) => {
    const { ux, uy } = g;
    let fx = g.ox + y * g.vx;
    let fy = g.oy + y * g.vy;
    for (let x = 0; x < width; x++, fx += ux, fy += uy) {
      const x0 = fx | 0;
      const y0 = fy | 0;
      const wx = fx - x0;
      const wy = fy - y0;
      const i = y0 * stride + x0 * bpp;
      const j = i + stride;
      for (let c = 0; c < 3; c++) {
        const a = data[i + c] as number;
        const b = data[i + bpp + c] as number;
        const d = data[j + c] as number;
        const e = data[j + bpp + c] as number;
        const top = a + (b - a) * wx;
        out[o++] = lo + (top + (d + (e - d) * wx - top) * wy) * scale;
      }
    }
  };
}

/** i420: bilinear luma, chroma from the nearest sample (half the cost of bilinear chroma), BT.601 limited range. */
function i420Sampler(frame: Frame): RowSampler {
  const [yp, up, vp] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
  const ys = frame.strides[0] as number;
  const cs = frame.strides[1] as number;
  const pixel = (out: Float32Array, o: number, i: number, wx: number, wy: number, ci: number, lo: number, scale: number): void => {
    const a = yp[i] as number;
    const b = yp[i + 1] as number;
    const c = yp[i + ys] as number;
    const d = yp[i + ys + 1] as number;
    const top = a + (b - a) * wx;
    const luma = 1.164 * (top + (c + (d - c) * wx - top) * wy - 16);
    const u = (up[ci] as number) - 128;
    const v = (vp[ci] as number) - 128;
    const r = luma + 1.596 * v;
    const gr = luma - 0.392 * u - 0.813 * v;
    const bl = luma + 2.017 * u;
    out[o] = lo + (r < 0 ? 0 : r > 255 ? 255 : r) * scale;
    out[o + 1] = lo + (gr < 0 ? 0 : gr > 255 ? 255 : gr) * scale;
    out[o + 2] = lo + (bl < 0 ? 0 : bl > 255 ? 255 : bl) * scale;
  };
  return (g, y, width, out, o, lo, scale) => {
    const { ux, uy } = g;
    let fx = g.ox + y * g.vx;
    let fy = g.oy + y * g.vy;
    if (uy === 0 && g.vx === 0) {
      const { x0, wx } = columnTaps(g.ox, ux, width);
      const y0 = fy | 0;
      const wy = fy - y0;
      const row = y0 * ys;
      const crow = (y0 >> 1) * cs;
      for (let x = 0; x < width; x++, o += 3) {
        const c0 = x0[x] as number;
        pixel(out, o, row + c0, wx[x] as number, wy, crow + (c0 >> 1), lo, scale);
      }
      return;
    }
    for (let x = 0; x < width; x++, fx += ux, fy += uy, o += 3) {
      const x0 = fx | 0;
      const y0 = fy | 0;
      pixel(out, o, y0 * ys + x0, fx - x0, fy - y0, (y0 >> 1) * cs + (x0 >> 1), lo, scale);
    }
  };
}

/** Column taps of an upright crop: where each output column samples. */
interface ColumnTaps {
  ox: number;
  ux: number;
  x0: Int32Array;
  wx: Float32Array;
}

let lastColumns: ColumnTaps | null = null;

/**
 * An upright crop samples the same columns on every row, and a stream asks for the same crop frame after frame:
 * the taps are worked out once and kept while the geometry stays.
 */
function columnTaps(ox: number, ux: number, width: number): ColumnTaps {
  const c = lastColumns;
  if (c && c.ox === ox && c.ux === ux && c.x0.length === width) return c;
  const next: ColumnTaps = { ox, ux, x0: new Int32Array(width), wx: new Float32Array(width) };
  for (let x = 0; x < width; x++) {
    const f = ox + x * ux;
    next.x0[x] = f | 0;
    next.wx[x] = f - (f | 0);
  }
  lastColumns = next;
  return next;
}
