import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FramewiseError } from '../../core/errors.ts';

/** A decoded attribute of a TF graph node. */
export type TfAttr = number | number[] | string | string[] | boolean | null;

/** One node of a TensorFlow.js graph model. */
export interface TfNode {
  name: string;
  op: string;
  /** Data inputs (control dependencies dropped, ":0" suffixes removed). */
  inputs: string[];
  attr: Record<string, TfAttr>;
}

/** A constant tensor of the graph, dequantised. */
export interface TfConst {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A TF.js graph model read from model.json and its weight shards. */
export interface TfGraph {
  nodes: TfNode[];
  consts: Map<string, TfConst>;
  inputs: { name: string; shape: number[] }[];
  outputs: string[];
}

interface RawAttr {
  list?: { i?: string[]; f?: number[]; s?: string[] };
  s?: string;
  i?: string;
  f?: number;
  b?: boolean;
  shape?: { dim?: { size: string }[] };
}

interface RawModel {
  modelTopology: { node: { name: string; op: string; input?: string[]; attr?: Record<string, RawAttr> }[] };
  signature?: { outputs?: Record<string, { name: string }> };
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string; scale?: number; min?: number } }[];
  }[];
}

function decodeAttr(raw: RawAttr): TfAttr {
  if (raw.list?.s) return raw.list.s.map((s) => Buffer.from(s, 'base64').toString('utf8'));
  if (raw.list) return (raw.list.i ?? []).map(Number).concat(raw.list.f ?? []);
  if (raw.s !== undefined) return Buffer.from(raw.s, 'base64').toString('utf8');
  if (raw.i !== undefined) return Number(raw.i);
  if (raw.f !== undefined) return raw.f;
  if (raw.b !== undefined) return raw.b;
  if (raw.shape) return (raw.shape.dim ?? []).map((d) => Number(d.size));
  return null;
}

/** IEEE 754 half precision to single. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint8: 1, uint16: 2 };

/** Read a TF.js graph model (model.json + shards next to it), dequantising float16/uint8/uint16 weights to float32. */
export async function readTfjsGraph(modelJsonPath: string): Promise<TfGraph> {
  let raw: RawModel;
  try {
    raw = JSON.parse(await readFile(modelJsonPath, 'utf8')) as RawModel;
  } catch (err) {
    throw new FramewiseError('input-unreadable', `cannot read the TF.js model ${modelJsonPath}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const consts = new Map<string, TfConst>();
  for (const group of raw.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dirname(modelJsonPath), p))));
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const stored = w.quantization?.dtype ?? w.dtype;
      const bytes = BYTES[stored];
      if (bytes === undefined) throw new FramewiseError('unsupported-format', `weight ${w.name} is stored as ${stored}, which the converter does not read`);
      const view = new DataView(buffer.buffer, buffer.byteOffset + offset, count * bytes);
      offset += count * bytes;
      let data: Float32Array | Int32Array;
      if (w.dtype === 'int32' && !w.quantization) {
        data = new Int32Array(count);
        for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true);
      } else {
        const f = new Float32Array(count);
        const q = w.quantization;
        for (let i = 0; i < count; i++) {
          if (stored === 'float32') f[i] = view.getFloat32(i * 4, true);
          else if (stored === 'float16') f[i] = halfToFloat(view.getUint16(i * 2, true));
          else {
            const v = stored === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
            f[i] = v * (q?.scale ?? 1) + (q?.min ?? 0);
          }
        }
        data = f;
      }
      consts.set(w.name, { shape: w.shape, data });
    }
  }
  const nodes: TfNode[] = raw.modelTopology.node.map((n) => ({
    name: n.name,
    op: n.op,
    inputs: (n.input ?? []).filter((i) => !i.startsWith('^')).map((i) => i.replace(/:0$/, '')),
    attr: Object.fromEntries(Object.entries(n.attr ?? {}).map(([k, v]) => [k, decodeAttr(v)])),
  }));
  const inputs = nodes.filter((n) => n.op === 'Placeholder').map((n) => ({ name: n.name, shape: (n.attr.shape as number[] | null) ?? [] }));
  const signatureOutputs = Object.values(raw.signature?.outputs ?? {}).map((o) => o.name.replace(/:0$/, ''));
  const consumed = new Set(nodes.flatMap((n) => n.inputs));
  const outputs = signatureOutputs.length > 0 ? signatureOutputs : nodes.filter((n) => n.op !== 'Const' && !consumed.has(n.name)).map((n) => n.name);
  return { nodes, consts, inputs, outputs };
}
