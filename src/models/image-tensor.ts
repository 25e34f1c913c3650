import type { Frame } from '../core/frame.ts';
import { roiToTensor } from './roi.ts';

/**
 * Fill `out` (NHWC, `width` x `height` x 3, float32) with the whole of `frame` stretched bilinearly, channels scaled
 * by `scale` (1/255 gives [0, 1]). Sampling follows TF's resizeBilinear without half-pixel centres (source = dest *
 * in / out), as the reference implementations of the zoo's models do. Reads rgba, rgb24, i420 and nv12.
 */
export function frameToTensor(frame: Frame, out: Float32Array, width: number, height: number, scale = 1 / 255): void {
  const roi = { xCenter: frame.width / 2, yCenter: frame.height / 2, width: frame.width, height: frame.height, rotation: 0 };
  roiToTensor(frame, roi, out, width, height, [0, 255 * scale]);
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

/** Resize a `sw` x `sh` map of [0, 1] values bilinearly (half-pixel centres) to `dw` x `dh` bytes 0-255. */
export function resizeMask(src: Float32Array, sw: number, sh: number, dst: Uint8Array, dw: number, dh: number): void {
  const tx = cachedTaps(dw, sw, true);
  const ty = cachedTaps(dh, sh, true);
  // Separable and in fixed point: widen each source row once (sh x dw values of mask x 255 x 256), then one integer
  // lerp per output pixel (float stores into bytes cost more than the arithmetic here).
  if (rows.length < sh * dw) rows = new Uint16Array(sh * dw);
  const wide = rows;
  for (let y = 0; y < sh; y++) {
    const r = y * sw;
    const o = y * dw;
    for (let x = 0; x < dw; x++) {
      const a = src[r + (tx.i0[x] as number)] as number;
      const v = (a + ((src[r + (tx.i1[x] as number)] as number) - a) * (tx.w[x] as number)) * 65280;
      wide[o + x] = v < 0 ? 0 : v > 65280 ? 65280 : v;
    }
  }
  let o = 0;
  for (let y = 0; y < dh; y++) {
    const r0 = (ty.i0[y] as number) * dw;
    const r1 = (ty.i1[y] as number) * dw;
    const w1 = Math.round((ty.w[y] as number) * 256);
    const w0 = 256 - w1;
    for (let x = 0; x < dw; x++) dst[o++] = ((wide[r0 + x] as number) * w0 + (wide[r1 + x] as number) * w1 + 32768) >> 16;
  }
}

/** Scratch rows of resizeMask, grown on demand (callers run on one thread). */
let rows = new Uint16Array(0);

/** Sampling taps along an axis, cached per size pair (for callers that resample the same geometry every frame). */
export { cachedTaps as resampleTaps, type Taps as ResampleTaps };
