import type { TfConst } from './tfjs-graph.ts';

/** Where an NHWC axis sits once a rank-4 tensor is stored NCHW. */
export const NCHW_AXIS: readonly number[] = [0, 2, 3, 1];

/** A constant's values as float32. */
export function asFloat(c: TfConst): Float32Array {
  return c.data instanceof Float32Array ? c.data : Float32Array.from(c.data);
}

/** A constant's values as plain numbers. */
export function valuesOf(c: TfConst): number[] {
  return Array.from(c.data);
}

/** Reorder a rank-4 tensor: output axis i is input axis perm[i]. */
export function permute4(data: Float32Array, shape: readonly number[], perm: readonly [number, number, number, number]): Float32Array {
  const out = new Float32Array(data.length);
  const strides = [(shape[1] as number) * (shape[2] as number) * (shape[3] as number), (shape[2] as number) * (shape[3] as number), shape[3] as number, 1];
  const outShape = perm.map((p) => shape[p] as number);
  const step = perm.map((p) => strides[p] as number);
  let o = 0;
  for (let a = 0; a < (outShape[0] as number); a++)
    for (let b = 0; b < (outShape[1] as number); b++)
      for (let c = 0; c < (outShape[2] as number); c++) {
        const base = a * (step[0] as number) + b * (step[1] as number) + c * (step[2] as number);
        for (let d = 0; d < (outShape[3] as number); d++) out[o++] = data[base + d * (step[3] as number)] as number;
      }
  return out;
}

/** Depthwise filter [H, W, C, M] -> grouped conv weight [C*M, 1, H, W]. */
export function depthwiseWeight(filter: TfConst): Float32Array {
  const [kh, kw, c, m] = filter.shape as [number, number, number, number];
  const data = asFloat(filter);
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let ch = 0; ch < c; ch++) for (let k = 0; k < m; k++) out[(ch * m + k) * kh * kw + y * kw + x] = data[((y * kw + x) * c + ch) * m + k] as number;
  return out;
}

/** NumPy-style broadcast of shapes. */
export function broadcast(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) out.push(Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
  return out;
}

/** The output size of a spatial op along H and W of an NHWC shape. */
export function spatialSize(
  input: readonly number[],
  kernel: readonly [number, number],
  strides: readonly number[],
  dilations: readonly number[],
  padding: string,
): [number, number] {
  return [1, 2].map((axis, i) => {
    const size = input[axis] as number;
    const s = strides[axis] ?? 1;
    if (padding === 'SAME') return Math.ceil(size / s);
    const effective = ((kernel[i] as number) - 1) * (dilations[axis] ?? 1) + 1;
    return Math.floor((size - effective) / s) + 1;
  }) as [number, number];
}

/** TF StridedSlice on a 1-D constant (the shape arithmetic that precedes a Reshape). */
export function stridedSlice1d(
  values: readonly number[],
  begin: number,
  end: number,
  stride: number,
  masks: { begin: number; end: number; shrink: number },
): number[] {
  const n = values.length;
  const clampIndex = (i: number): number => (i < 0 ? i + n : i);
  let b = masks.begin & 1 ? (stride > 0 ? 0 : n - 1) : clampIndex(begin);
  const e = masks.end & 1 ? (stride > 0 ? n : -1) : clampIndex(end);
  if (masks.shrink & 1) return [values[b] as number];
  const out: number[] = [];
  for (; stride > 0 ? b < e : b > e; b += stride) out.push(values[b] as number);
  return out;
}

/** Resolve a TF reshape target (one -1 allowed) for `count` elements. */
export function resolveReshape(target: readonly number[], count: number): number[] {
  const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
  return target.map((d) => (d === -1 ? count / known : d));
}
