import { FramewiseError } from '../../core/errors.ts';
import type { OnnxGraph, OnnxInitializer, OnnxNode } from '../onnx/onnx-graph.ts';
import type { TfConst, TfGraph, TfNode } from './tfjs-graph.ts';

/**
 * TensorFlow.js graph -> ONNX. TF convolutions work on NHWC, ONNX on NCHW: activations are converted once at the
 * graph input and back at each output, weights are re-laid out (HWIO -> OIHW, depthwise HWCM -> (C*M)1HW with
 * groups), and per-channel constants of elementwise ops become [C,1,1]. Shapes are inferred statically so ops that
 * need them (Resize, ConvTranspose) get them. The graph keeps its NHWC interface.
 */

type Shape = number[];

const SUPPORTED = [
  'Placeholder',
  'Const',
  'Identity',
  'Conv2D',
  'DepthwiseConv2dNative',
  'Conv2DBackpropInput',
  'AvgPool',
  'MaxPool',
  'Relu',
  'Relu6',
  'Sigmoid',
  'Tanh',
  'Add',
  'AddV2',
  'AddN',
  'Sub',
  'Mul',
  'ResizeBilinear',
  'ConcatV2',
];

class Converter {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxInitializer[] = [];
  private readonly shapes = new Map<string, Shape>();
  private readonly emitted = new Set<string>();
  private counter = 0;

  constructor(private readonly graph: TfGraph) {}

  private constOf(name: string): TfConst | undefined {
    return this.graph.consts.get(name);
  }

  private shapeOf(name: string): Shape {
    const shape = this.shapes.get(name) ?? this.constOf(name)?.shape;
    if (!shape) throw new FramewiseError('invalid-state', `converter: no shape known for tensor "${name}"`);
    return shape;
  }

  private init(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    if (!this.emitted.has(name)) {
      this.emitted.add(name);
      this.initializers.push({ name, dims, data });
    }
    return name;
  }

  private ints(values: readonly number[]): BigInt64Array {
    return BigInt64Array.from(values.map((v) => BigInt(v)));
  }

  private fresh(base: string): string {
    return `${base}__${this.counter++}`;
  }

  /** A constant used as an activation-side operand (elementwise ops): laid out for NCHW broadcasting. */
  private operand(name: string): string {
    const c = this.constOf(name);
    if (!c) return name;
    const data = c.data instanceof Float32Array ? c.data : Float32Array.from(c.data);
    const rank = c.shape.length;
    if (rank <= 1 && (c.shape[0] ?? 1) === 1) return this.init(`${name}__scalar`, [], data.slice(0, 1));
    if (rank === 1) return this.init(`${name}__c11`, [c.shape[0] as number, 1, 1], data);
    if (rank === 4) {
      const [n, h, w, ch] = c.shape as [number, number, number, number];
      return this.init(`${name}__nchw`, [n, ch, h, w], permute4(data, c.shape as [number, number, number, number], [0, 3, 1, 2]));
    }
    throw new FramewiseError('unsupported-format', `converter: constant "${name}" of rank ${rank} in an elementwise op is not supported`);
  }

  private spatial(input: Shape, kernel: [number, number], strides: number[], dilations: number[], padding: string): [number, number] {
    return [1, 2].map((axis, i) => {
      const size = input[axis] as number;
      const s = strides[axis] ?? 1;
      if (padding === 'SAME') return Math.ceil(size / s);
      const effective = ((kernel[i] as number) - 1) * (dilations[axis] ?? 1) + 1;
      return Math.floor((size - effective) / s) + 1;
    }) as [number, number];
  }

  private pads(padding: string): Record<string, string> {
    if (padding === 'SAME') return { auto_pad: 'SAME_UPPER' };
    if (padding === 'VALID') return { auto_pad: 'VALID' };
    throw new FramewiseError('unsupported-format', `converter: padding "${padding}" is not supported (SAME or VALID)`);
  }

  convert(name: string): OnnxGraph {
    const unsupported = [...new Set(this.graph.nodes.map((n) => n.op))].filter((op) => !SUPPORTED.includes(op));
    if (unsupported.length > 0)
      throw new FramewiseError('unsupported-format', `the model uses ops the converter does not support yet: ${unsupported.join(', ')}`);
    for (const input of this.graph.inputs) {
      if (input.shape.length !== 4)
        throw new FramewiseError('unsupported-format', `input "${input.name}" must be NHWC (rank 4), got [${input.shape.join(', ')}]`);
      this.nodes.push({ op: 'Transpose', inputs: [input.name], outputs: [`${input.name}__nchw_in`], attributes: { perm: [0, 3, 1, 2] } });
      this.shapes.set(input.name, input.shape);
    }
    for (const node of this.graph.nodes) this.node(node);
    for (const output of this.graph.outputs) {
      this.nodes.push({ op: 'Transpose', inputs: [this.activation(output)], outputs: [`${output}__nhwc`], attributes: { perm: [0, 2, 3, 1] } });
    }
    return {
      name,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.graph.inputs.map((i) => ({ name: i.name, dims: i.shape })),
      outputs: this.graph.outputs.map((o) => ({ name: `${o}__nhwc`, dims: this.shapeOf(o) })),
      opset: 17,
      producer: 'framewise tfjs-to-onnx',
    };
  }

  /** The ONNX name of an activation (NCHW); the graph input maps to its transposed copy. */
  private activation(name: string): string {
    return this.graph.inputs.some((i) => i.name === name) ? `${name}__nchw_in` : name;
  }

  private node(n: TfNode): void {
    const x = n.inputs[0] ?? '';
    const emit = (op: string, inputs: string[], attributes?: OnnxNode['attributes']): void => {
      this.nodes.push({ op, inputs, outputs: [n.name], name: n.name, ...(attributes ? { attributes } : {}) });
    };
    const strides = (n.attr.strides as number[] | null) ?? [1, 1, 1, 1];
    const dilations = (n.attr.dilations as number[] | null) ?? [1, 1, 1, 1];
    const padding = (n.attr.padding as string | null) ?? 'VALID';
    if (n.attr.data_format !== undefined && n.attr.data_format !== null && n.attr.data_format !== 'NHWC') {
      throw new FramewiseError('unsupported-format', `node ${n.name}: data format ${String(n.attr.data_format)} is not supported (NHWC only)`);
    }
    switch (n.op) {
      case 'Placeholder':
      case 'Const':
        return;
      case 'Identity':
        this.shapes.set(n.name, this.shapeOf(x));
        return emit('Identity', [this.activation(x)]);
      case 'Conv2D':
      case 'DepthwiseConv2dNative': {
        const filter = this.requireConst(n, n.inputs[1]);
        const [kh, kw, cin, m] = filter.shape as [number, number, number, number];
        const depthwise = n.op === 'DepthwiseConv2dNative';
        const weight = depthwise ? depthwiseWeight(filter) : permute4(asFloat(filter), [kh, kw, cin, m], [3, 2, 0, 1]);
        const outC = depthwise ? cin * m : m;
        const w = this.init(`${n.inputs[1]}__oihw`, depthwise ? [outC, 1, kh, kw] : [m, cin, kh, kw], weight);
        const input = this.shapeOf(x);
        const [oh, ow] = this.spatial(input, [kh, kw], strides, dilations, padding);
        this.shapes.set(n.name, [input[0] as number, oh, ow, outC]);
        return emit('Conv', [this.activation(x), w], {
          kernel_shape: [kh, kw],
          strides: [strides[1] ?? 1, strides[2] ?? 1],
          dilations: [dilations[1] ?? 1, dilations[2] ?? 1],
          group: depthwise ? cin : 1,
          ...this.pads(padding),
        });
      }
      case 'Conv2DBackpropInput': {
        const sizes = Array.from(this.requireConst(n, n.inputs[0]).data);
        const filter = this.requireConst(n, n.inputs[1]);
        const source = n.inputs[2] ?? '';
        const [kh, kw, outC, inC] = filter.shape as [number, number, number, number];
        const w = this.init(`${n.inputs[1]}__iohw`, [inC, outC, kh, kw], permute4(asFloat(filter), [kh, kw, outC, inC], [3, 2, 0, 1]));
        const input = this.shapeOf(source);
        const pads: number[] = [];
        const outputPadding: number[] = [];
        [1, 2].forEach((axis, i) => {
          const k = i === 0 ? kh : kw;
          const s = strides[axis] ?? 1;
          const total = padding === 'VALID' ? 0 : Math.max(0, ((input[axis] as number) - 1) * s + k - (sizes[axis] as number));
          pads[i] = Math.floor(total / 2);
          pads[i + 2] = total - Math.floor(total / 2);
          outputPadding[i] = (sizes[axis] as number) - (((input[axis] as number) - 1) * s + k - total);
        });
        this.shapes.set(n.name, sizes);
        return emit('ConvTranspose', [this.activation(source), w], {
          kernel_shape: [kh, kw],
          strides: [strides[1] ?? 1, strides[2] ?? 1],
          pads,
          output_padding: outputPadding,
        });
      }
      case 'AvgPool':
      case 'MaxPool': {
        const ksize = (n.attr.ksize as number[] | null) ?? [1, 1, 1, 1];
        const input = this.shapeOf(x);
        const [oh, ow] = this.spatial(input, [ksize[1] ?? 1, ksize[2] ?? 1], strides, [1, 1, 1, 1], padding);
        this.shapes.set(n.name, [input[0] as number, oh, ow, input[3] as number]);
        return emit(n.op === 'AvgPool' ? 'AveragePool' : 'MaxPool', [this.activation(x)], {
          kernel_shape: [ksize[1] ?? 1, ksize[2] ?? 1],
          strides: [strides[1] ?? 1, strides[2] ?? 1],
          ...this.pads(padding),
        });
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
        this.shapes.set(n.name, this.shapeOf(x));
        return emit(n.op, [this.activation(x)]);
      case 'Relu6': {
        this.shapes.set(n.name, this.shapeOf(x));
        const lo = this.init('__zero', [], Float32Array.of(0));
        const hi = this.init('__six', [], Float32Array.of(6));
        return emit('Clip', [this.activation(x), lo, hi]);
      }
      case 'Add':
      case 'AddV2':
      case 'Sub':
      case 'Mul':
      case 'AddN': {
        const inputs = n.inputs.map((i) => (this.constOf(i) ? this.operand(i) : this.activation(i)));
        const activations = n.inputs.filter((i) => !this.constOf(i));
        if (activations.length === 0) throw new FramewiseError('unsupported-format', `node ${n.name}: an op on constants only is not supported`);
        this.shapes.set(n.name, broadcast(activations.map((a) => this.shapeOf(a))));
        const op = n.op === 'Mul' ? 'Mul' : n.op === 'Sub' ? 'Sub' : n.op === 'AddN' ? 'Sum' : 'Add';
        return emit(op, inputs);
      }
      case 'ResizeBilinear': {
        const size = Array.from(this.requireConst(n, n.inputs[1]).data);
        const input = this.shapeOf(x);
        const out = [input[0] as number, size[0] as number, size[1] as number, input[3] as number];
        this.shapes.set(n.name, out);
        const sizes = this.init(`${n.name}__sizes`, [4], this.ints([out[0] as number, out[3] as number, out[1] as number, out[2] as number]));
        const mode = n.attr.align_corners === true ? 'align_corners' : n.attr.half_pixel_centers === true ? 'half_pixel' : 'asymmetric';
        return emit('Resize', [this.activation(x), '', '', sizes], { mode: 'linear', coordinate_transformation_mode: mode });
      }
      case 'ConcatV2': {
        const axisName = n.inputs[n.inputs.length - 1] ?? '';
        const parts = n.inputs.slice(0, -1);
        const axisNhwc = Number(this.requireConst(n, axisName).data[0]);
        const axis = [0, 2, 3, 1][(axisNhwc + 4) % 4] as number;
        const shapes = parts.map((p) => this.shapeOf(p));
        const out = [...(shapes[0] as Shape)];
        out[(axisNhwc + 4) % 4] = shapes.reduce((sum, s) => sum + (s[(axisNhwc + 4) % 4] as number), 0);
        this.shapes.set(n.name, out);
        return emit(
          'Concat',
          parts.map((p) => this.activation(p)),
          { axis },
        );
      }
      default:
        throw new FramewiseError('unsupported-format', `the converter does not support op ${n.op} (node ${n.name})`);
    }
  }

  private requireConst(n: TfNode, name: string | undefined): TfConst {
    const c = name === undefined ? undefined : this.constOf(name);
    if (!c) throw new FramewiseError('unsupported-format', `node ${n.name} (${n.op}) needs a constant input, got "${name ?? 'none'}"`);
    return c;
  }
}

function asFloat(c: TfConst): Float32Array {
  return c.data instanceof Float32Array ? c.data : Float32Array.from(c.data);
}

/** Reorder a rank-4 tensor: output axis i is input axis perm[i]. */
function permute4(data: Float32Array, shape: [number, number, number, number], perm: [number, number, number, number]): Float32Array {
  const out = new Float32Array(data.length);
  const strides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const outShape = perm.map((p) => shape[p] as number);
  let o = 0;
  const idx = [0, 0, 0, 0];
  for (idx[0] = 0; idx[0] < (outShape[0] as number); idx[0]++) {
    for (idx[1] = 0; idx[1] < (outShape[1] as number); idx[1]++) {
      for (idx[2] = 0; idx[2] < (outShape[2] as number); idx[2]++) {
        for (idx[3] = 0; idx[3] < (outShape[3] as number); idx[3]++) {
          let offset = 0;
          for (let i = 0; i < 4; i++) offset += (idx[i] as number) * (strides[perm[i] as number] as number);
          out[o++] = data[offset] as number;
        }
      }
    }
  }
  return out;
}

/** Depthwise filter [H, W, C, M] -> grouped conv weight [C*M, 1, H, W]. */
function depthwiseWeight(filter: TfConst): Float32Array {
  const [kh, kw, c, m] = filter.shape as [number, number, number, number];
  const data = asFloat(filter);
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let ch = 0; ch < c; ch++) for (let k = 0; k < m; k++) out[(ch * m + k) * kh * kw + y * kw + x] = data[((y * kw + x) * c + ch) * m + k] as number;
  return out;
}

function broadcast(shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) out.push(Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
  return out;
}

/** Convert a TF.js graph to an ONNX graph with the same NHWC inputs and outputs. */
export function tfjsToOnnx(graph: TfGraph, name: string): OnnxGraph {
  return new Converter(graph).convert(name);
}
