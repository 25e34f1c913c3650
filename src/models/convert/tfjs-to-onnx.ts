import { FramewiseError } from '../../core/errors.ts';
import type { OnnxAttribute, OnnxGraph, OnnxInitializer, OnnxNode } from '../onnx/onnx-graph.ts';
import { asFloat, broadcast, depthwiseWeight, NCHW_AXIS, permute4, resolveReshape, spatialSize, stridedSlice1d, valuesOf } from './layout.ts';
import type { TfConst, TfGraph, TfNode } from './tfjs-graph.ts';

/**
 * TensorFlow.js graph -> ONNX. TF convolutions work on NHWC, ONNX on NCHW. The converter keeps one rule: every
 * rank-4 activation is stored NCHW (its logical shape stays NHWC), every other tensor as it is. Weights are re-laid
 * out once (HWIO -> OIHW, depthwise HWCM -> (C*M)1HW with groups), axes of Concat/Pad/Mean are mapped, and a Reshape
 * of a rank-4 tensor goes through NHWC so it means what it meant in TF. Shapes are inferred statically (batch 1),
 * which also folds the Shape -> StridedSlice -> Pack chains that TF exports in front of a Reshape. The graph keeps
 * its NHWC interface.
 */

type Shape = number[];

/** Elementwise binary ops and their ONNX names. */
const BINARY: Readonly<Record<string, string>> = {
  Add: 'Add',
  AddV2: 'Add',
  BiasAdd: 'Add',
  AddN: 'Sum',
  Sub: 'Sub',
  Mul: 'Mul',
  RealDiv: 'Div',
  Maximum: 'Max',
  Minimum: 'Min',
};

/** Activations, standalone or fused into a convolution. */
const ACTIVATIONS = new Set(['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Prelu', 'LeakyRelu', 'Elu']);

const SPATIAL = new Set(['Conv2D', 'DepthwiseConv2dNative', '_FusedConv2D', 'FusedDepthwiseConv2dNative']);

const OTHER = ['Placeholder', 'Const', 'Identity', 'Conv2DBackpropInput', 'AvgPool', 'MaxPool', 'ResizeBilinear', 'ConcatV2', 'Pad', 'PadV2', 'Reshape'];
const FOLDED = ['Shape', 'StridedSlice', 'Pack'];
const SUPPORTED = new Set([...Object.keys(BINARY), ...ACTIVATIONS, ...SPATIAL, ...OTHER, ...FOLDED, 'DepthToSpace', 'Mean']);

/** Which graph tensors to expose; the default is the model's own outputs. */
export interface ConvertOptions {
  /** Cut the graph here (e.g. before post-processing that is better done outside the model). */
  outputs?: readonly string[];
}

class Converter {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxInitializer[] = [];
  private readonly shapes = new Map<string, Shape>();
  private readonly folded = new Map<string, TfConst>();
  private readonly emitted = new Set<string>();
  private readonly inputNames: Set<string>;
  private counter = 0;

  constructor(private readonly graph: TfGraph) {
    this.inputNames = new Set(graph.inputs.map((i) => i.name));
  }

  private constOf(name: string): TfConst | undefined {
    return this.graph.consts.get(name) ?? this.folded.get(name);
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

  private ints(name: string, values: readonly number[]): string {
    return this.init(name, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  private fresh(base: string): string {
    return `${base}__${this.counter++}`;
  }

  private push(op: string, inputs: string[], outputs: string[], attributes?: Record<string, OnnxAttribute>): void {
    this.nodes.push({ op, inputs, outputs, ...(attributes ? { attributes } : {}) });
  }

  /** The ONNX name of an activation: the graph input maps to its NCHW copy. */
  private activation(name: string): string {
    return this.inputNames.has(name) ? `${name}__nchw_in` : name;
  }

  /** A constant used beside an activation in an elementwise op, laid out to broadcast against it. */
  private operand(name: string, activationRank: number): string {
    const c = this.constOf(name) as TfConst;
    const data = asFloat(c);
    const rank = c.shape.length;
    if (data.length === 1) return this.init(`${name}__scalar`, [], data.slice(0, 1));
    if (activationRank !== 4) return this.init(`${name}__plain`, [...c.shape], data);
    if (rank === 4) return this.init(`${name}__nchw`, [c.shape[0], c.shape[3], c.shape[1], c.shape[2]] as number[], permute4(data, c.shape, [0, 3, 1, 2]));
    // [C], [1, C], [1, 1, C]: a per-channel vector
    if (c.shape.slice(0, -1).every((d) => d === 1)) return this.init(`${name}__c11`, [data.length, 1, 1], data);
    throw new FramewiseError(
      'unsupported-format',
      `converter: constant "${name}" of shape [${c.shape.join(', ')}] next to a rank-4 activation is not supported`,
    );
  }

  convert(name: string, options: ConvertOptions): OnnxGraph {
    const outputs = options.outputs ?? this.graph.outputs;
    const order = this.reachable(outputs);
    const unsupported = [...new Set(order.map((n) => n.op))].filter((op) => !SUPPORTED.has(op));
    if (unsupported.length > 0)
      throw new FramewiseError('unsupported-format', `the model uses ops the converter does not support yet: ${unsupported.join(', ')}`);
    const inputs = this.graph.inputs.map((input) => {
      if (input.shape.length !== 4)
        throw new FramewiseError('unsupported-format', `input "${input.name}" must be NHWC (rank 4), got [${input.shape.join(', ')}]`);
      const dims = input.shape.map((d) => (d < 0 ? 1 : d));
      this.push('Transpose', [input.name], [`${input.name}__nchw_in`], { perm: [0, 3, 1, 2] });
      this.shapes.set(input.name, dims);
      return { name: input.name, dims };
    });
    for (const node of order) this.node(node);
    const outs = outputs.map((output) => {
      const shape = this.shapeOf(output);
      if (shape.length !== 4) return { name: output, dims: shape };
      this.push('Transpose', [this.activation(output)], [`${output}__nhwc`], { perm: [0, 2, 3, 1] });
      return { name: `${output}__nhwc`, dims: shape };
    });
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs: outs, opset: 17, producer: 'framewise tfjs-to-onnx' };
  }

  /** The nodes `outputs` depend on, in an order where each comes after its inputs. */
  private reachable(outputs: readonly string[]): TfNode[] {
    const byName = new Map(this.graph.nodes.map((n) => [n.name, n]));
    const order: TfNode[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string): void => {
      const base = name.replace(/:\d+$/, '');
      if (state.get(base) === 'done' || this.graph.consts.has(base)) return;
      const node = byName.get(base);
      if (!node) throw new FramewiseError('invalid-argument', `the model has no tensor "${name}"`);
      if (state.get(base) === 'visiting') throw new FramewiseError('unsupported-format', `the model has a cycle at "${base}"`);
      state.set(base, 'visiting');
      for (const input of node.inputs) visit(input);
      state.set(base, 'done');
      order.push(node);
    };
    for (const output of outputs) visit(output);
    return order;
  }

  private node(n: TfNode): void {
    const x = n.inputs[0] ?? '';
    const emit = (op: string, inputs: string[], attributes?: Record<string, OnnxAttribute>): void => {
      this.nodes.push({ op, inputs, outputs: [n.name], name: n.name, ...(attributes ? { attributes } : {}) });
    };
    const dataFormat = n.attr.data_format;
    if (typeof dataFormat === 'string' && dataFormat !== 'NHWC')
      throw new FramewiseError('unsupported-format', `node ${n.name}: data format ${dataFormat} is not supported (NHWC only)`);
    if (n.op === 'Placeholder' || n.op === 'Const') return;
    if (this.fold(n)) return;
    if (SPATIAL.has(n.op)) return this.convolution(n);
    if (n.op in BINARY) return this.binary(n, BINARY[n.op] as string);
    if (ACTIVATIONS.has(n.op)) {
      this.shapes.set(n.name, this.shapeOf(x));
      return this.activate(n.op, this.activation(x), n.name, n.inputs[1], n.attr);
    }
    switch (n.op) {
      case 'Identity':
        this.shapes.set(n.name, this.shapeOf(x));
        return emit('Identity', [this.activation(x)]);
      case 'Conv2DBackpropInput':
        return this.transposedConvolution(n);
      case 'AvgPool':
      case 'MaxPool': {
        const ksize = (n.attr.ksize as number[] | null) ?? [1, 1, 1, 1];
        const strides = (n.attr.strides as number[] | null) ?? [1, 1, 1, 1];
        const padding = (n.attr.padding as string | null) ?? 'VALID';
        const input = this.shapeOf(x);
        const [oh, ow] = spatialSize(input, [ksize[1] ?? 1, ksize[2] ?? 1], strides, [1, 1, 1, 1], padding);
        this.shapes.set(n.name, [input[0] as number, oh, ow, input[3] as number]);
        return emit(n.op === 'AvgPool' ? 'AveragePool' : 'MaxPool', [this.activation(x)], {
          kernel_shape: [ksize[1] ?? 1, ksize[2] ?? 1],
          strides: [strides[1] ?? 1, strides[2] ?? 1],
          ...autoPad(padding),
        });
      }
      case 'ResizeBilinear': {
        const size = valuesOf(this.requireConst(n, n.inputs[1]));
        const input = this.shapeOf(x);
        const out = [input[0] as number, size[0] as number, size[1] as number, input[3] as number];
        this.shapes.set(n.name, out);
        const sizes = this.ints(`${n.name}__sizes`, [out[0] as number, out[3] as number, out[1] as number, out[2] as number]);
        const mode = n.attr.align_corners === true ? 'align_corners' : n.attr.half_pixel_centers === true ? 'half_pixel' : 'asymmetric';
        return emit('Resize', [this.activation(x), '', '', sizes], { mode: 'linear', coordinate_transformation_mode: mode });
      }
      case 'ConcatV2': {
        const parts = n.inputs.slice(0, -1);
        const shapes = parts.map((p) => this.shapeOf(p));
        const rank = (shapes[0] as Shape).length;
        const axis = valuesOf(this.requireConst(n, n.inputs[n.inputs.length - 1]))[0] ?? 0;
        const tfAxis = (axis + rank) % rank;
        const out = [...(shapes[0] as Shape)];
        out[tfAxis] = shapes.reduce((sum, s) => sum + (s[tfAxis] as number), 0);
        this.shapes.set(n.name, out);
        return emit(
          'Concat',
          parts.map((p) => (this.constOf(p) ? this.operand(p, rank) : this.activation(p))),
          { axis: rank === 4 ? (NCHW_AXIS[tfAxis] as number) : tfAxis },
        );
      }
      case 'Pad':
      case 'PadV2': {
        const paddings = valuesOf(this.requireConst(n, n.inputs[1]));
        const input = this.shapeOf(x);
        const rank = input.length;
        const axes = rank === 4 ? [0, 3, 1, 2] : input.map((_, i) => i);
        const begin = axes.map((a) => paddings[a * 2] as number);
        const end = axes.map((a) => paddings[a * 2 + 1] as number);
        this.shapes.set(
          n.name,
          input.map((d, i) => d + (paddings[i * 2] as number) + (paddings[i * 2 + 1] as number)),
        );
        const value = n.op === 'PadV2' ? this.operand(n.inputs[2] ?? '', 0) : '';
        return emit('Pad', [this.activation(x), this.ints(`${n.name}__pads`, [...begin, ...end]), ...(value ? [value] : [])], { mode: 'constant' });
      }
      case 'Reshape':
        return this.reshape(n);
      case 'DepthToSpace': {
        const block = n.attr.block_size as number;
        const [b, h, w, c] = this.shapeOf(x) as [number, number, number, number];
        this.shapes.set(n.name, [b, h * block, w * block, c / (block * block)]);
        return emit('DepthToSpace', [this.activation(x)], { blocksize: block, mode: 'DCR' });
      }
      case 'Mean': {
        const input = this.shapeOf(x);
        const rank = input.length;
        const axes = valuesOf(this.requireConst(n, n.inputs[1])).map((a) => (a + rank) % rank);
        const keep = n.attr.keep_dims === true;
        const out = keep ? input.map((d, i) => (axes.includes(i) ? 1 : d)) : input.filter((_, i) => !axes.includes(i));
        if (!keep && out.length === 4) throw new FramewiseError('unsupported-format', `node ${n.name}: Mean to rank 4 without keep_dims is not supported`);
        this.shapes.set(n.name, out);
        return emit('ReduceMean', [this.activation(x)], { axes: axes.map((a) => (rank === 4 ? (NCHW_AXIS[a] as number) : a)), keepdims: keep ? 1 : 0 });
      }
      default:
        throw new FramewiseError('unsupported-format', `the converter does not support op ${n.op} (node ${n.name})`);
    }
  }

  /** Constant-fold shape arithmetic; true when `n` became a constant. */
  private fold(n: TfNode): boolean {
    if (n.op === 'Shape') {
      const shape = this.shapeOf(n.inputs[0] ?? '');
      this.folded.set(n.name, { shape: [shape.length], data: Int32Array.from(shape) });
      return true;
    }
    const consts = n.inputs.map((i) => this.constOf(i));
    if (!consts.every((c) => c !== undefined)) return false;
    const [a, b, c, d] = consts;
    if (n.op === 'StridedSlice' && a && b && c && d) {
      const masks = { begin: (n.attr.begin_mask as number) || 0, end: (n.attr.end_mask as number) || 0, shrink: (n.attr.shrink_axis_mask as number) || 0 };
      const values = stridedSlice1d(valuesOf(a), valuesOf(b)[0] ?? 0, valuesOf(c)[0] ?? 0, valuesOf(d)[0] ?? 1, masks);
      this.folded.set(n.name, { shape: masks.shrink & 1 ? [] : [values.length], data: Int32Array.from(values) });
      return true;
    }
    if (n.op === 'Pack') {
      const values = consts.flatMap(valuesOf);
      this.folded.set(n.name, { shape: [values.length], data: Int32Array.from(values) });
      return true;
    }
    if (n.op === 'Identity' && a) {
      this.folded.set(n.name, a);
      return true;
    }
    return false;
  }

  private convolution(n: TfNode): void {
    const x = n.inputs[0] ?? '';
    const strides = (n.attr.strides as number[] | null) ?? [1, 1, 1, 1];
    const dilations = (n.attr.dilations as number[] | null) ?? [1, 1, 1, 1];
    const padding = (n.attr.padding as string | null) ?? 'VALID';
    const filter = this.requireConst(n, n.inputs[1]);
    const [kh, kw, cin, m] = filter.shape as [number, number, number, number];
    const depthwise = n.op.includes('Depthwise');
    const weight = depthwise ? depthwiseWeight(filter) : permute4(asFloat(filter), filter.shape, [3, 2, 0, 1]);
    const outC = depthwise ? cin * m : m;
    const w = this.init(`${n.inputs[1]}__oihw`, depthwise ? [outC, 1, kh, kw] : [m, cin, kh, kw], weight);
    const input = this.shapeOf(x);
    let [oh, ow] = spatialSize(input, [kh, kw], strides, dilations, padding === 'EXPLICIT' ? 'VALID' : padding);
    let pads: Record<string, OnnxAttribute> = autoPad(padding);
    if (padding === 'EXPLICIT') {
      const e = (n.attr.explicit_paddings as number[] | null) ?? [];
      const [t, b, l, r] = [e[2] ?? 0, e[3] ?? 0, e[4] ?? 0, e[5] ?? 0];
      pads = { pads: [t, l, b, r] };
      [oh, ow] = spatialSize([1, (input[1] as number) + t + b, (input[2] as number) + l + r, 1], [kh, kw], strides, dilations, 'VALID');
    }
    const shape = [input[0] as number, oh, ow, outC];
    const fusedOps = ((n.attr.fused_ops as string[] | null) ?? []).slice();
    const inputs = [this.activation(x), w];
    let argIndex = 2;
    if (fusedOps[0] === 'BiasAdd') {
      fusedOps.shift();
      inputs.push(this.init(`${n.inputs[2]}__bias`, [outC], asFloat(this.requireConst(n, n.inputs[argIndex++]))));
    }
    if (fusedOps.length > 1 || (fusedOps[0] !== undefined && !ACTIVATIONS.has(fusedOps[0])))
      throw new FramewiseError('unsupported-format', `node ${n.name}: fused ops ${fusedOps.join('+')} are not supported`);
    const activation = fusedOps[0];
    const convOut = activation ? this.fresh(`${n.name}__conv`) : n.name;
    this.push('Conv', inputs, [convOut], {
      kernel_shape: [kh, kw],
      strides: [strides[1] ?? 1, strides[2] ?? 1],
      dilations: [dilations[1] ?? 1, dilations[2] ?? 1],
      group: depthwise ? cin : 1,
      ...pads,
    });
    this.shapes.set(convOut, shape);
    this.shapes.set(n.name, shape);
    if (activation) this.activate(activation, convOut, n.name, n.inputs[argIndex], n.attr);
  }

  /** Emit activation `op` from `input` to `output`; `alpha` names PReLU's slopes. */
  private activate(op: string, input: string, output: string, alpha: string | undefined, attr: TfNode['attr']): void {
    const rank = this.shapeOf(output).length;
    switch (op) {
      case 'Relu6':
        return this.push('Clip', [input, this.init('__zero', [], Float32Array.of(0)), this.init('__six', [], Float32Array.of(6))], [output]);
      case 'Prelu':
        return this.push('PRelu', [input, this.operand(alpha ?? '', rank)], [output]);
      case 'LeakyRelu':
        return this.push('LeakyRelu', [input], [output], { alpha: { f: (attr.leakyrelu_alpha as number | null) ?? (attr.alpha as number | null) ?? 0.2 } });
      default:
        return this.push(op, [input], [output]);
    }
  }

  private binary(n: TfNode, op: string): void {
    const activations = n.inputs.filter((i) => !this.constOf(i));
    if (activations.length === 0) throw new FramewiseError('unsupported-format', `node ${n.name}: an op on constants only is not supported`);
    const shape = broadcast(activations.map((a) => this.shapeOf(a)));
    const ranks = new Set(activations.map((a) => this.shapeOf(a).length));
    if (ranks.size > 1) throw new FramewiseError('unsupported-format', `node ${n.name}: ${n.op} of tensors of different ranks is not supported`);
    this.shapes.set(n.name, shape);
    const inputs = n.inputs.map((i) => (this.constOf(i) ? this.operand(i, shape.length) : this.activation(i)));
    this.nodes.push({ op, inputs, outputs: [n.name], name: n.name });
  }

  private reshape(n: TfNode): void {
    const x = n.inputs[0] ?? '';
    const input = this.shapeOf(x);
    const count = input.reduce((a, b) => a * b, 1);
    const target = resolveReshape(valuesOf(this.requireConst(n, n.inputs[1])), count);
    let source = this.activation(x);
    if (input.length === 4) {
      const nhwc = this.fresh(`${n.name}__nhwc`);
      this.push('Transpose', [source], [nhwc], { perm: [0, 2, 3, 1] });
      source = nhwc;
    }
    const reshaped = target.length === 4 ? this.fresh(`${n.name}__flat`) : n.name;
    this.push('Reshape', [source, this.ints(`${n.name}__shape`, target)], [reshaped]);
    if (target.length === 4) this.push('Transpose', [reshaped], [n.name], { perm: [0, 3, 1, 2] });
    this.shapes.set(n.name, target);
  }

  private transposedConvolution(n: TfNode): void {
    const strides = (n.attr.strides as number[] | null) ?? [1, 1, 1, 1];
    const padding = (n.attr.padding as string | null) ?? 'VALID';
    const sizes = valuesOf(this.requireConst(n, n.inputs[0]));
    const filter = this.requireConst(n, n.inputs[1]);
    const source = n.inputs[2] ?? '';
    const [kh, kw, outC, inC] = filter.shape as [number, number, number, number];
    const w = this.init(`${n.inputs[1]}__iohw`, [inC, outC, kh, kw], permute4(asFloat(filter), filter.shape, [3, 2, 0, 1]));
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
    this.nodes.push({
      op: 'ConvTranspose',
      inputs: [this.activation(source), w],
      outputs: [n.name],
      name: n.name,
      attributes: { kernel_shape: [kh, kw], strides: [strides[1] ?? 1, strides[2] ?? 1], pads, output_padding: outputPadding },
    });
  }

  private requireConst(n: TfNode, name: string | undefined): TfConst {
    const c = name === undefined ? undefined : this.constOf(name);
    if (!c) throw new FramewiseError('unsupported-format', `node ${n.name} (${n.op}) needs a constant input, got "${name ?? 'none'}"`);
    return c;
  }
}

function autoPad(padding: string): Record<string, OnnxAttribute> {
  if (padding === 'SAME') return { auto_pad: 'SAME_UPPER' };
  if (padding === 'VALID') return { auto_pad: 'VALID' };
  if (padding === 'EXPLICIT') return {};
  throw new FramewiseError('unsupported-format', `converter: padding "${padding}" is not supported (SAME, VALID or EXPLICIT)`);
}

/** Convert a TF.js graph to an ONNX graph with the same NHWC inputs (and NHWC rank-4 outputs). */
export function tfjsToOnnx(graph: TfGraph, name: string, options: ConvertOptions = {}): OnnxGraph {
  return new Converter(graph).convert(name, options);
}
