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
  const read = pixelReader(frame);
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
  const rgb = [0, 0, 0];
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const fx = ox + x * ux + y * vx;
      const fy = oy + x * uy + y * vy;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const wx = fx - x0;
      const wy = fy - y0;
      rgb[0] = 0;
      rgb[1] = 0;
      rgb[2] = 0;
      if (x0 >= 0 && y0 >= 0 && x0 < maxX && y0 < maxY) {
        read(x0, y0, rgb, (1 - wx) * (1 - wy));
        read(x0 + 1, y0, rgb, wx * (1 - wy));
        read(x0, y0 + 1, rgb, (1 - wx) * wy);
        read(x0 + 1, y0 + 1, rgb, wx * wy);
      } else {
        // at the border: taps outside the frame are black
        for (let k = 0; k < 4; k++) {
          const px = x0 + (k & 1);
          const py = y0 + (k >> 1);
          const w = (k & 1 ? wx : 1 - wx) * (k >> 1 ? wy : 1 - wy);
          if (px >= 0 && py >= 0 && px <= maxX && py <= maxY && w > 0) read(px, py, rgb, w);
        }
      }
      out[o++] = lo + rgb[0] * scale;
      out[o++] = lo + rgb[1] * scale;
      out[o++] = lo + rgb[2] * scale;
    }
  }
}
