/**
 * Bilinear sampling positions along one axis with half-pixel centres: for each output index, the two source indices
 * and the weight of the second, as a float and as an integer out of 256 (for fixed-point loops).
 */
export interface ResampleTaps {
  i0: Int32Array;
  i1: Int32Array;
  w: Float32Array;
  w256: Int32Array;
}

function build(outSize: number, inSize: number): ResampleTaps {
  const t: ResampleTaps = { i0: new Int32Array(outSize), i1: new Int32Array(outSize), w: new Float32Array(outSize), w256: new Int32Array(outSize) };
  const s = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const f = Math.max(0, (i + 0.5) * s - 0.5);
    const i0 = Math.min(Math.floor(f), inSize - 1);
    t.i0[i] = i0;
    t.i1[i] = Math.min(i0 + 1, inSize - 1);
    t.w[i] = f - i0;
    t.w256[i] = Math.round((f - i0) * 256);
  }
  return t;
}

/**
 * `build(outSize, inSize)` memoised per size pair (the same geometry is resampled every frame); at most 64 pairs are
 * kept.
 */
export function perSizePair<T>(build: (outSize: number, inSize: number) => T): (outSize: number, inSize: number) => T {
  const cache = new Map<string, T>();
  return (outSize, inSize) => {
    const key = `${outSize}/${inSize}`;
    let t = cache.get(key);
    if (t === undefined) {
      if (cache.size > 64) cache.clear();
      t = build(outSize, inSize);
      cache.set(key, t);
    }
    return t;
  };
}

/** Taps from `inSize` samples to `outSize`, cached per size pair. */
export const resampleTaps: (outSize: number, inSize: number) => ResampleTaps = perSizePair(build);
