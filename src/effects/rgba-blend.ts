import type { Frame } from '../core/frame.ts';

/**
 * Blend non-premultiplied RGBA pixels (a canvas's `getImageData`, `width` x `height`) onto an I420 frame at
 * (left, top), by their alpha, converting to BT.601 limited-range YUV. Chroma takes each 2x2 block's mean colour
 * and alpha. Pixels outside the frame are skipped.
 */
export function blendRgba(frame: Frame, rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, left: number, top: number): void {
  const [yp, up, vp] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
  const ys = frame.strides[0] as number;
  const cs = frame.strides[1] as number;
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(frame.width, left + width);
  const y1 = Math.min(frame.height, top + height);
  for (let y = y0; y < y1; y++) {
    let o = ((y - top) * width + (x0 - left)) * 4;
    let d = y * ys + x0;
    for (let x = x0; x < x1; x++, o += 4, d++) {
      const a = rgba[o + 3] as number;
      if (a === 0) continue;
      const luma = 16 + ((65.738 * (rgba[o] as number) + 129.057 * (rgba[o + 1] as number) + 25.064 * (rgba[o + 2] as number)) >> 8);
      yp[d] = a === 255 ? luma : ((yp[d] as number) * (255 - a) + luma * a + 127) / 255;
    }
  }
  for (let cy = y0 >> 1; cy < (y1 + 1) >> 1; cy++) {
    for (let cx = x0 >> 1; cx < (x1 + 1) >> 1; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let dy = 0; dy < 2; dy++) {
        const y = cy * 2 + dy - top;
        if (y < 0 || y >= height || cy * 2 + dy >= frame.height) continue;
        for (let dx = 0; dx < 2; dx++) {
          const x = cx * 2 + dx - left;
          if (x < 0 || x >= width || cx * 2 + dx >= frame.width) continue;
          const o = (y * width + x) * 4;
          const pa = rgba[o + 3] as number;
          r += (rgba[o] as number) * pa;
          g += (rgba[o + 1] as number) * pa;
          b += (rgba[o + 2] as number) * pa;
          a += pa;
        }
      }
      if (a === 0) continue;
      r /= a;
      g /= a;
      b /= a;
      const alpha = a / (4 * 255);
      const u = 128 + (-37.945 * r - 74.494 * g + 112.439 * b) / 256;
      const v = 128 + (112.439 * r - 94.154 * g - 18.285 * b) / 256;
      const c = cy * cs + cx;
      up[c] = (up[c] as number) * (1 - alpha) + u * alpha;
      vp[c] = (vp[c] as number) * (1 - alpha) + v * alpha;
    }
  }
}
