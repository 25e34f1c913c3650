import type { PlaneBuffers } from '../core/picture.ts';
import type { PlaneScaler } from '../models/model-runtime.ts';
import { perSizePair } from './resample-taps.ts';

/** Fixed-point weights out of 2^12. */
const ONE = 4096;

/** The taps of one axis: for each output sample, where its source samples start, how many, and their weights. */
interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  /** `maxTaps` weights per output sample (unused ones 0), summing to ONE. */
  weights: Int32Array;
  maxTaps: number;
  /** True when no output sample needs more than two source samples (enlarging): the loops unroll. */
  twoTaps: boolean;
}

/**
 * A tent filter with half-pixel centres: plain bilinear when enlarging; when shrinking by f, a tent f samples wide
 * each side, so every source pixel counts and fine detail does not alias (what swscale's bilinear does too).
 */
function axisTaps(outSize: number, inSize: number): AxisTaps {
  const scale = inSize / outSize;
  const support = Math.max(1, scale);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const taps: AxisTaps = {
    start: new Int32Array(outSize),
    count: new Int32Array(outSize),
    weights: new Int32Array(outSize * maxTaps),
    maxTaps,
    twoTaps: true,
  };
  const w = new Float64Array(maxTaps);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale - 0.5;
    let first = Math.ceil(centre - support);
    let last = Math.floor(centre + support);
    if (last - first + 1 > maxTaps) last = first + maxTaps - 1;
    let sum = 0;
    for (let j = first; j <= last; j++) {
      const weight = Math.max(0, 1 - Math.abs(j - centre) / support);
      w[j - first] = weight;
      sum += weight;
    }
    // Edge samples repeat: fold taps outside the picture onto its first and last sample.
    const folded = new Float64Array(maxTaps);
    const lo = Math.min(Math.max(first, 0), inSize - 1);
    for (let j = first; j <= last; j++) {
      const k = Math.min(Math.max(j, 0), inSize - 1);
      folded[k - lo] = (folded[k - lo] as number) + (w[j - first] as number) / sum;
    }
    first = lo;
    let count = 0;
    for (let k = 0; k < maxTaps; k++) if ((folded[k] as number) > 0) count = k + 1;
    count = Math.max(1, Math.min(count, inSize - lo));
    taps.start[i] = first;
    taps.count[i] = count;
    if (count > 2) taps.twoTaps = false;
    let given = 0;
    for (let k = 0; k < count; k++) {
      const q = Math.round((folded[k] as number) * ONE);
      taps.weights[i * maxTaps + k] = q;
      given += q;
    }
    // Rounding leftovers go to the biggest tap, so flat areas stay exactly flat.
    let biggest = 0;
    for (let k = 1; k < count; k++) if ((taps.weights[i * maxTaps + k] as number) > (taps.weights[i * maxTaps + biggest] as number)) biggest = k;
    taps.weights[i * maxTaps + biggest] = (taps.weights[i * maxTaps + biggest] as number) + ONE - given;
  }
  return taps;
}

const ONE2 = ONE * ONE;
const HALF = ONE2 / 2;

/** One source row (from `from`) resampled to `dw` samples into `rows` at `to` (values x ONE). */
function horizontal(src: Uint8Array, from: number, rows: Int32Array, to: number, dw: number, taps: AxisTaps): void {
  const { start, count, weights, maxTaps } = taps;
  if (taps.twoTaps) {
    for (let x = 0; x < dw; x++) {
      const s = from + (start[x] as number);
      const w = x * maxTaps;
      rows[to + x] = (src[s] as number) * (weights[w] as number) + ((count[x] as number) === 2 ? (src[s + 1] as number) * (weights[w + 1] as number) : 0);
    }
    return;
  }
  for (let x = 0; x < dw; x++) {
    const s = from + (start[x] as number);
    const n = count[x] as number;
    const w = x * maxTaps;
    let acc = 0;
    for (let k = 0; k < n; k++) acc += (src[s + k] as number) * (weights[w + k] as number);
    rows[to + x] = acc;
  }
}

const cachedTaps = perSizePair(axisTaps);

/**
 * Resizes I420 or gray pictures in JavaScript, separable in 12-bit fixed point: what the page uses where the server
 * has swscale, with the same filter (bilinear up, a tent as wide as the shrink down). Buffers are kept between calls.
 */
export class BilinearScaler implements PlaneScaler {
  private rows = new Int32Array(0);

  scale(src: PlaneBuffers, srcWidth: number, srcHeight: number, dst: PlaneBuffers, dstWidth: number, dstHeight: number): void {
    src.forEach((plane, i) => {
      const chroma = i > 0;
      const out = dst[i];
      if (!out) return;
      this.plane(
        plane,
        chroma ? (srcWidth + 1) >> 1 : srcWidth,
        chroma ? (srcHeight + 1) >> 1 : srcHeight,
        out,
        chroma ? (dstWidth + 1) >> 1 : dstWidth,
        chroma ? (dstHeight + 1) >> 1 : dstHeight,
      );
    });
  }

  private plane(src: Uint8Array, sw: number, sh: number, dst: Uint8Array, dw: number, dh: number): void {
    const tx = cachedTaps(dw, sw);
    const ty = cachedTaps(dh, sh);
    if (this.rows.length < sh * dw) this.rows = new Int32Array(sh * dw);
    const rows = this.rows;
    // Horizontal: every source row to the output width (values x ONE), then vertical, rounded back to 8 bits.
    for (let y = 0; y < sh; y++) horizontal(src, y * sw, rows, y * dw, dw, tx);
    const { start, count, weights, maxTaps } = ty;
    for (let y = 0; y < dh; y++) {
      const s = (start[y] as number) * dw;
      const o = y * dw;
      if ((count[y] as number) <= 2) {
        // Two rows (enlarging): (a * wa + b * wb) / ONE^2 with rounding, in doubles (the products pass 2^31).
        const wa = weights[y * maxTaps] as number;
        const wb = (count[y] as number) === 2 ? (weights[y * maxTaps + 1] as number) : 0;
        const t = wb === 0 ? s : s + dw;
        for (let x = 0; x < dw; x++) dst[o + x] = Math.min(255, Math.floor(((rows[s + x] as number) * wa + (rows[t + x] as number) * wb + HALF) / ONE2));
        continue;
      }
      const n = count[y] as number;
      const wo = y * maxTaps;
      for (let x = 0; x < dw; x++) {
        let acc = HALF;
        for (let k = 0; k < n; k++) acc += (rows[s + k * dw + x] as number) * (weights[wo + k] as number);
        dst[o + x] = Math.min(255, Math.floor(acc / ONE2));
      }
    }
  }

  [Symbol.dispose](): void {
    this.rows = new Int32Array(0);
  }
}
